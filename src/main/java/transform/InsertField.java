package transform;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import record.Field;
import record.FieldType;
import record.RecordSchema;
import record.Row;

/**
 * Connect's {@code InsertField}: adds the record's topic ({@code topic.field}, string), partition
 * ({@code partition.field}, int32), offset ({@code offset.field}, int64), Kafka timestamp ({@code timestamp.field},
 * Timestamp) and a fixed text ({@code static.field} = {@code static.value}), each an optional field at the end.
 */
final class InsertField implements RecordTransform {

    private final String topicField;
    private final String partitionField;
    private final String offsetField;
    private final String timestampField;
    private final String staticField;
    private final String staticValue;
    private final SchemaCache schemas = new SchemaCache();

    InsertField(String topicField, String partitionField, String offsetField, String timestampField, String staticField,
                String staticValue) {
        this.topicField = topicField;
        this.partitionField = partitionField;
        this.offsetField = offsetField;
        this.timestampField = timestampField;
        this.staticField = staticField;
        this.staticValue = staticValue;
    }

    @Override
    public Row apply(Row value, Origin origin) {
        RecordSchema schema = schemas.get(value.schema(), input -> {
            List<Field> fields = new ArrayList<>(input.fields());
            add(fields, topicField, FieldType.STRING);
            add(fields, partitionField, FieldType.INT32);
            add(fields, offsetField, FieldType.INT64);
            add(fields, timestampField, FieldType.TIMESTAMP);
            add(fields, staticField, FieldType.STRING);
            return new RecordSchema(input.name(), fields);
        });
        Map<String, Object> values = new LinkedHashMap<>(value.values());
        put(values, topicField, origin.topic());
        put(values, partitionField, origin.partition());
        put(values, offsetField, origin.offset());
        put(values, timestampField, origin.timestamp() < 0 ? null
                : LocalDateTime.ofInstant(Instant.ofEpochMilli(origin.timestamp()), ZoneOffset.UTC));
        put(values, staticField, staticValue);
        return new Row(schema, values);
    }

    private static void add(List<Field> fields, String name, FieldType type) {
        if (name != null) {
            fields.removeIf(field -> field.name().equals(name));
            fields.add(Field.of(name, type, true));
        }
    }

    private static void put(Map<String, Object> values, String name, Object value) {
        if (name != null) {
            values.put(name, value);
        }
    }
}
