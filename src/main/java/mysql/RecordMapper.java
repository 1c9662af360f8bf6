package mysql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import record.Field;
import record.FieldType;
import record.RecordFormatException;
import record.RecordSchema;
import record.Row;
import sink.SinkRecord;

/**
 * Decides what one record does to MySQL: which table, which columns (key fields, filtered value fields,
 * Kafka coordinates), which of them form the primary key, and whether it writes or deletes a row.
 * Pure: no database access, so every pk.mode and filter is unit-tested.
 */
public final class RecordMapper {

    private static final int MAX_REMEMBERED_NAMES = 10_000;

    public enum Operation { WRITE, DELETE }

    /** One row to write or delete; {@code values} iterates in the order of {@code schema}'s fields. */
    public record MappedRow(String table, Operation operation, RecordSchema schema, List<String> keyColumns,
                            Map<String, Object> values) {
    }

    private final MySqlSinkSettings settings;
    // names already found valid: a batch repeats the same few names on every record (checking each one again
    // was 2 % of the sink's CPU samples); bounded, as names come from the records
    private final Set<String> validColumnNames = ConcurrentHashMap.newKeySet();

    public RecordMapper(MySqlSinkSettings settings) {
        this.settings = settings;
    }

    /** Returns the row, or null for a record that changes nothing (a tombstone with deletes off). */
    public MappedRow map(SinkRecord record, Row key, Row value) {
        String table = settings.tableNameFormat().replace("${topic}", record.topic());
        if (value == null) {
            if (!settings.deleteEnabled()) {
                return null;
            }
            if (key == null) {
                throw new RecordFormatException("a tombstone without a key cannot delete a row");
            }
            Map<String, Object> keyValues = keyValues(key, keyFieldNames(key));
            List<Field> keyFields = keyValues.keySet().stream().map(name -> key.schema().field(name)).toList();
            requireValidColumnNames(keyFields);
            return new MappedRow(table, Operation.DELETE, new RecordSchema(null, keyFields), List.copyOf(keyValues.keySet()), keyValues);
        }
        List<Field> fields = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> keyColumns = switch (settings.pkMode()) {
            case NONE -> List.of();
            case KAFKA -> {
                List<String> names = settings.kafkaColumns();
                fields.add(Field.of(names.get(0), FieldType.STRING, false));
                fields.add(Field.of(names.get(1), FieldType.INT32, false));
                fields.add(Field.of(names.get(2), FieldType.INT64, false));
                values.put(names.get(0), record.topic());
                values.put(names.get(1), record.partition());
                values.put(names.get(2), record.offset());
                yield names;
            }
            case RECORD_KEY -> {
                if (key == null) {
                    throw new RecordFormatException("mysql.pk.mode=record_key but the record has no key");
                }
                List<String> names = keyFieldNames(key);
                Map<String, Object> keyValues = keyValues(key, names);
                for (String name : names) {
                    fields.add(asKey(key.schema().field(name)));
                }
                values.putAll(keyValues);
                yield names;
            }
            case RECORD_VALUE -> {
                for (String name : settings.pkFields()) {
                    Field field = value.schema().field(name);
                    if (field == null || value.get(name) == null) {
                        throw new RecordFormatException("primary key field '" + name + "' is missing or null in the value");
                    }
                    fields.add(asKey(field));
                    values.put(name, value.get(name));
                }
                yield settings.pkFields();
            }
        };
        for (Field field : value.schema().fields()) {
            if (values.containsKey(field.name()) || !selected(field.name())) {
                continue;
            }
            fields.add(field);
            values.put(field.name(), value.get(field.name()));
        }
        requireValidColumnNames(fields);
        return new MappedRow(table, Operation.WRITE, new RecordSchema(value.schema().name(), fields), keyColumns, values);
    }

    /** A column MySQL would refuse must not reach auto.create or auto.evolve: the record is bad, not the table. */
    private void requireValidColumnNames(List<Field> fields) {
        for (Field field : fields) {
            if (validColumnNames.contains(field.name())) {
                continue;
            }
            String problem = MySqlDialect.columnNameProblem(field.name());
            if (problem != null) {
                throw new RecordFormatException("field name '" + field.name() + "' cannot be a MySQL column: it " + problem);
            }
            if (validColumnNames.size() >= MAX_REMEMBERED_NAMES) {
                validColumnNames.clear();
            }
            validColumnNames.add(field.name());
        }
    }

    private List<String> keyFieldNames(Row key) {
        if (settings.pkFields().isEmpty()) {
            return key.schema().fields().stream().map(Field::name).toList();
        }
        return settings.pkFields();
    }

    private static Map<String, Object> keyValues(Row key, List<String> names) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String name : names) {
            if (key.schema().field(name) == null || key.get(name) == null) {
                throw new RecordFormatException("primary key field '" + name + "' is missing or null in the record key");
            }
            values.put(name, key.get(name));
        }
        return values;
    }

    private static Field asKey(Field field) {
        return new Field(field.name(), field.type(), false, field.scale());
    }

    private boolean selected(String field) {
        return (settings.fieldsWhitelist().isEmpty() || settings.fieldsWhitelist().contains(field))
                && !settings.fieldsBlacklist().contains(field);
    }
}
