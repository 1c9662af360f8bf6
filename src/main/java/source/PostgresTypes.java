package source;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import record.Field;
import record.FieldType;

/** Maps PostgreSQL column types to Connect field types and reads values as the record model's Java types. */
public final class PostgresTypes {

    private PostgresTypes() {
    }

    public static Field fieldOf(ResultSetMetaData meta, int column) throws SQLException {
        boolean optional = meta.isNullable(column) != ResultSetMetaData.columnNoNulls;
        String name = meta.getColumnLabel(column);
        FieldType type = typeOf(meta.getColumnType(column), meta.getColumnTypeName(column));
        int scale = type == FieldType.DECIMAL ? Math.max(meta.getScale(column), 0) : 0;
        return new Field(name, type, optional, scale);
    }

    static FieldType typeOf(int sqlType, String typeName) {
        return switch (sqlType) {
            case Types.SMALLINT, Types.TINYINT -> FieldType.INT16;
            case Types.INTEGER -> FieldType.INT32;
            case Types.BIGINT -> FieldType.INT64;
            case Types.REAL -> FieldType.FLOAT32;
            case Types.DOUBLE, Types.FLOAT -> FieldType.FLOAT64;
            case Types.NUMERIC, Types.DECIMAL -> FieldType.DECIMAL;
            case Types.BIT, Types.BOOLEAN -> FieldType.BOOLEAN;
            case Types.DATE -> FieldType.DATE;
            case Types.TIME, Types.TIME_WITH_TIMEZONE -> FieldType.TIME;
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> FieldType.TIMESTAMP;
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> FieldType.BYTES;
            // text, varchar, char, uuid, json, jsonb and anything else travel as their text form
            default -> FieldType.STRING;
        };
    }

    /** The driver reports timestamptz and timetz as plain TIMESTAMP/TIME: only the type name tells them apart. */
    public static boolean hasTimeZone(String typeName) {
        return typeName.equalsIgnoreCase("timestamptz") || typeName.equalsIgnoreCase("timetz");
    }

    public static Object read(ResultSet rs, int column, Field field, boolean withTimeZone) throws SQLException {
        Object value = switch (field.type()) {
            case INT8 -> rs.getByte(column);
            case INT16 -> rs.getShort(column);
            case INT32 -> rs.getInt(column);
            case INT64 -> rs.getLong(column);
            case FLOAT32 -> rs.getFloat(column);
            case FLOAT64 -> rs.getDouble(column);
            case BOOLEAN -> rs.getBoolean(column);
            case STRING -> rs.getString(column);
            case BYTES -> rs.getBytes(column);
            case DECIMAL -> rs.getBigDecimal(column);
            case DATE -> rs.getObject(column, LocalDate.class);
            case TIME -> withTimeZone
                    ? toUtc(rs.getObject(column, java.time.OffsetTime.class))
                    : rs.getObject(column, LocalTime.class);
            case TIMESTAMP -> withTimeZone
                    ? toUtc(rs.getObject(column, OffsetDateTime.class))
                    : rs.getObject(column, LocalDateTime.class);
        };
        return rs.wasNull() ? null : value;
    }

    private static LocalTime toUtc(java.time.OffsetTime value) {
        return value == null ? null : value.withOffsetSameInstant(ZoneOffset.UTC).toLocalTime();
    }

    private static LocalDateTime toUtc(OffsetDateTime value) {
        return value == null ? null : value.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    }

    /** Types sent as text for want of a Connect type: worth a warning, since a sink sees a string. */
    static boolean isUnsupported(int sqlType, String typeName) {
        if (sqlType != Types.OTHER && sqlType != Types.ARRAY && sqlType != Types.STRUCT && sqlType != Types.JAVA_OBJECT
                && sqlType != Types.DISTINCT) {
            return false;
        }
        return !(typeName.equals("uuid") || typeName.equals("json") || typeName.equals("jsonb") || typeName.equals("citext"));
    }
}
