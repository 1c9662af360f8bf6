package record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ConnectJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final RecordSchema SCHEMA = new RecordSchema("USERS", List.of(
            Field.of("index", FieldType.INT64, false),
            Field.of("name", FieldType.STRING, true),
            Field.of("birthdate", FieldType.DATE, true),
            Field.of("timestamp", FieldType.TIMESTAMP, false),
            Field.of("active", FieldType.BOOLEAN, true),
            Field.of("score", FieldType.FLOAT64, true),
            new Field("balance", FieldType.DECIMAL, true, 2),
            Field.of("photo", FieldType.BYTES, true),
            Field.of("wakeup", FieldType.TIME, true)));

    private static Row sampleRow() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("index", 42L);
        values.put("name", "O'Brien \"quoted\"\nnew line 😀");
        values.put("birthdate", LocalDate.of(1990, 2, 3));
        values.put("timestamp", LocalDateTime.of(2026, 11, 25, 9, 30, 15, 123_000_000));
        values.put("active", true);
        values.put("score", 1.5);
        values.put("balance", new BigDecimal("-1234.56"));
        values.put("photo", new byte[] {0, 1, (byte) 0xff});
        values.put("wakeup", LocalTime.of(6, 30, 0, 250_000_000));
        return new Row(SCHEMA, values);
    }

    @Test
    void writesTheJsonConverterEnvelopeWithConnectTypes() throws Exception {
        JsonNode json = MAPPER.readTree(new ConnectJson(true).write(sampleRow()));

        assertThat(json.get("schema").get("type").asText()).isEqualTo("struct");
        assertThat(json.get("schema").get("name").asText()).isEqualTo("USERS");
        JsonNode fields = json.get("schema").get("fields");
        assertThat(fields.get(0).get("type").asText()).isEqualTo("int64");
        assertThat(fields.get(0).get("optional").asBoolean()).isFalse();
        assertThat(fields.get(2).get("name").asText()).isEqualTo("org.apache.kafka.connect.data.Date");
        assertThat(fields.get(3).get("name").asText()).isEqualTo("org.apache.kafka.connect.data.Timestamp");
        assertThat(fields.get(6).get("parameters").get("scale").asText()).isEqualTo("2");

        JsonNode payload = json.get("payload");
        assertThat(payload.get("birthdate").asLong()).isEqualTo(LocalDate.of(1990, 2, 3).toEpochDay());
        assertThat(payload.get("timestamp").asLong()).isEqualTo(1795599015123L);
        // Connect's Decimal: the unscaled value's big-endian two's complement, base64
        assertThat(payload.get("balance").asText()).isEqualTo("/h3A"); // -123456 = 0xFE1DC0
    }

    @Test
    void readsBackEveryTypeItWrites() {
        Row row = sampleRow();
        Row read = ConnectJson.read(new ConnectJson(true).write(row));

        assertThat(read.schema()).isEqualTo(SCHEMA);
        for (Field field : SCHEMA.fields()) {
            if (field.type() == FieldType.BYTES) {
                assertThat((byte[]) read.get(field.name())).isEqualTo((byte[]) row.get(field.name()));
            } else {
                assertThat(read.get(field.name())).as(field.name()).isEqualTo(row.get(field.name()));
            }
        }
    }

    @Test
    void withoutSchemasWritesThePayloadAloneAndReadsItByInference() throws Exception {
        String text = new ConnectJson(false).write(sampleRow());
        assertThat(MAPPER.readTree(text).has("schema")).isFalse();

        Row read = ConnectJson.read("{\"index\": 7, \"name\": \"x\", \"score\": 2.5, \"ok\": false, \"gone\": null, \"tags\": [1]}");
        assertThat(read.schema().field("index").type()).isEqualTo(FieldType.INT64);
        assertThat(read.schema().field("score").type()).isEqualTo(FieldType.FLOAT64);
        assertThat(read.schema().field("ok").type()).isEqualTo(FieldType.BOOLEAN);
        assertThat(read.get("gone")).isNull();
        assertThat(read.get("tags")).isEqualTo("[1]");
    }

    @Test
    void rejectsWhatIsNotARecordWithTheReason() {
        assertThatThrownBy(() -> ConnectJson.read("not json")).isInstanceOf(RecordFormatException.class)
                .hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> ConnectJson.read("[1, 2]")).isInstanceOf(RecordFormatException.class)
                .hasMessage("not a JSON object");
        String wrongType = "{\"schema\": {\"type\": \"struct\", \"fields\": [{\"type\": \"int64\", \"optional\": false, "
                + "\"field\": \"index\"}]}, \"payload\": {\"index\": \"seven\"}}";
        assertThatThrownBy(() -> ConnectJson.read(wrongType)).isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("field 'index' should be int64");
        String missingRequired = "{\"schema\": {\"type\": \"struct\", \"fields\": [{\"type\": \"int64\", \"optional\": false, "
                + "\"field\": \"index\"}]}, \"payload\": {}}";
        assertThatThrownBy(() -> ConnectJson.read(missingRequired)).hasMessageContaining("required but null");
    }

    @Test
    void payloadOfAnEnvelopeIsTheDataLakeLine() {
        String envelope = new ConnectJson(true).write(sampleRow());
        JsonNode payload = ConnectJson.payloadOf(envelope);
        assertThat(payload.has("schema")).isFalse();
        assertThat(payload.get("index").asLong()).isEqualTo(42L);
        assertThat(ConnectJson.payloadOf("{\"a\": 1}").get("a").asInt()).isEqualTo(1);
    }

    @Test
    void theDataLakeLineIsThePayloadAsWrittenOnOneLine() {
        String envelope = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"index\"}]},"
                + "\"payload\":{\"index\":7}}";
        assertThat(ConnectJson.payloadLine(envelope)).isEqualTo("{\"index\":7}");
        String pretty = "{\n  \"schema\": {\"type\": \"struct\", \"fields\": [{\"type\": \"string\", \"optional\": true, \"field\": \"a\"}]},"
                + "\n  \"payload\": {\n    \"a\": \"x\\ny\"\n  }\n}";
        assertThat(ConnectJson.payloadLine(pretty)).isEqualTo("{\"a\":\"x\\ny\"}");
        assertThat(ConnectJson.payloadLine("{\"plain\": true}")).isEqualTo("{\"plain\": true}");
        assertThatThrownBy(() -> ConnectJson.payloadLine("{\"a\": 1} trailing")).isInstanceOf(RecordFormatException.class);
    }

    @Test
    void recordsSharingASchemaAreReadWithTheirOwnValues() {
        ConnectJson json = new ConnectJson(true);
        Row first = sampleRow();
        Map<String, Object> values = new LinkedHashMap<>(first.values());
        values.put("index", 43L);
        values.put("name", null);
        Row second = ConnectJson.read(json.write(new Row(SCHEMA, values)));
        assertThat(ConnectJson.read(json.write(first)).get("index")).isEqualTo(42L);
        assertThat(second.get("index")).isEqualTo(43L);
        assertThat(second.get("name")).isNull();
    }

    @Test
    void findsThePayloadPastBracesQuotesAndEscapesInsideStrings() {
        String tricky = "{\"schema\":{\"type\":\"struct\",\"name\":\"a}\\\"b{[\",\"fields\":[{\"type\":\"string\",\"field\":\"s\"}]},"
                + "\"payload\":{\"s\":\"} \\\" {\\\\\",\"list\":[1,[2,{\"x\":\"]\"}]]}}";
        // "list" is not in the schema: the line holds the declared fields only, as JsonConverter hands them on
        assertThat(ConnectJson.payloadLine(tricky)).isEqualTo("{\"s\":\"} \\\" {\\\\\"}");
        assertThat(ConnectJson.read(tricky).get("s")).isEqualTo("} \" {\\");
    }

    @Test
    void whatTheDataLakeWouldStoreMustBeJson() {
        String schema = "{\"type\":\"struct\",\"fields\":[]}";
        for (String bad : List.of("{\"schema\":" + schema + ",\"payload\":{bad}}", "{\"schema\":" + schema + ",\"payload\":{\"a\":tru}}",
                "{\"a\": 1", "{\"a\": \"open}", "{\"a\" 1}", "{\"a\": 1,}", "{\"a\": 1} {}", "", "   ")) {
            assertThatThrownBy(() -> ConnectJson.payloadLine(bad)).as(bad).isInstanceOf(RecordFormatException.class)
                    .hasMessageStartingWith("not");
        }
        assertThat(ConnectJson.payloadLine("{\"schema\":" + schema + ",\"payload\":null}")).isEqualTo("null");
        assertThat(ConnectJson.read("{\"schema\":" + schema + ",\"payload\":null}")).isNull();
    }

    @Test
    void aKnownSchemaTextIsMatchedWholeAndNothingPastItIsTrusted() {
        String known = "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"a\"}],\"name\":\"T\"}";
        assertThat(ConnectJson.read("{\"schema\":" + known + ",\"payload\":{\"a\":1}}").get("a")).isEqualTo(1L); // now known

        // a schema that starts like the known one but goes on is its own schema, not the known one
        String longer = known.substring(0, known.length() - 1) + ",\"version\":2}";
        Row other = ConnectJson.read("{\"schema\":" + longer + ",\"payload\":{\"a\":2}}");
        assertThat(other.get("a")).isEqualTo(2L);
        String stringField = "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"a\"}],\"name\":\"T\"}";
        assertThat(ConnectJson.read("{\"schema\":" + stringField + ",\"payload\":{\"a\":\"x\"}}").get("a")).isEqualTo("x");

        // what follows the known text is still checked
        for (String bad : List.of("{\"schema\":" + known + "\"x\":1,\"payload\":{\"a\":1}}",
                "{\"schema\":" + known + ",\"payload\":{\"a\":1}",
                "{\"schema\":" + known + ",\"payload\":{\"a\":1}} trailing",
                "{\"schema\":" + known + ",\"payload\":{\"a\":\"one\"}}")) {
            assertThatThrownBy(() -> ConnectJson.read(bad)).as(bad).isInstanceOf(RecordFormatException.class);
            assertThatThrownBy(() -> ConnectJson.payloadLine(bad.replace("\"one\"", "one"))).as(bad).isInstanceOf(RecordFormatException.class);
        }
        // a third field makes it a plain object, even with the known schema in it
        assertThat(ConnectJson.read("{\"schema\":" + known + ",\"payload\":{\"a\":1},\"b\":true}").get("b")).isEqualTo(true);
    }

    @Test
    void aPayloadIsReadFieldByFieldWhateverItsOrderAndExtras() {
        String schema = "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"},"
                + "{\"type\":\"string\",\"optional\":true,\"field\":\"name\"},{\"type\":\"double\",\"optional\":true,\"field\":\"score\"}]}";
        Row row = ConnectJson.read("{\"schema\":" + schema + ",\"payload\":{\"extra\":{\"deep\":[1,{\"id\":9}]},"
                + "\"score\":3,\"name\":\"first\",\"id\":7,\"name\":\"last\"}}");
        assertThat(row.values()).containsExactly(Map.entry("id", 7L), Map.entry("name", "last"), Map.entry("score", 3.0));

        assertThat(ConnectJson.read("{\"schema\":" + schema + ",\"payload\":{\"id\":1}}").values())
                .containsEntry("name", null).containsEntry("score", null);
        assertThatThrownBy(() -> ConnectJson.read("{\"schema\":" + schema + ",\"payload\":{\"id\":1,\"name\":{\"a\":1}}}"))
                .isInstanceOf(RecordFormatException.class).hasMessage("field 'name' should be string but is object {\"a\":1}");
        assertThatThrownBy(() -> ConnectJson.read("{\"schema\":" + schema + ",\"payload\":{\"id\":1.5}}"))
                .isInstanceOf(RecordFormatException.class).hasMessage("field 'id' should be int64 but is number 1.5");
        assertThatThrownBy(() -> ConnectJson.read("{\"schema\":" + schema + ",\"payload\":{\"id\":null}}"))
                .isInstanceOf(RecordFormatException.class).hasMessage("field 'id' is required but null or missing");
        assertThatThrownBy(() -> ConnectJson.read("{\"schema\":" + schema + ",\"payload\":[1]}"))
                .isInstanceOf(RecordFormatException.class).hasMessage("payload is not a JSON object");
    }
}
