package s3;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import record.Field;
import record.RecordFormatException;
import record.RecordSchema;
import record.Row;

/**
 * Connect schemas as Avro schemas, the way Confluent's AvroConverter maps them: int8/int16 become int,
 * Date/Time/Timestamp the date, time-millis and timestamp-millis logical types, Decimal the decimal
 * logical type on bytes (precision 64, the converter's default), an optional field a union with null.
 */
public final class AvroSchemas {

    static final int DECIMAL_PRECISION = 64;
    static final String DEFAULT_RECORD_NAME = "ConnectDefault";
    static final String DEFAULT_NAMESPACE = "io.confluent.connect.avro";

    private static final Map<RecordSchema, Schema> CACHE = new ConcurrentHashMap<>();

    private AvroSchemas() {
    }

    /** The Avro schema of a record schema; a RecordFormatException if a name is not a valid Avro name. */
    public static Schema of(RecordSchema recordSchema) {
        Schema cached = CACHE.get(recordSchema);
        if (cached != null) {
            return cached;
        }
        Schema schema = build(recordSchema);
        if (CACHE.size() < 1_000) {
            CACHE.put(recordSchema, schema);
        }
        return schema;
    }

    private static Schema build(RecordSchema recordSchema) {
        String fullName = recordSchema.name() == null ? DEFAULT_NAMESPACE + "." + DEFAULT_RECORD_NAME : recordSchema.name();
        int dot = fullName.lastIndexOf('.');
        try {
            List<Schema.Field> fields = new ArrayList<>();
            for (Field field : recordSchema.fields()) {
                Schema type = typeOf(field);
                fields.add(field.optional()
                        ? new Schema.Field(field.name(), Schema.createUnion(Schema.create(Schema.Type.NULL), type), null, Schema.Field.NULL_DEFAULT_VALUE)
                        : new Schema.Field(field.name(), type));
            }
            return Schema.createRecord(dot < 0 ? fullName : fullName.substring(dot + 1), null,
                    dot < 0 ? null : fullName.substring(0, dot), false, fields);
        } catch (SchemaParseException e) {
            throw new RecordFormatException("its schema cannot be written as Avro: " + e.getMessage());
        }
    }

    private static Schema typeOf(Field field) {
        return switch (field.type()) {
            case INT8, INT16, INT32 -> Schema.create(Schema.Type.INT);
            case INT64 -> Schema.create(Schema.Type.LONG);
            case FLOAT32 -> Schema.create(Schema.Type.FLOAT);
            case FLOAT64 -> Schema.create(Schema.Type.DOUBLE);
            case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
            case STRING -> Schema.create(Schema.Type.STRING);
            case BYTES -> Schema.create(Schema.Type.BYTES);
            case DATE -> LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
            case TIME -> LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT));
            case TIMESTAMP -> LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
            case DECIMAL -> LogicalTypes.decimal(DECIMAL_PRECISION, field.scale()).addToSchema(Schema.create(Schema.Type.BYTES));
        };
    }

    /** A row as an Avro record of its schema; a RecordFormatException if a value does not fit. */
    public static GenericRecord toAvro(Schema schema, Row row) {
        GenericRecord avro = new GenericData.Record(schema);
        for (Field field : row.schema().fields()) {
            Object value = row.get(field.name());
            avro.put(field.name(), value == null ? null : toAvro(field, value));
        }
        return avro;
    }

    private static Object toAvro(Field field, Object value) {
        return switch (field.type()) {
            case INT8, INT16, INT32 -> ((Number) value).intValue();
            case INT64 -> ((Number) value).longValue();
            case FLOAT32 -> ((Number) value).floatValue();
            case FLOAT64 -> ((Number) value).doubleValue();
            case BOOLEAN, STRING -> value;
            case BYTES -> ByteBuffer.wrap((byte[]) value);
            case DATE -> (int) ((LocalDate) value).toEpochDay();
            case TIME -> (int) (((LocalTime) value).toNanoOfDay() / 1_000_000);
            case TIMESTAMP -> ((LocalDateTime) value).toInstant(ZoneOffset.UTC).toEpochMilli();
            case DECIMAL -> {
                BigDecimal decimal = (BigDecimal) value;
                if (decimal.precision() - decimal.scale() + field.scale() > DECIMAL_PRECISION) {
                    throw new RecordFormatException("field '" + field.name() + "' has more than " + DECIMAL_PRECISION + " digits");
                }
                yield ByteBuffer.wrap(decimal.setScale(field.scale(), RoundingMode.UNNECESSARY).unscaledValue().toByteArray());
            }
        };
    }
}
