package transform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import record.Field;
import record.RecordSchema;
import record.Row;

/**
 * Connect's {@code ReplaceField}: keeps only the {@code include} fields (all when empty), removes the {@code exclude}
 * fields, and renames fields ({@code renames = old:new,...}), in the schema and the payload.
 */
final class ReplaceField implements RecordTransform {

    private final List<String> include;
    private final List<String> exclude;
    private final Map<String, String> renames;
    private final SchemaCache schemas = new SchemaCache();

    ReplaceField(List<String> include, List<String> exclude, Map<String, String> renames) {
        this.include = include;
        this.exclude = exclude;
        this.renames = renames;
    }

    private boolean kept(String field) {
        return (include.isEmpty() || include.contains(field)) && !exclude.contains(field);
    }

    @Override
    public Row apply(Row value, Origin origin) {
        RecordSchema schema = schemas.get(value.schema(), input -> {
            List<Field> fields = new ArrayList<>();
            for (Field field : input.fields()) {
                if (kept(field.name())) {
                    fields.add(new Field(renames.getOrDefault(field.name(), field.name()), field.type(), field.optional(), field.scale()));
                }
            }
            return new RecordSchema(input.name(), fields);
        });
        Map<String, Object> values = new LinkedHashMap<>();
        for (Field field : value.schema().fields()) {
            if (kept(field.name())) {
                values.put(renames.getOrDefault(field.name(), field.name()), value.get(field.name()));
            }
        }
        return new Row(schema, values);
    }
}
