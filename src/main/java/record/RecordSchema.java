package record;

import java.util.List;

/** A record's struct schema: its Connect name (may be null) and its fields in column order. */
public record RecordSchema(String name, List<Field> fields) {

    public RecordSchema {
        fields = List.copyOf(fields);
    }

    public Field field(String fieldName) {
        for (Field field : fields) {
            if (field.name().equals(fieldName)) {
                return field;
            }
        }
        return null;
    }
}
