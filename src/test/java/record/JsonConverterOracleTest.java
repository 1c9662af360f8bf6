package record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;
import sink.SinkRecord;

/**
 * Kafka Connect's own JsonConverter as the oracle of what a good record is, on generated records of every
 * field type with valid and invalid values. The sinks' reader (MySQL) and the data lake line (S3) must
 * agree with each other and with Connect, except where Connect accepts a value only by changing it (a
 * string read as 0, 1.5 cut to 1, a number too large cut to fit, a number in a string field read as
 * null): those the sinks refuse, because what Connect would store is not what the record says.
 */
class JsonConverterOracleTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] TYPES = {"int8", "int16", "int32", "int64", "float", "double", "boolean", "string", "bytes",
            "Date", "Time", "Timestamp", "Decimal"};

    private final JsonConverter connect = connect();
    private final Random random = new Random(20261127);

    private static JsonConverter connect() {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "true"), false);
        return converter;
    }

    @Test
    void acceptsExactlyWhatJsonConverterAcceptsWithoutChangingIt() throws Exception {
        int accepted = 0;
        int refusedByBoth = 0;
        int coercedByConnect = 0;
        for (int i = 0; i < 4_000; i++) {
            ObjectNode schema = schema();
            ObjectNode payload = payload(schema);
            String record = MAPPER.writeValueAsString(MAPPER.createObjectNode().<ObjectNode>set("schema", schema).set("payload", payload));

            Struct byConnect = null;
            String connectProblem = null;
            try {
                SchemaAndValue converted = connect.toConnectData("t", record.getBytes(StandardCharsets.UTF_8));
                byConnect = (Struct) converted.value();
            } catch (RuntimeException e) {
                connectProblem = e.getMessage();
            }
            Row row = null;
            String line = null;
            String ourProblem = null;
            try {
                row = ConnectJson.read(record);
                line = ConnectJson.payloadLine(record);
            } catch (RecordFormatException e) {
                ourProblem = e.getMessage();
            }
            if (ourProblem == null) {
                // what the sinks take, Connect takes, with the same values, and the lake line says the same
                assertThat(connectProblem).as("Connect refused what the sinks took: %s", record).isNull();
                assertSameValues(record, row, byConnect);
                assertSameValues(record, ConnectJson.read(envelope(schema, line)), byConnect);
                accepted++;
            } else {
                int finalI = i;
                // both sinks refuse it alike
                assertThatThrownBy(() -> ConnectJson.payloadLine(record)).as("record %d: the lake line of %s", finalI, record)
                        .isInstanceOf(RecordFormatException.class);
                if (connectProblem != null) {
                    refusedByBoth++;
                } else {
                    // Connect took it: only allowed where Connect changed a value on the way
                    assertThat(changedByConnect(schema, payload, byConnect))
                            .as("the sinks refused (%s) what Connect took unchanged: %s", ourProblem, record).isTrue();
                    coercedByConnect++;
                }
            }
        }
        System.out.printf("JsonConverterOracleTest: %d accepted by both, %d refused by both, %d refused because Connect changes a value%n",
                accepted, refusedByBoth, coercedByConnect);
        assertThat(accepted).as("valid records generated").isGreaterThan(300);
        assertThat(refusedByBoth).as("invalid records generated").isGreaterThan(300);
        assertThat(coercedByConnect).as("records Connect would change").isGreaterThan(100);
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedLikeConnectDoesAndKeptAsTheyWere() throws Exception {
        for (int i = 0; i < 500; i++) {
            ObjectNode schema = schema();
            ObjectNode payload = validPayload(schema);
            byte[] good = MAPPER.writeValueAsBytes(MAPPER.createObjectNode().<ObjectNode>set("schema", schema).set("payload", payload));
            byte[] bad = good.clone();
            // a byte that never occurs in UTF-8, inside the payload
            bad[good.length - 2 - random.nextInt(Math.max(1, payload.toString().length() - 2))] = (byte) (0xF8 + random.nextInt(8));
            assertThatThrownBy(() -> connect.toConnectData("t", bad)).as("Connect takes %s", new String(bad, StandardCharsets.ISO_8859_1));
            SinkRecord record = new SinkRecord("t", 0, i, 0, bad, bad);
            assertThatThrownBy(record::value).isInstanceOf(RecordFormatException.class).hasMessageContaining("not valid UTF-8");
            assertThatThrownBy(record::key).isInstanceOf(RecordFormatException.class).hasMessageContaining("key is not valid UTF-8");
            assertThat(record.valueBytes()).isEqualTo(bad);
            assertThat(record.keyBytes()).isEqualTo(bad);
            assertThat(new SinkRecord("t", 0, i, 0, null, good).value()).isEqualTo(new String(good, StandardCharsets.UTF_8));
        }
        // a real U+FFFD is text like any other
        assertThat(SinkRecord.of("t", 0, 0, 0, null, "{\"s\":\"\uFFFD\"}").value()).isEqualTo("{\"s\":\"\uFFFD\"}");
    }

    private ObjectNode schema() {
        ObjectNode schema = MAPPER.createObjectNode().put("type", "struct").put("optional", false);
        var fields = schema.putArray("fields");
        int count = 1 + random.nextInt(5);
        for (int i = 0; i < count; i++) {
            String type = TYPES[random.nextInt(TYPES.length)];
            ObjectNode field = fields.addObject().put("field", "f" + i);
            switch (type) {
                case "Date", "Time" -> field.put("type", "int32").put("name", "org.apache.kafka.connect.data." + type).put("version", 1);
                case "Timestamp" -> field.put("type", "int64").put("name", "org.apache.kafka.connect.data.Timestamp").put("version", 1);
                case "Decimal" -> {
                    field.put("type", "bytes").put("name", "org.apache.kafka.connect.data.Decimal").put("version", 1);
                    field.putObject("parameters").put("scale", "2");
                }
                default -> field.put("type", type);
            }
            if (random.nextInt(3) > 0) {
                field.put("optional", random.nextBoolean());
            } // else no "optional": Connect reads the field as required
        }
        return schema;
    }

    private ObjectNode validPayload(ObjectNode schema) {
        ObjectNode payload = MAPPER.createObjectNode();
        for (JsonNode field : schema.get("fields")) {
            payload.set(field.get("field").asText(), validValue(kind(field)));
        }
        return payload;
    }

    /** Mostly valid values; now and then a value of another kind, out of range, null, missing, or an extra field. */
    private ObjectNode payload(ObjectNode schema) {
        ObjectNode payload = MAPPER.createObjectNode();
        for (JsonNode field : schema.get("fields")) {
            String name = field.get("field").asText();
            int dice = random.nextInt(10);
            if (dice < 6) {
                payload.set(name, validValue(kind(field)));
            } else if (dice < 8) {
                payload.set(name, anyValue());
            } else if (dice < 9) {
                payload.putNull(name);
            } // else missing
        }
        if (random.nextInt(8) == 0) {
            payload.set("undeclared", anyValue());
        }
        return payload;
    }

    private static String kind(JsonNode field) {
        return field.has("name") ? field.get("name").asText().substring("org.apache.kafka.connect.data.".length()) : field.get("type").asText();
    }

    private JsonNode validValue(String kind) {
        return switch (kind) {
            case "int8" -> MAPPER.getNodeFactory().numberNode(random.nextInt(256) - 128);
            case "int16" -> MAPPER.getNodeFactory().numberNode(random.nextInt(65_536) - 32_768);
            case "int32" -> MAPPER.getNodeFactory().numberNode(random.nextInt());
            case "int64" -> MAPPER.getNodeFactory().numberNode(random.nextLong());
            case "float", "double" -> MAPPER.getNodeFactory().numberNode((random.nextInt(2_000) - 1_000) / 4.0);
            case "boolean" -> MAPPER.getNodeFactory().booleanNode(random.nextBoolean());
            case "string" -> MAPPER.getNodeFactory().textNode("text " + random.nextInt() + " ' \" \n 😀");
            case "bytes" -> MAPPER.getNodeFactory().textNode(Base64.getEncoder().encodeToString(randomBytes()));
            case "Date" -> MAPPER.getNodeFactory().numberNode(random.nextInt(40_000) - 10_000);
            case "Time" -> MAPPER.getNodeFactory().numberNode(random.nextInt(86_400_000));
            case "Timestamp" -> MAPPER.getNodeFactory().numberNode(random.nextLong() % 4_000_000_000_000L);
            case "Decimal" -> MAPPER.getNodeFactory().textNode(Base64.getEncoder().encodeToString(
                    BigDecimal.valueOf(random.nextInt(), 2).unscaledValue().toByteArray()));
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private JsonNode anyValue() {
        return switch (random.nextInt(9)) {
            case 0 -> MAPPER.getNodeFactory().textNode("1990-01-01");
            case 1 -> MAPPER.getNodeFactory().numberNode(1.5);
            case 2 -> MAPPER.getNodeFactory().numberNode(9_999_999_999L);
            case 3 -> MAPPER.getNodeFactory().numberNode(-5);
            case 4 -> MAPPER.getNodeFactory().booleanNode(true);
            case 5 -> MAPPER.createObjectNode().put("nested", 1);
            case 6 -> MAPPER.createArrayNode().add(1);
            case 7 -> MAPPER.getNodeFactory().textNode("not base64 %%");
            default -> MAPPER.getNodeFactory().numberNode(new java.math.BigInteger("123456789012345678901234567890"));
        };
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[random.nextInt(12)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String envelope(ObjectNode schema, String payloadLine) {
        return "{\"schema\":" + schema + ",\"payload\":" + payloadLine + "}";
    }

    /** Whether a value Connect produced, written back by Connect, differs from the record's own JSON value. */
    private boolean changedByConnect(ObjectNode schema, ObjectNode payload, Struct byConnect) {
        JsonNode written;
        try {
            written = readTree(connect.fromConnectData("t", byConnect.schema(), byConnect)).get("payload");
        } catch (org.apache.kafka.connect.errors.DataException e) {
            return true; // Connect took a value that breaks its own schema (a decimal of another scale): it cannot write it back
        }
        for (JsonNode field : schema.get("fields")) {
            String name = field.get("field").asText();
            JsonNode original = payload.get(name);
            JsonNode back = written.get(name);
            boolean originalNull = original == null || original.isNull();
            boolean backNull = back == null || back.isNull();
            if (originalNull != backNull) {
                return true;
            }
            if (!originalNull && !sameJson(original, back)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameJson(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static JsonNode readTree(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertSameValues(String record, Row ours, Struct connects) {
        for (org.apache.kafka.connect.data.Field field : connects.schema().fields()) {
            Object theirs = connects.get(field);
            Object mine = ours.get(field.name());
            if (theirs == null || mine == null) {
                assertThat(mine).as("%s in %s", field.name(), record).isNull();
                assertThat(theirs).as("%s in %s", field.name(), record).isNull();
                continue;
            }
            Object mineAsConnect = mine;
            if (mine instanceof java.time.LocalDate date) {
                mineAsConnect = Date.from(date.atStartOfDay().toInstant(ZoneOffset.UTC));
            } else if (mine instanceof java.time.LocalTime time) {
                mineAsConnect = new Date(time.toNanoOfDay() / 1_000_000);
            } else if (mine instanceof java.time.LocalDateTime timestamp) {
                mineAsConnect = Date.from(timestamp.toInstant(ZoneOffset.UTC));
            }
            if (theirs instanceof ByteBuffer buffer) {
                theirs = java.util.Arrays.copyOfRange(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.arrayOffset() + buffer.limit());
            }
            if (theirs instanceof Float number) {
                // a float32 field: Connect keeps a float, the sinks a double of the same value; compare at float precision
                assertThat(((Number) mine).floatValue()).as("%s in %s", field.name(), record).isEqualTo(number);
            } else if (theirs instanceof Number number && mineAsConnect instanceof Number myNumber) {
                assertThat(new BigDecimal(myNumber.toString()).compareTo(new BigDecimal(number.toString())))
                        .as("%s in %s: %s vs Connect's %s", field.name(), record, mine, theirs).isZero();
            } else if (theirs instanceof byte[] bytes) {
                assertThat((byte[]) mineAsConnect).as("%s in %s", field.name(), record).isEqualTo(bytes);
            } else {
                assertThat(mineAsConnect).as("%s in %s", field.name(), record).isEqualTo(theirs);
            }
        }
        List<String> names = new ArrayList<>();
        connects.schema().fields().forEach(f -> names.add(f.name()));
        assertThat(ours.schema().fields().stream().map(Field::name).toList()).as("fields of %s", record).isEqualTo(names);
    }
}
