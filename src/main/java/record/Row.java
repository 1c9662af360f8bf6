package record;

import java.util.Map;

/**
 * Values of one record by field name, typed as Java values: Long, Integer, Short, Byte, Double, Float,
 * Boolean, String, byte[], LocalDate, LocalTime, LocalDateTime (UTC) and BigDecimal; null for NULL.
 */
public record Row(RecordSchema schema, Map<String, Object> values) {

    public Object get(String field) {
        return values.get(field);
    }
}
