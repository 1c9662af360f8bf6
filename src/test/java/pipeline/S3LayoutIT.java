package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import s3.S3Uploads;
import s3.UploadedObjects;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;

/** What the S3 sink writes where: partitioners, formats, rotation by record time, multipart uploads. */
class S3LayoutIT extends OnTheTestStack {

    private static void sql(String statement) throws Exception {
        try (Connection postgres = Tables.postgres(stack); Statement sql = postgres.createStatement()) {
            sql.execute(statement);
        }
    }

    private static Map<String, String> lakeOnly(String table) {
        Map<String, String> settings = PipelineRunner.settingsFor(stack, table);
        settings.put("mysql.enabled", "false");
        return settings;
    }

    /** The folder between the topic's folder and the object name, e.g. country=FR. */
    private static String folderOf(String key, String topic) {
        String belowTopic = key.substring(key.indexOf("/" + topic + "/") + topic.length() + 2);
        return belowTopic.substring(0, belowTopic.lastIndexOf('/'));
    }

    @Test
    void fieldPartitionedAvroObjectsHoldEachRecordOnceInItsFolderAndRecordsWithoutSchemaGoToTheDeadLetterTopic() throws Exception {
        String table = "LAKE_AVRO";
        String topic = "P_" + table;
        sql("CREATE TABLE \"" + table + "\" (\"index\" BIGSERIAL PRIMARY KEY, \"name\" TEXT NOT NULL, \"country\" TEXT NOT NULL, "
                + "\"balance\" NUMERIC(12,2), \"timestamp\" TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'))");
        Map<String, String> settings = lakeOnly(table);
        settings.put("s3.format", "avro");
        settings.put("s3.partitioner", "field");
        settings.put("s3.partition.field.name", "country");
        settings.put("s3.flush.size", "40");
        try (PipelineRunner ignored = PipelineRunner.start(settings); Lake lake = new Lake(stack, TestStack.BUCKET);
             Records records = new Records(stack.kafka().bootstrapServers())) {
            sql("INSERT INTO \"" + table + "\" (\"name\", \"country\", \"balance\") SELECT 'user ' || g, "
                    + "(ARRAY['FR','DE','JP'])[g % 3 + 1], g * 1.25 FROM generate_series(1, 300) g");
            await().atMost(Duration.ofSeconds(60)).until(() -> lake.recordCount("topics/" + topic + "/") >= 300);
            // a producer that writes plain JSON: Avro needs the schema, so these cannot be stored
            records.send(topic, null, "{\"index\":100001,\"country\":\"FR\"}");
            records.send(topic, null, "not json at all");
            await().atMost(Duration.ofSeconds(60)).until(() -> records.readAll("dlq_" + table).size() >= 2);
            Thread.sleep(1_500);

            List<Lake.StoredObject> objects = lake.objects("topics/" + topic + "/");
            assertThat(objects).allSatisfy(o -> assertThat(o.key()).endsWith(".avro"));
            assertThat(objects.stream().map(o -> folderOf(o.key(), topic)).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder("country=FR", "country=DE", "country=JP");
            Set<Long> indexes = new HashSet<>();
            for (Lake.StoredObject object : objects) {
                assertThat(object.lines()).hasSizeLessThanOrEqualTo(40);
                for (JsonNode record : object.lines()) {
                    assertThat("country=" + record.get("country").asText()).isEqualTo(folderOf(object.key(), topic));
                    assertThat(indexes.add(record.get("index").asLong())).as("index %s once", record.get("index")).isTrue();
                }
            }
            assertThat(indexes).hasSize(300);
            assertThat(objects).hasSizeGreaterThanOrEqualTo(3 * 3); // 100 per country in objects of at most 40

            Schema schema = lake.avroSchema(objects.get(0).key());
            assertThat(schema.getFields()).extracting(Schema.Field::name).containsExactly("index", "name", "country", "balance", "timestamp");
            assertThat(schema.getField("balance").schema().getTypes().get(1).getLogicalType()).isEqualTo(LogicalTypes.decimal(64, 2));
            assertThat(schema.getField("timestamp").schema().getLogicalType()).isEqualTo(LogicalTypes.timestampMillis());

            List<Records.Read> dead = records.readAll("dlq_" + table);
            assertThat(dead).hasSize(2);
            assertThat(dead.get(0).headers().get("__connect.errors.exception.message")).contains("has no schema");
            assertThat(dead.get(1).headers().get("__connect.errors.exception.message")).contains("not JSON");
        }
    }

    @Test
    void parquetObjectsHoldTheRowsWithTheirTypes() throws Exception {
        String table = "LAKE_PARQUET";
        String topic = "P_" + table;
        sql("CREATE TABLE \"" + table + "\" (\"index\" BIGSERIAL PRIMARY KEY, \"name\" TEXT NOT NULL, \"balance\" NUMERIC(12,2), "
                + "\"timestamp\" TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'))");
        Map<String, String> settings = lakeOnly(table);
        settings.put("s3.format", "parquet");
        settings.put("s3.parquet.codec", "snappy");
        settings.put("s3.flush.size", "100");
        try (PipelineRunner ignored = PipelineRunner.start(settings); Lake lake = new Lake(stack, TestStack.BUCKET)) {
            sql("INSERT INTO \"" + table + "\" (\"name\", \"balance\") SELECT 'user ' || g, g * 1.25 FROM generate_series(1, 250) g");
            await().atMost(Duration.ofSeconds(60)).until(() -> lake.recordCount("topics/" + topic + "/") >= 250);
            Thread.sleep(1_000);
            List<Lake.StoredObject> objects = lake.objects("topics/" + topic + "/");
            assertThat(objects).extracting(Lake.StoredObject::key).allSatisfy(key -> assertThat(key).endsWith(".parquet"));
            assertThat(objects.stream().mapToInt(o -> o.lines().size()).max().orElse(0)).isEqualTo(100);
            Map<Long, JsonNode> byIndex = new java.util.HashMap<>();
            objects.forEach(o -> o.lines().forEach(line -> assertThat(byIndex.put(line.get("index").asLong(), line)).isNull()));
            assertThat(byIndex).hasSize(250);
            assertThat(byIndex.get(7L).get("name").asText()).isEqualTo("user 7");
            // timestamp-millis: the reader turns it back into an instant, the time of the insert
            JsonNode timestamp = byIndex.get(7L).get("timestamp");
            java.time.Instant written = timestamp.isNumber() ? java.time.Instant.ofEpochMilli(timestamp.asLong()) : java.time.Instant.parse(timestamp.asText());
            assertThat(written).isBetween(java.time.Instant.now().minusSeconds(600), java.time.Instant.now());
        }
    }

    @Test
    void timePartitionerFilesRecordsByTheirOwnTimeAndRotatesWhenRecordTimeMovesOn() throws Exception {
        String table = "LAKE_TIME";
        String topic = "P_" + table;
        sql("CREATE TABLE \"" + table + "\" (\"index\" BIGSERIAL PRIMARY KEY, \"event\" TEXT NOT NULL, \"happened\" TIMESTAMP NOT NULL, "
                + "\"timestamp\" TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'))");
        Map<String, String> settings = lakeOnly(table);
        settings.put("s3.partitioner", "time");
        settings.put("s3.path.format", "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH");
        settings.put("s3.partition.duration.ms", "3600000");
        settings.put("s3.timezone", "UTC");
        settings.put("s3.timestamp.extractor", "RecordField");
        settings.put("s3.timestamp.field", "happened");
        settings.put("s3.rotate.interval.ms", "1800000"); // 30 minutes of record time
        settings.put("s3.rotate.schedule.interval.ms", "3000");
        settings.put("s3.flush.size", "1000");
        try (PipelineRunner ignored = PipelineRunner.start(settings); Lake lake = new Lake(stack, TestStack.BUCKET)) {
            sql("INSERT INTO \"" + table + "\" (\"event\", \"happened\") VALUES ('a', '2026-11-25 10:00'), ('b', '2026-11-25 10:20'), "
                    + "('c', '2026-11-25 10:40'), ('d', '2026-11-25 11:10'), ('e', '2026-11-25 12:30')");
            await().atMost(Duration.ofSeconds(60)).until(() -> lake.recordCount("topics/" + topic + "/") >= 5);
            Thread.sleep(1_000);

            Map<String, List<String>> eventsByKey = new java.util.TreeMap<>();
            for (Lake.StoredObject object : lake.objects("topics/" + topic + "/")) {
                eventsByKey.put(object.key().substring(("topics/" + topic + "/").length()),
                        object.lines().stream().map(line -> line.get("event").asText()).toList());
            }
            // c is 40 minutes of record time after a, the first record of its object: it starts the next one
            assertThat(eventsByKey).containsExactly(
                    Map.entry("year=2026/month=11/day=25/hour=10/" + topic + "+0+0000000000.json", List.of("a", "b")),
                    Map.entry("year=2026/month=11/day=25/hour=10/" + topic + "+0+0000000002.json", List.of("c")),
                    Map.entry("year=2026/month=11/day=25/hour=11/" + topic + "+0+0000000003.json", List.of("d")),
                    Map.entry("year=2026/month=11/day=25/hour=12/" + topic + "+0+0000000004.json", List.of("e")));
            // no record came after them: the timer uploaded the last objects, and commits them too
            await().atMost(Duration.ofSeconds(20)).until(() -> TopicReader.committed(stack.kafka().bootstrapServers(), "s3_" + table, topic) == 5);
        }
    }

    @Test
    void anObjectLargerThanAPartUploadsInPartsWithItsLastOffset() throws Exception {
        String table = "LAKE_BIG";
        String topic = "P_" + table;
        int rows = 30_000;
        sql("CREATE TABLE \"" + table + "\" (\"index\" BIGSERIAL PRIMARY KEY, \"name\" TEXT NOT NULL, "
                + "\"timestamp\" TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'))");
        Map<String, String> settings = lakeOnly(table);
        settings.put("s3.flush.size", "1000000");
        settings.put("s3.part.size", "5242880");
        settings.put("s3.rotate.schedule.interval.ms", "6000");
        try (PipelineRunner ignored = PipelineRunner.start(settings); Lake lake = new Lake(stack, TestStack.BUCKET)) {
            // ~330 bytes per line: about 10 MB, two parts of 5 MiB
            sql("INSERT INTO \"" + table + "\" (\"name\") SELECT repeat('x', 280) || g FROM generate_series(1, " + rows + ") g");
            await().atMost(Duration.ofSeconds(90)).until(() -> lake.recordCount("topics/" + topic + "/") >= rows);
            List<Lake.StoredObject> objects = lake.objects("topics/" + topic + "/");
            Lake.StoredObject largest = objects.stream().max(java.util.Comparator.comparingInt(o -> o.lines().size())).orElseThrow();
            var head = lake.head(largest.key());
            assertThat(head.contentLength()).isGreaterThan(5_242_880L);
            Map<Long, Long> indexByOffset = TopicReader.indexByOffset(stack.kafka().bootstrapServers(), topic);
            long lastOffset = Long.parseLong(head.metadata().get(UploadedObjects.LAST_OFFSET));
            assertThat(indexByOffset.get(lastOffset)).isEqualTo(largest.lines().get(largest.lines().size() - 1).get("index").asLong());
            assertThat(objects.stream().flatMap(o -> o.lines().stream()).map(l -> l.get("index").asLong()).distinct().count()).isEqualTo(rows);
        }
    }

    @Test
    void uploadsSendAFileLargerThanAPartInPartsReadFromTheFileAndKeepItsMetadata() throws Exception {
        Map<String, Integer> requests = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutionInterceptor counter = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                requests.merge(context.request().getClass().getSimpleName(), 1, Integer::sum);
            }
        };
        java.nio.file.Path file = java.nio.file.Files.createTempFile("upload", ".json");
        byte[] content = new byte[12 * 1024 * 1024 + 17];
        new java.util.Random(5).nextBytes(content);
        java.nio.file.Files.write(file, content);
        try (S3Client client = Lake.client(stack, counter)) {
            new S3Uploads(client, TestStack.BUCKET, 5 * 1024 * 1024).upload("parts/big.bin", file, Map.of(UploadedObjects.LAST_OFFSET, "41"));
            assertThat(requests).containsEntry("CreateMultipartUploadRequest", 1).containsEntry("UploadPartRequest", 3)
                    .containsEntry("CompleteMultipartUploadRequest", 1).doesNotContainKey("PutObjectRequest");
            assertThat(client.getObjectAsBytes(r -> r.bucket(TestStack.BUCKET).key("parts/big.bin")).asByteArray()).isEqualTo(content);
            assertThat(client.headObject(r -> r.bucket(TestStack.BUCKET).key("parts/big.bin")).metadata())
                    .containsEntry(UploadedObjects.LAST_OFFSET, "41");

            requests.clear();
            java.nio.file.Files.write(file, "{\"small\":true}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            new S3Uploads(client, TestStack.BUCKET, 5 * 1024 * 1024).upload("parts/small.json", file, Map.of(UploadedObjects.LAST_OFFSET, "7"));
            assertThat(requests).containsOnlyKeys("PutObjectRequest");
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }
}
