package transform;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import record.Field;
import record.Row;

/**
 * Connect's {@code MaskField}: the {@code fields}' values replaced by their type's empty value (0, false, "", an
 * empty byte array, the epoch for dates and times), or by {@code replacement} (read as the field's type); the
 * schema is unchanged. A null stays null.
 */
final class MaskField implements RecordTransform {

    private final List<String> fields;
    private final String replacement;

    MaskField(List<String> fields, String replacement) {
        this.fields = fields;
        this.replacement = replacement;
    }

    @Override
    public Row apply(Row value, Origin origin) {
        Map<String, Object> values = new LinkedHashMap<>(value.values());
        for (String name : fields) {
            Field field = value.schema().field(name);
            if (field != null && values.get(name) != null) {
                values.put(name, replacement == null ? empty(field) : Cast.convert(field.name(), replacement, field.type()));
            }
        }
        return new Row(value.schema(), values);
    }

    private static Object empty(Field field) {
        return switch (field.type()) {
            case INT8 -> (byte) 0;
            case INT16 -> (short) 0;
            case INT32 -> 0;
            case INT64 -> 0L;
            case FLOAT32, FLOAT64 -> 0d; // the reader holds both as a Double
            case BOOLEAN -> false;
            case STRING -> "";
            case BYTES -> new byte[0];
            case DATE -> LocalDate.EPOCH;
            case TIME -> LocalTime.MIDNIGHT;
            case TIMESTAMP -> LocalDateTime.of(1970, 1, 1, 0, 0);
            case DECIMAL -> BigDecimal.ZERO.setScale(field.scale());
        };
    }
}
