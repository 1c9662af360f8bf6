package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import s3.UploadedObjects;
import sink.DeadLetters;

/**
 * Ten kinds of bad record, and two more, produced between good ones into the topic both sinks read (as a
 * broken producer would): each goes to the dead-letter topic with its original key and value bytes, from
 * each sink that cannot take it, and nothing derived from it (a column, a row, a line) appears anywhere.
 * A record one sink can take and the other cannot (too long for MySQL's TEXT, no key to upsert on, a field
 * name MySQL refuses) is written by the one and dead-lettered by the other, as two Connect sinks would.
 */
class BadRecordsIT extends OnTheTestStack {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOPIC = "P_BAD";
    private static final String SCHEMA = "{\"type\":\"struct\",\"fields\":["
            + "{\"type\":\"int64\",\"optional\":false,\"field\":\"index\"},"
            + "{\"type\":\"string\",\"optional\":true,\"field\":\"name\"},"
            + "{\"type\":\"int32\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Date\",\"version\":1,\"field\":\"birthdate\"},"
            + "{\"type\":\"int64\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1,\"field\":\"timestamp\"}"
            + "],\"optional\":false,\"name\":\"USERS\"}";

    /** Which sinks must refuse a record. */
    private enum Verdict { GOOD, BAD_FOR_BOTH, BAD_FOR_MYSQL }

    private record Sent(String kind, byte[] key, byte[] value, Verdict verdict, String reason, long index) {
    }

    private static String payload(long index, String name, String birthdate, String timestamp) {
        return "{\"index\":" + index + ",\"name\":" + name + ",\"birthdate\":" + birthdate + ",\"timestamp\":" + timestamp + "}";
    }

