package mysql;

import java.util.List;
import java.util.StringJoiner;

import record.Field;
import record.RecordSchema;

/** The SQL this sink sends to MySQL (and MariaDB): quoting, column types and the write statements. */
public final class MySqlDialect {

    /** MySQL caps a prepared statement at 65,535 placeholders; multi-row statements stay below it. */
    public static final int MAX_PLACEHOLDERS = 65_535;

    /**
     * A batch is written in statements of about this many values. Connector/J walks every bound value of a
     * statement several times; with 1,000 rows of 12 columns (12,000 values) those walks missed the CPU
     * cache (JFR: 8 % of the pipeline's samples in one four-instanceof check); with 200 rows the end-to-end
     * benchmark used 7 % less CPU. A batch's statements run one by one in one transaction (routes/mysql-sink.yaml).
     */
    public static final int VALUES_PER_STATEMENT = 2_400;

    private MySqlDialect() {
    }

    /** MySQL's longest identifier, in characters. */
    public static final int MAX_IDENTIFIER_LENGTH = 64;

    /**
     * Why MySQL would refuse {@code name} as a column name, or null if it takes it: at most 64 characters
     * of the Basic Multilingual Plane without U+0000, not ending with a space (MySQL's rules for quoted
     * identifiers). Checked before any DDL, so a record with such a field never changes a table.
     */
    public static String columnNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        if (name.codePointCount(0, name.length()) > MAX_IDENTIFIER_LENGTH) {
            return "is longer than " + MAX_IDENTIFIER_LENGTH + " characters";
        }
        if (name.indexOf('\0') >= 0) {
            return "contains the character U+0000";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isSurrogate(name.charAt(i))) {
                return "contains a character outside Unicode's Basic Multilingual Plane (such as an emoji)";
            }
        }
        if (name.endsWith(" ")) {
            return "ends with a space";
        }
        return null;
    }

    public static String quote(String identifier) {
        if (identifier == null || identifier.isEmpty() || identifier.length() > 64 || identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid MySQL identifier '" + identifier + "'");
        }
        return '`' + identifier.replace("`", "``") + '`';
    }

    /** Column type for a field; key columns of text or bytes become VARCHAR/VARBINARY so they can be indexed. */
    public static String columnType(Field field, boolean keyColumn) {
        return switch (field.type()) {
            case INT8 -> "TINYINT";
            case INT16 -> "SMALLINT";
            case INT32 -> "INT";
            case INT64 -> "BIGINT";
            case FLOAT32 -> "FLOAT";
            case FLOAT64 -> "DOUBLE";
            case BOOLEAN -> "TINYINT(1)";
            case STRING -> keyColumn ? "VARCHAR(255)" : "TEXT";
            case BYTES -> keyColumn ? "VARBINARY(255)" : "BLOB";
            case DATE -> "DATE";
            case TIME -> "TIME(3)";
            case TIMESTAMP -> "DATETIME(3)";
            case DECIMAL -> "DECIMAL(65," + field.scale() + ")";
        };
    }

    public static String createTable(String table, RecordSchema schema, List<String> keyColumns) {
        StringJoiner columns = new StringJoiner(",\n  ", "CREATE TABLE IF NOT EXISTS " + quote(table) + " (\n  ", "");
        for (Field field : schema.fields()) {
            boolean key = keyColumns.contains(field.name());
            columns.add(quote(field.name()) + " " + columnType(field, key) + (field.optional() && !key ? " NULL" : " NOT NULL"));
        }
        StringBuilder sql = new StringBuilder(columns.toString());
        if (!keyColumns.isEmpty()) {
            StringJoiner key = new StringJoiner(", ", ",\n  PRIMARY KEY (", ")");
            keyColumns.forEach(column -> key.add(quote(column)));
            sql.append(key);
        }
        return sql.append("\n) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin").toString();
    }

    /** {@code INSERT INTO t (a, b) VALUES (?, ?), (?, ?)} for {@code rows} rows. */
    public static String insert(String table, List<String> columns, int rows) {
        return "INSERT INTO " + quote(table) + " " + columnList(columns) + " VALUES " + placeholders(columns.size(), rows);
    }

    /**
     * An insert that updates the non-key columns of a row whose key exists. {@code VALUES(col)} works on
     * MySQL 5.7, 8 (deprecated there, still supported) and every MariaDB.
     */
    public static String upsert(String table, List<String> columns, List<String> keyColumns, int rows) {
        StringJoiner updates = new StringJoiner(", ");
        for (String column : columns) {
            if (!keyColumns.contains(column)) {
                updates.add(quote(column) + "=VALUES(" + quote(column) + ")");
            }
        }
        if (updates.length() == 0) {
            // a table of key columns only: a repeated key has nothing to update
            String first = quote(keyColumns.get(0));
            updates.add(first + "=" + first);
        }
        return insert(table, columns, rows) + " ON DUPLICATE KEY UPDATE " + updates;
    }

    /** Rows per statement for a row of {@code columns} columns: about {@link #VALUES_PER_STATEMENT} values, at most {@code wanted} rows. */
    public static int maxRowsPerStatement(int columns, int wanted) {
        return Math.max(1, Math.min(wanted, VALUES_PER_STATEMENT / Math.max(columns, 1)));
    }

    private static String columnList(List<String> columns) {
        StringJoiner list = new StringJoiner(", ", "(", ")");
        columns.forEach(column -> list.add(quote(column)));
        return list.toString();
    }

    private static String placeholders(int columns, int rows) {
        String row = "(" + "?, ".repeat(columns - 1) + "?)";
        StringJoiner all = new StringJoiner(", ");
        for (int i = 0; i < rows; i++) {
            all.add(row);
        }
        return all.toString();
    }

    /** {@code UPDATE t SET a=?, b=? WHERE k=?}: parameters are the non-key columns, then the key columns. */
    public static String update(String table, List<String> columns, List<String> keyColumns) {
        StringJoiner sets = new StringJoiner(", ");
        for (String column : columns) {
            if (!keyColumns.contains(column)) {
                sets.add(quote(column) + "=?");
            }
        }
        return "UPDATE " + quote(table) + " SET " + sets + " WHERE " + keyCondition(keyColumns);
    }

    /** {@code DELETE FROM t WHERE k=?}. */
    public static String delete(String table, List<String> keyColumns) {
        return "DELETE FROM " + quote(table) + " WHERE " + keyCondition(keyColumns);
    }

    /** Adds a column for a field new in the records; always nullable, as rows written before have no value for it. */
    public static String addColumn(String table, Field field) {
        return "ALTER TABLE " + quote(table) + " ADD COLUMN " + quote(field.name()) + " " + columnType(field, false) + " NULL";
    }

    private static String keyCondition(List<String> keyColumns) {
        StringJoiner where = new StringJoiner(" AND ");
        keyColumns.forEach(column -> where.add(quote(column) + "=?"));
        return where.toString();
    }
}
