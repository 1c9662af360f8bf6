package mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import record.Field;
import record.FieldType;
import record.RecordFormatException;
import record.RecordSchema;
import record.Row;
import sink.SinkRecord;

class RecordMapperTest {

    private static final SinkRecord RECORD = SinkRecord.of("P_USERS", 2, 41, 0, "k", "v");
    private static final RecordSchema KEY_SCHEMA = new RecordSchema("USERS.Key", List.of(Field.of("index", FieldType.INT64, false)));
    private static final RecordSchema VALUE_SCHEMA = new RecordSchema("USERS", List.of(
            Field.of("index", FieldType.INT64, false), Field.of("name", FieldType.STRING, true), Field.of("ssn", FieldType.STRING, true)));

    private static Row key(long index) {
        return new Row(KEY_SCHEMA, Map.of("index", index));
    }

    private static Row value(long index, String name, String ssn) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("index", index);
        values.put("name", name);
        values.put("ssn", ssn);
        return new Row(VALUE_SCHEMA, values);
    }

    private static MySqlSinkSettings settings(InsertMode mode, PrimaryKeyMode pkMode, List<String> pkFields, boolean delete,
                                              List<String> whitelist, List<String> blacklist) {
        return new MySqlSinkSettings("${topic}", mode, pkMode, pkFields, true, true, delete, whitelist, blacklist, 100, true);
    }

    @Test
    void recordKeyModeKeysOnTheKeyFieldsAndWritesTheValue() {
        RecordMapper.MappedRow row = new RecordMapper(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_KEY, List.of(), false,
                List.of(), List.of())).map(RECORD, key(7), value(7, "Ann", "123"));

        assertThat(row.table()).isEqualTo("P_USERS");
        assertThat(row.operation()).isEqualTo(RecordMapper.Operation.WRITE);
        assertThat(row.keyColumns()).containsExactly("index");
        assertThat(row.schema().fields()).extracting(Field::name).containsExactly("index", "name", "ssn");
        assertThat(row.values()).containsEntry("index", 7L).containsEntry("name", "Ann");
    }

    @Test
    void aFieldMySqlCannotNameMakesTheRecordBadAndIsNeverMapped() {
        RecordSchema withEmoji = new RecordSchema("USERS", List.of(Field.of("index", FieldType.INT64, false),
                Field.of("mood 😀", FieldType.STRING, true)));
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("index", 7L);
        values.put("mood 😀", "happy");
        RecordMapper mapper = new RecordMapper(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_KEY, List.of(), false, List.of(), List.of()));
        assertThatThrownBy(() -> mapper.map(RECORD, key(7), new Row(withEmoji, values)))
                .isInstanceOf(RecordFormatException.class).hasMessageContaining("'mood 😀' cannot be a MySQL column");
        // the same field kept out by the blacklist is no problem: only columns that would be written count
        RecordMapper blacklisting = new RecordMapper(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_KEY, List.of(), false,
                List.of(), List.of("mood 😀")));
        assertThat(blacklisting.map(RECORD, key(7), new Row(withEmoji, values)).schema().fields()).extracting(Field::name)
                .containsExactly("index");
    }

    @Test
    void kafkaModeAddsTheRecordCoordinatesAsTheKey() {
        RecordMapper.MappedRow row = new RecordMapper(settings(InsertMode.INSERT, PrimaryKeyMode.KAFKA, List.of(), false,
                List.of(), List.of())).map(RECORD, null, value(7, "Ann", "123"));

        assertThat(row.keyColumns()).containsExactly("__connect_topic", "__connect_partition", "__connect_offset");
        assertThat(row.values()).containsEntry("__connect_topic", "P_USERS").containsEntry("__connect_partition", 2)
                .containsEntry("__connect_offset", 41L).containsEntry("index", 7L);
    }

    @Test
    void recordValueModeKeysOnNamedValueFields() {
        RecordMapper.MappedRow row = new RecordMapper(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_VALUE, List.of("ssn"), false,
                List.of(), List.of())).map(RECORD, null, value(7, "Ann", "123"));

        assertThat(row.keyColumns()).containsExactly("ssn");
        assertThat(row.schema().fields().get(0).name()).isEqualTo("ssn");
        assertThat(row.schema().fields().get(0).optional()).isFalse();
        assertThatThrownBy(() -> new RecordMapper(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_VALUE, List.of("ssn"), false,
                List.of(), List.of())).map(RECORD, null, value(7, "Ann", null)))
                .isInstanceOf(RecordFormatException.class).hasMessageContaining("'ssn' is missing or null");
    }

    @Test
    void whitelistAndBlacklistChooseTheValueColumnsButNeverDropTheKey() {
        RecordMapper.MappedRow row = new RecordMapper(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_KEY, List.of(), false,
                List.of("name", "ssn"), List.of("ssn"))).map(RECORD, key(7), value(7, "Ann", "123"));

        assertThat(row.schema().fields()).extracting(Field::name).containsExactly("index", "name");
    }

    @Test
    void aTombstoneDeletesByKeyWhenDeletesAreEnabledAndIsIgnoredOtherwise() {
        RecordMapper.MappedRow delete = new RecordMapper(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_KEY, List.of(), true,
                List.of(), List.of())).map(RECORD, key(7), null);
        assertThat(delete.operation()).isEqualTo(RecordMapper.Operation.DELETE);
        assertThat(delete.values()).containsExactly(Map.entry("index", 7L));

        assertThat(new RecordMapper(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_KEY, List.of(), false,
                List.of(), List.of())).map(RECORD, key(7), null)).isNull();
    }

    @Test
    void recordKeyModeNeedsAKey() {
        assertThatThrownBy(() -> new RecordMapper(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_KEY, List.of(), false,
                List.of(), List.of())).map(RECORD, null, value(7, "Ann", "1")))
                .isInstanceOf(RecordFormatException.class).hasMessageContaining("has no key");
    }

    @Test
    void inconsistentSettingsAreNamed() {
        assertThat(settings(InsertMode.UPSERT, PrimaryKeyMode.NONE, List.of(), false, List.of(), List.of()).inconsistency())
                .contains("needs a key");
        assertThat(settings(InsertMode.INSERT, PrimaryKeyMode.RECORD_VALUE, List.of(), false, List.of(), List.of()).inconsistency())
                .contains("needs mysql.pk.fields");
        assertThat(settings(InsertMode.INSERT, PrimaryKeyMode.KAFKA, List.of(), true, List.of(), List.of()).inconsistency())
                .contains("delete.enabled");
        assertThat(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_KEY, List.of(), true, List.of(), List.of()).inconsistency())
                .isNull();
    }

    @Test
    void valuesComeInTheOrderOfTheRowsColumnsWhateverTheKeyMode() {
        // the writer binds a row's values in iteration order against the statement's column list
        Row twoFieldKey = new Row(new RecordSchema("K", List.of(Field.of("a", FieldType.INT64, false), Field.of("b", FieldType.INT64, false))),
                Map.of("a", 1L, "b", 2L));
        List<RecordMapper.MappedRow> rows = List.of(
                new RecordMapper(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_KEY, List.of(), false, List.of(), List.of()))
                        .map(RECORD, key(7), value(7, "Ann", "123")),
                new RecordMapper(settings(InsertMode.INSERT, PrimaryKeyMode.KAFKA, List.of(), false, List.of(), List.of("name")))
                        .map(RECORD, null, value(7, "Ann", "123")),
                new RecordMapper(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_VALUE, List.of("ssn", "index"), false, List.of(), List.of()))
                        .map(RECORD, null, value(7, "Ann", "123")),
                new RecordMapper(settings(InsertMode.UPSERT, PrimaryKeyMode.RECORD_KEY, List.of("b", "a"), true, List.of(), List.of()))
                        .map(RECORD, twoFieldKey, null));
        for (RecordMapper.MappedRow row : rows) {
            assertThat(List.copyOf(row.values().keySet())).as(row.toString())
                    .isEqualTo(row.schema().fields().stream().map(Field::name).toList());
        }
        assertThat(rows.get(2).values().keySet()).containsExactly("ssn", "index", "name");
        assertThat(rows.get(3).values().keySet()).containsExactly("b", "a");
    }
}