    private static String envelope(String payload) {
        return "{\"schema\":" + SCHEMA + ",\"payload\":" + payload + "}";
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicAsTheyWereAndNothingDerivedFromThemIsWrittenAnywhere() throws Exception {
        List<Sent> sent = new ArrayList<>();
        long index = 0;
        String goodEnvelope = envelope(payload(1, "\"x\"", "7000", "1795599015123"));
        Map<String, Object[]> bad = new java.util.LinkedHashMap<>();
        bad.put("not JSON", new Object[] {utf8("this is not JSON"), Verdict.BAD_FOR_BOTH, "not JSON"});
        bad.put("truncated JSON", new Object[] {utf8(goodEnvelope.substring(0, goodEnvelope.length() / 2)), Verdict.BAD_FOR_BOTH, "not JSON"});
        bad.put("invalid UTF-8", new Object[] {new byte[] {'{', '"', 's', (byte) 0xFF, (byte) 0xFE, '"', ':', '1', '}'},
                Verdict.BAD_FOR_BOTH, "not valid UTF-8"});
        bad.put("a string for a Date", new Object[] {utf8(envelope(payload(0, "\"d\"", "\"1990-01-01\"", "1795599015123"))),
                Verdict.BAD_FOR_BOTH, "field 'birthdate' should be date"});
        bad.put("a string for a Timestamp", new Object[] {utf8(envelope(payload(0, "\"t\"", "7000", "\"2026-11-27T10:00:00Z\""))),
                Verdict.BAD_FOR_BOTH, "field 'timestamp' should be timestamp"});
        bad.put("a missing required field", new Object[] {utf8(envelope("{\"name\":\"no index\",\"birthdate\":7000,\"timestamp\":1795599015123}")),
                Verdict.BAD_FOR_BOTH, "field 'index' is required"});
        bad.put("100,000 characters that are not JSON", new Object[] {utf8("{" + "not json ".repeat(11_111)), Verdict.BAD_FOR_BOTH, "not JSON"});
        bad.put("a 99 KB string as a Date", new Object[] {utf8(envelope(payload(0, "\"big\"", "\"" + "9".repeat(99_000) + "\"", "1795599015123"))),
                Verdict.BAD_FOR_BOTH, "field 'birthdate' should be date"});
        bad.put("a number too large for its int32 (Connect would cut it to fit)", new Object[] {utf8(envelope(payload(0, "\"n\"", "9999999999", "1795599015123"))),
                Verdict.BAD_FOR_BOTH, "out of its range"});
        bad.put("a float for the int64 key field (Connect would cut 1.5 to 1)", new Object[] {utf8(envelope(payload(0, "\"f\"", "7000", "1795599015123")
                .replace("\"index\":0", "\"index\":1.5"))), Verdict.BAD_FOR_BOTH, "field 'index' should be int64"});
        // good for S3 (Connect's JsonConverter takes them), not for MySQL
        bad.put("a 100,000-character envelope with a huge string", new Object[] {null, Verdict.BAD_FOR_MYSQL, "Data too long"});
        bad.put("a null key", new Object[] {null, Verdict.BAD_FOR_MYSQL, "has no key"});
        bad.put("a field name MySQL cannot take", new Object[] {null, Verdict.BAD_FOR_MYSQL, "cannot be a MySQL column"});
        bad.put("a key that is not UTF-8", new Object[] {null, Verdict.BAD_FOR_BOTH, "key is not valid UTF-8"});

        for (Map.Entry<String, Object[]> kind : bad.entrySet()) {
            for (int i = 0; i < 2; i++) {
                index++;
                sent.add(new Sent("good", utf8(Records.longKey("index", index)),
                        utf8(envelope(payload(index, "\"good " + index + " ' \\\" 😀\"", Long.toString(7000 + index), Long.toString(1795599015123L + index)))),
                        Verdict.GOOD, null, index));
            }
            index++;
            byte[] key = utf8(Records.longKey("index", index));
            byte[] value = (byte[]) kind.getValue()[0];
            switch (kind.getKey()) {
                case "a 100,000-character envelope with a huge string" ->
                        value = utf8(envelope(payload(index, "\"" + "h".repeat(100_000) + "\"", "7000", "1795599015123")));
                case "a null key" -> {
                    key = null;
                    value = utf8(envelope(payload(index, "\"keyless\"", "7000", "1795599015123")));
                }
                case "a field name MySQL cannot take" -> value = utf8("{\"schema\":" + SCHEMA.replace("],\"optional\":false",
                        ",{\"type\":\"string\",\"optional\":true,\"field\":\"mood 😀\"}],\"optional\":false")
                        + ",\"payload\":" + payload(index, "\"moody\"", "7000", "1795599015123").replace("}", ",\"mood 😀\":\"happy\"}") + "}");
                case "a key that is not UTF-8" -> {
                    key = new byte[] {'{', (byte) 0xC3, '}'};
                    value = utf8(envelope(payload(index, "\"bad key\"", "7000", "1795599015123")));
                }
                default -> {
                }
            }
            sent.add(new Sent(kind.getKey(), key, value, (Verdict) kind.getValue()[1], (String) kind.getValue()[2], index));
        }
        sent.add(new Sent("good", utf8(Records.longKey("index", ++index)),
                utf8(envelope(payload(index, "\"last\"", "7000", "1795599015123"))), Verdict.GOOD, null, index));

        Map<String, String> settings = PipelineRunner.settingsFor(stack, "BAD");
        settings.put("source.enabled", "false");
        settings.put("mysql.topics", TOPIC);
        settings.put("s3.topics", TOPIC);
        settings.put("s3.flush.size", "4");

        Properties producerProps = new Properties();
        producerProps.put("bootstrap.servers", stack.kafka().bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Sent record : sent) {
                producer.send(new ProducerRecord<>(TOPIC, 0, record.key(), record.value())).get();
            }
        }
        // offsets are positions in the list: one partition, nothing else written to the topic
        List<Sent> forMySql = sent.stream().filter(s -> s.verdict() == Verdict.GOOD).toList();
        List<Integer> forS3 = new ArrayList<>();
        int expectedDeadLetters = 0;
        for (int offset = 0; offset < sent.size(); offset++) {
            if (sent.get(offset).verdict() != Verdict.BAD_FOR_BOTH) {
                forS3.add(offset);
            }
            expectedDeadLetters += switch (sent.get(offset).verdict()) {
                case GOOD -> 0;
                case BAD_FOR_MYSQL -> 1;
                case BAD_FOR_BOTH -> 2;
            };
        }
        int deadLetters = expectedDeadLetters;

        try (PipelineRunner ignored = PipelineRunner.start(settings); Lake lake = new Lake(stack, TestStack.BUCKET);
             Connection mysql = Tables.mysql(stack)) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                    Tables.count(mysql, "`" + TOPIC + "`") >= forMySql.size()
                            && lake.objects("topics/" + TOPIC + "/").stream().mapToInt(o -> o.lines().size()).sum() >= forS3.size()
                            && Records.readAllBytes(stack.kafka().bootstrapServers(), "dlq_BAD").size() >= deadLetters);
            Thread.sleep(1_500); // anything written twice or late would show now

