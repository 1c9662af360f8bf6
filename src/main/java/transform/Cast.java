package transform;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import record.Field;
import record.FieldType;
import record.RecordSchema;
import record.Row;

/**
 * Connect's {@code Cast} of fields: {@code spec = field:type,...}, each to int8, int16, int32, int64, float32,
 * float64, boolean or string, in the schema and the payload. A value that does not fit (text that is no number, a
 * number out of the type's range) fails the record, which becomes a dead letter.
 */
final class Cast implements RecordTransform {

    private final Map<String, FieldType> casts;
    private final SchemaCache schemas = new SchemaCache();

    Cast(Map<String, FieldType> casts) {
        this.casts = casts;
    }

    /** The type a spec names, or null (Connect's names: float32 and float64, not float and double). */
    static FieldType type(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "int8" -> FieldType.INT8;
            case "int16" -> FieldType.INT16;
            case "int32" -> FieldType.INT32;
            case "int64" -> FieldType.INT64;
            case "float32" -> FieldType.FLOAT32;
            case "float64" -> FieldType.FLOAT64;
            case "boolean" -> FieldType.BOOLEAN;
            case "string" -> FieldType.STRING;
            default -> null;
        };
    }

    @Override
    public Row apply(Row value, Origin origin) {
        RecordSchema schema = schemas.get(value.schema(), input -> {
            List<Field> fields = new ArrayList<>();
            for (Field field : input.fields()) {
                FieldType to = casts.get(field.name());
                fields.add(to == null ? field : new Field(field.name(), to, field.optional(), 0));
            }
            return new RecordSchema(input.name(), fields);
        });
        Map<String, Object> values = new LinkedHashMap<>(value.values());
        for (Map.Entry<String, FieldType> cast : casts.entrySet()) {
            Object old = values.get(cast.getKey());
            if (old != null) {
                values.put(cast.getKey(), convert(cast.getKey(), old, cast.getValue()));
            }
        }
        return new Row(schema, values);
    }

    /** {@code value} as {@code type}, the way the reader holds that type; a TransformException when it does not fit. */
    static Object convert(String field, Object value, FieldType type) {
        try {
            if (type == FieldType.STRING) {
                // bytes as Connect writes them in JSON (base64), so a replay writes the same text
                return value instanceof BigDecimal decimal ? decimal.toPlainString()
                        : value instanceof byte[] bytes ? java.util.Base64.getEncoder().encodeToString(bytes) : String.valueOf(value);
            }
            if (type == FieldType.BOOLEAN) {
                if (value instanceof Boolean) {
                    return value;
                }
                if (value instanceof Number number) {
                    return number.doubleValue() != 0;
                }
                String text = value.toString().trim().toLowerCase(Locale.ROOT);
                if (text.equals("true") || text.equals("false")) {
                    return Boolean.valueOf(text);
                }
                throw new TransformException("field '" + field + "' cannot be cast to boolean: '" + value + "'");
            }
            BigDecimal number = value instanceof Boolean flag ? (flag ? BigDecimal.ONE : BigDecimal.ZERO)
                    : new BigDecimal(value instanceof Number ? value.toString() : value.toString().trim());
            return switch (type) {
                case INT8 -> number.byteValueExact();
                case INT16 -> number.shortValueExact();
                case INT32 -> number.intValueExact();
                case INT64 -> number.longValueExact();
                case FLOAT32, FLOAT64 -> number.doubleValue();
                default -> throw new TransformException("field '" + field + "' cannot be given a value of type "
                        + type.name().toLowerCase(Locale.ROOT) + " from '" + value + "'");
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new TransformException("field '" + field + "' cannot be cast to " + type.name().toLowerCase(Locale.ROOT)
                    + ": '" + value + "'");
        }
    }
}
