package mysql;

import java.util.List;

/**
 * Everything the MySQL sink can be told, read once from the mysql.* properties.
 *
 * @param tableNameFormat  table per topic, {@code ${topic}} replaced by the topic name
 * @param pkFields         key columns: a subset of the key's fields (record_key), the value fields
 *                         (record_value, required) or the three coordinate columns' names (kafka)
 * @param fieldsWhitelist  value fields to write (empty: all)
 * @param fieldsBlacklist  value fields never written
 */
public record MySqlSinkSettings(String tableNameFormat, InsertMode insertMode, PrimaryKeyMode pkMode, List<String> pkFields,
                                boolean autoCreate, boolean autoEvolve, boolean deleteEnabled, List<String> fieldsWhitelist,
                                List<String> fieldsBlacklist, int batchSize, boolean tolerateBadRecords) {

    public static final List<String> KAFKA_COORDINATE_COLUMNS = List.of("__connect_topic", "__connect_partition", "__connect_offset");

    public MySqlSinkSettings {
        pkFields = List.copyOf(pkFields);
        fieldsWhitelist = List.copyOf(fieldsWhitelist);
        fieldsBlacklist = List.copyOf(fieldsBlacklist);
    }

    /** The combination problems the JDBC sink also refuses; null when the settings are consistent. */
    public String inconsistency() {
        if (insertMode != InsertMode.INSERT && pkMode == PrimaryKeyMode.NONE) {
            return "mysql.insert.mode=" + insertMode.name().toLowerCase() + " needs a key: set mysql.pk.mode";
        }
        if (pkMode == PrimaryKeyMode.RECORD_VALUE && pkFields.isEmpty()) {
            return "mysql.pk.mode=record_value needs mysql.pk.fields";
        }
        if (pkMode == PrimaryKeyMode.KAFKA && !pkFields.isEmpty() && pkFields.size() != 3) {
            return "mysql.pk.mode=kafka takes three mysql.pk.fields (topic, partition, offset column names) or none";
        }
        if (deleteEnabled && pkMode != PrimaryKeyMode.RECORD_KEY) {
            return "mysql.delete.enabled=true needs mysql.pk.mode=record_key";
        }
        return null;
    }

    public List<String> kafkaColumns() {
        return pkMode == PrimaryKeyMode.KAFKA && pkFields.size() == 3 ? pkFields : KAFKA_COORDINATE_COLUMNS;
    }
}