            // MySQL: the good rows, each as sent, and no column that a bad record brought
            Map<Long, Map<String, Object>> rows = Tables.rows(mysql, "`" + TOPIC + "`");
            assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(forMySql.stream().map(Sent::index).toList());
            for (Sent good : forMySql) {
                JsonNode payload = MAPPER.readTree(good.value()).get("payload");
                assertThat(rows.get(good.index()).get("name")).isEqualTo(payload.get("name").asText());
            }
            assertThat(columns(mysql)).containsExactlyInAnyOrder("index", "name", "birthdate", "timestamp");

            // S3: objects aligned with Kafka offsets; their lines are exactly the records S3 can take, in order
            List<Lake.StoredObject> objects = new ArrayList<>(lake.objects("topics/" + TOPIC + "/"));
            objects.sort(Comparator.comparing(Lake.StoredObject::key));
            List<Integer> coveredOffsets = new ArrayList<>();
            long nextStart = 0;
            for (Lake.StoredObject object : objects) {
                long start = Long.parseLong(object.key().replaceAll(".*\\+(\\d+)\\.json$", "$1"));
                long last = Long.parseLong(lake.head(object.key()).metadata().get(UploadedObjects.LAST_OFFSET));
                assertThat(start).as("object %s starts where the previous ended", object.key()).isGreaterThanOrEqualTo(nextStart);
                List<Integer> inside = forS3.stream().filter(o -> o >= start && o <= last).toList();
                assertThat(inside).as("object %s", object.key()).isNotEmpty();
                assertThat(inside.get(0)).as("object %s is named after its first record", object.key()).isEqualTo((int) start);
                assertThat(object.lines()).as("lines of %s", object.key()).hasSize(inside.size());
                for (int i = 0; i < inside.size(); i++) {
                    JsonNode expected = MAPPER.readTree(sent.get(inside.get(i)).value()).get("payload");
                    assertThat(object.lines().get(i)).as("line %d of %s (offset %d)", i, object.key(), inside.get(i)).isEqualTo(expected);
                }
                coveredOffsets.addAll(inside);
                nextStart = last + 1;
            }
            assertThat(coveredOffsets).as("offsets in S3").isEqualTo(forS3);

            // the dead-letter topic: each bad record once per sink that refused it, byte for byte, with Connect's headers
            List<ConsumerRecord<byte[], byte[]>> dead = Records.readAllBytes(stack.kafka().bootstrapServers(), "dlq_BAD");
            assertThat(dead).hasSize(deadLetters);
            Map<String, Set<String>> sinksByOffset = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> letter : dead) {
                Map<String, String> headers = headers(letter);
                int offset = Integer.parseInt(headers.get(DeadLetters.ERROR_OFFSET));
                Sent original = sent.get(offset);
                assertThat(original.verdict()).as("offset %d (%s) was dead-lettered", offset, original.kind()).isNotEqualTo(Verdict.GOOD);
                assertThat(letter.value()).as("value of %s", original.kind()).isEqualTo(original.value());
                assertThat(letter.key()).as("key of %s", original.kind()).isEqualTo(original.key());
                assertThat(headers).containsEntry(DeadLetters.ERROR_TOPIC, TOPIC).containsEntry(DeadLetters.ERROR_PARTITION, "0");
                String sink = headers.get(DeadLetters.ERROR_SINK);
                assertThat(headers.get(DeadLetters.ERROR_REASON)).as("reason for %s from %s", original.kind(), sink).contains(original.reason());
                assertThat(sinksByOffset.computeIfAbsent(original.kind(), k -> new TreeSet<>()).add(sink))
                        .as("%s dead-lettered twice by %s", original.kind(), sink).isTrue();
            }
            for (Sent original : sent) {
                Set<String> expected = switch (original.verdict()) {
                    case GOOD -> null;
                    case BAD_FOR_MYSQL -> Set.of("mysql-sink");
                    case BAD_FOR_BOTH -> Set.of("mysql-sink", "s3-sink");
                };
                if (expected != null) {
                    assertThat(sinksByOffset.get(original.kind())).as("sinks that dead-lettered %s", original.kind())
                            .containsExactlyInAnyOrderElementsOf(expected);
                }
            }
        }
    }

    private static List<String> columns(Connection mysql) throws Exception {
        List<String> columns = new ArrayList<>();
        try (Statement statement = mysql.createStatement();
             ResultSet rs = statement.executeQuery("SELECT COLUMN_NAME FROM information_schema.COLUMNS "
                     + "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '" + TOPIC + "'")) {
            while (rs.next()) {
                columns.add(rs.getString(1));
            }
        }
        return columns;
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }
}
