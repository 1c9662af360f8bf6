package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The source alone (sinks off) against real PostgreSQL and Kafka: every mode, several tables, the hard cases. */
class SourceModesIT extends OnTheTestStack {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static Map<String, String> sourceOnly(String table) {
        Map<String, String> settings = PipelineRunner.settingsFor(stack, table);
        settings.put("mysql.enabled", "false");
        settings.put("s3.enabled", "false");
        settings.put("source.poll.interval.ms", "100");
        return settings;
    }

    private static void sql(String... statements) throws Exception {
        try (Connection postgres = Tables.postgres(stack); Statement statement = postgres.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** The payloads on a topic, in order. */
    private static List<JsonNode> payloads(String topic) throws Exception {
        List<JsonNode> payloads = new ArrayList<>();
        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            for (Records.Read read : records.readAll(topic)) {
                payloads.add(MAPPER.readTree(read.value()).get("payload"));
            }
        }
        return payloads;
    }

    private static List<Long> ids(String topic, String field) throws Exception {
        return payloads(topic).stream().map(p -> p.get(field).asLong()).toList();
    }

    @Test
    void aRowCommittedAfterAYoungerOneIsStillSentExactlyOnce() throws Exception {
        String table = "ORDERS_LATE";
        sql("CREATE TABLE \"" + table + "\" (\"index\" BIGSERIAL PRIMARY KEY, \"note\" TEXT)");
        try (PipelineRunner ignored = PipelineRunner.start(sourceOnly(table));
             Connection transactionA = Tables.postgres(stack); Connection transactionB = Tables.postgres(stack)) {
            transactionA.setAutoCommit(false);
            transactionB.setAutoCommit(false);
            try (Statement a = transactionA.createStatement(); Statement b = transactionB.createStatement()) {
                a.execute("INSERT INTO \"" + table + "\" (\"note\") VALUES ('A, index 1, commits last')");
                b.execute("INSERT INTO \"" + table + "\" (\"note\") VALUES ('B, index 2, commits first')");
                transactionB.commit();
                await().atMost(Duration.ofSeconds(30)).until(() -> ids("P_" + table, "index").equals(List.of(2L)));
                Thread.sleep(1_000); // several polls pass while A is still open
                assertThat(ids("P_" + table, "index")).containsExactly(2L);
                transactionA.commit();
            }
            sql("INSERT INTO \"" + table + "\" (\"note\") VALUES ('after both')");
            await().atMost(Duration.ofSeconds(30)).until(() -> ids("P_" + table, "index").size() == 3);
            Thread.sleep(1_000);
            assertThat(ids("P_" + table, "index")).containsExactly(2L, 1L, 3L);
        }
    }

    @Test
    void lostDatabaseConnectionsAreRetriedAndNoRowIsSkippedOrRepeated() throws Exception {
        String table = "ORDERS_CUT";
        sql("CREATE TABLE \"" + table + "\" (\"index\" BIGSERIAL PRIMARY KEY, \"note\" TEXT)");
        Map<String, String> settings = sourceOnly(table);
        settings.put("source.batch.max.rows", "100");
        try (PipelineRunner ignored = PipelineRunner.start(settings);
             Connection admin = Tables.postgres(stack); Statement statement = admin.createStatement()) {
            for (int round = 0; round < 10; round++) {
                statement.execute("INSERT INTO \"" + table + "\" (\"note\") SELECT 'r' || g FROM generate_series(1, 300) g");
                // cut every other session: the pipeline's pooled connections die mid-use, as in a failover
                statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        + "WHERE pid <> pg_backend_pid() AND datname = current_database() AND backend_type = 'client backend'");
                Thread.sleep(300);
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> ids("P_" + table, "index").size() >= 3_000);
            Thread.sleep(1_000);
            List<Long> ids = ids("P_" + table, "index");
            assertThat(ids).hasSize(3_000).doesNotHaveDuplicates();
            assertThat(ids).isSorted();
        }
    }

    @Test
    void aBacklogIsReadBatchAfterBatchAndAPauseTakesEffectWithinOneBatch() throws Exception {
        String table = "ORDERS_BACKLOG";
        int rows = 300_000;
        sql("CREATE TABLE \"" + table + "\" (\"index\" BIGSERIAL PRIMARY KEY, \"note\" TEXT)",
                "INSERT INTO \"" + table + "\" (\"note\") SELECT 'n' || g FROM generate_series(1, " + rows + ") g");
        Map<String, String> settings = sourceOnly(table);
        settings.put("source.batch.max.rows", "1000");
        String topic = "P_" + table;
        try (PipelineRunner pipeline = PipelineRunner.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> endOffset(topic) > 0);
            // the poller reads the backlog in one long exchange; pausing must not wait for the whole backlog
            pipeline.suspendRoute("source-" + table);
            long atPause = endOffset(topic);
            Thread.sleep(1_500);
            assertThat(endOffset(topic)).as("nothing is sent while paused").isEqualTo(atPause);
            assertThat(atPause).as("paused mid-backlog").isLessThan(rows);

            pipeline.resumeRoute("source-" + table);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> endOffset(topic) > rows);
            List<Long> ids = ids(topic, "index");
            assertThat(ids).hasSize(rows).doesNotHaveDuplicates().isSorted();
        }
    }

    /** The topic's end offset (records and transaction markers): it moves whenever the source commits. */
    private static long endOffset(String topic) {
        return Records.endOffset(stack.kafka().bootstrapServers(), topic);
    }

    @Test
    void timestampModeSeesUpdatesAndNeverSplitsRowsSharingATimestamp() throws Exception {
        String table = "ITEMS_TS";
        sql("CREATE TABLE \"" + table + "\" (\"id\" INT PRIMARY KEY, \"price\" INT NOT NULL, \"updated\" TIMESTAMP NOT NULL)",
                "INSERT INTO \"" + table + "\" SELECT g, g * 10, TIMESTAMP '2026-01-01 00:00:00' FROM generate_series(1, 7) g",
                "INSERT INTO \"" + table + "\" SELECT g, g * 10, TIMESTAMP '2026-01-01 00:00:01' FROM generate_series(8, 9) g");
        Map<String, String> settings = sourceOnly(table);
        settings.put("source.mode", "timestamp");
        settings.put("source.timestamp.column.name", "updated");
        settings.put("source.batch.max.rows", "3"); // seven rows share the first timestamp
        try (PipelineRunner ignored = PipelineRunner.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ids("P_" + table, "id").size() == 9);
            sql("UPDATE \"" + table + "\" SET \"price\" = 999, \"updated\" = TIMESTAMP '2026-01-02 00:00:00' WHERE \"id\" = 3");
            await().atMost(Duration.ofSeconds(30)).until(() -> ids("P_" + table, "id").size() == 10);
            List<JsonNode> payloads = payloads("P_" + table);
            assertThat(payloads.subList(0, 9)).extracting(p -> p.get("id").asLong())
                    .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(payloads.get(9).get("id").asLong()).isEqualTo(3L);
            assertThat(payloads.get(9).get("price").asLong()).isEqualTo(999L);
        }
    }

    @Test
    void timestampIncrementingSeesUpdatesAndRestartsWhereItStopped() throws Exception {
        String table = "ITEMS_TSI";
        sql("CREATE TABLE \"" + table + "\" (\"id\" BIGSERIAL PRIMARY KEY, \"name\" TEXT, \"updated\" TIMESTAMP NOT NULL)",
                "INSERT INTO \"" + table + "\" (\"name\", \"updated\") SELECT 'n' || g, TIMESTAMP '2026-01-01' FROM generate_series(1, 5) g");
        Map<String, String> settings = sourceOnly(table);
        settings.put("source.mode", "timestamp+incrementing");
        settings.put("source.incrementing.column.name", "id");
        settings.put("source.timestamp.column.name", "updated");
        settings.put("source.batch.max.rows", "2");
        try (PipelineRunner ignored = PipelineRunner.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ids("P_" + table, "id").size() == 5);
        }
        sql("UPDATE \"" + table + "\" SET \"name\" = 'changed', \"updated\" = TIMESTAMP '2026-01-03' WHERE \"id\" = 2",
                "INSERT INTO \"" + table + "\" (\"name\", \"updated\") VALUES ('new', TIMESTAMP '2026-01-02')");
        try (PipelineRunner ignored = PipelineRunner.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ids("P_" + table, "id").size() == 7);
            Thread.sleep(500);
            assertThat(ids("P_" + table, "id")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 2L);
            assertThat(payloads("P_" + table).get(6).get("name").asText()).isEqualTo("changed");
        }
    }

    @Test
    void severalTablesGoToTheirOwnTopicsAndACustomQueryToThePrefix() throws Exception {
        sql("CREATE TABLE \"MULTI_A\" (\"index\" BIGSERIAL PRIMARY KEY, \"v\" TEXT)",
                "CREATE TABLE \"MULTI_B\" (\"index\" BIGSERIAL PRIMARY KEY, \"v\" TEXT)",
                "INSERT INTO \"MULTI_A\" (\"v\") SELECT 'a' || g FROM generate_series(1, 4) g",
                "INSERT INTO \"MULTI_B\" (\"v\") SELECT 'b' || g FROM generate_series(1, 6) g");
        Map<String, String> settings = sourceOnly("MULTI_A");
        settings.put("source.table.whitelist", "MULTI_A, MULTI_B");
        try (PipelineRunner ignored = PipelineRunner.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ids("P_MULTI_A", "index").size() == 4 && ids("P_MULTI_B", "index").size() == 6);
        }

        Map<String, String> query = sourceOnly("MULTI_Q");
        query.put("source.query", "SELECT b.\"index\", b.\"v\" || '+' || a.\"v\" AS \"joined\" FROM \"MULTI_B\" b JOIN \"MULTI_A\" a USING (\"index\")");
        query.put("source.topic.prefix", "JOINED_AB");
        try (PipelineRunner ignored = PipelineRunner.start(query)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> payloads("JOINED_AB").size() == 4);
            assertThat(payloads("JOINED_AB").get(0).get("joined").asText()).isEqualTo("b1+a1");
        }
    }

    @Test
    void bulkSendsTheWholeTableAtEveryPollAndStartFromNowSkipsExistingRows() throws Exception {
        sql("CREATE TABLE \"BULK_T\" (\"id\" INT PRIMARY KEY)", "INSERT INTO \"BULK_T\" VALUES (1), (2)");
        Map<String, String> bulk = sourceOnly("BULK_T");
        bulk.put("source.mode", "bulk");
        bulk.put("source.poll.interval.ms", "300");
        try (PipelineRunner ignored = PipelineRunner.start(bulk)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ids("P_BULK_T", "id").size() >= 6);
            List<Long> ids = ids("P_BULK_T", "id");
            assertThat(ids.subList(0, 6)).containsExactly(1L, 2L, 1L, 2L, 1L, 2L);
        }

        sql("CREATE TABLE \"NOW_T\" (\"index\" BIGSERIAL PRIMARY KEY, \"v\" TEXT)",
                "INSERT INTO \"NOW_T\" (\"v\") VALUES ('old'), ('old')");
        Map<String, String> fromNow = sourceOnly("NOW_T");
        fromNow.put("source.start.from", "now");
        try (PipelineRunner ignored = PipelineRunner.start(fromNow);
             Records records = new Records(stack.kafka().bootstrapServers())) {
            // no row yet, but the first poll puts where "now" was into Kafka
            await().atMost(Duration.ofSeconds(30)).until(() -> !records.readAll("offsets_NOW_T").isEmpty());
        }
        // a row while no instance polls (as between a leader's death and the takeover): the next one must send it,
        // not start from its own later "now"
        sql("INSERT INTO \"NOW_T\" (\"v\") VALUES ('between')");
        try (PipelineRunner ignored = PipelineRunner.start(fromNow)) {
            sql("INSERT INTO \"NOW_T\" (\"v\") VALUES ('new')");
            await().atMost(Duration.ofSeconds(30)).until(() -> ids("P_NOW_T", "index").size() == 2);
            assertThat(payloads("P_NOW_T").stream().map(p -> p.get("v").asText())).containsExactly("between", "new");
        }
    }

    @Test
    void postgresTypesMapToConnectTypesAndANewColumnAppearsInTheNextRecords() throws Exception {
        String table = "TYPES_T";
        sql("CREATE TABLE \"" + table + "\" (\"index\" BIGSERIAL PRIMARY KEY, s SMALLINT, i INT, b BIGINT, r REAL, d DOUBLE PRECISION, "
                + "n NUMERIC(10,3), ok BOOLEAN, t TEXT, vc VARCHAR(20), c CHAR(3), dt DATE, tm TIME, ts TIMESTAMP, tz TIMESTAMPTZ, "
                + "u UUID, j JSON, jb JSONB, by BYTEA, nothing TEXT)",
                "INSERT INTO \"" + table + "\" (s, i, b, r, d, n, ok, t, vc, c, dt, tm, ts, tz, u, j, jb, by) VALUES "
                + "(1, 2, 3, 1.5, 2.25, 1234.567, true, 'text', 'varchar', 'abc', DATE '2000-02-29', TIME '13:14:15.678', "
                + "TIMESTAMP '2026-11-25 10:11:12.345', TIMESTAMPTZ '2026-11-25 10:11:12.345+02', "
                + "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": 1}', '{\"b\": 2}', '\\xdeadbeef')");
        try (PipelineRunner ignored = PipelineRunner.start(sourceOnly(table))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> payloads("P_" + table).size() == 1);
            sql("ALTER TABLE \"" + table + "\" ADD COLUMN added INT", "INSERT INTO \"" + table + "\" (added) VALUES (77)");
            await().atMost(Duration.ofSeconds(30)).until(() -> payloads("P_" + table).size() == 2);
        }
        List<Records.Read> reads;
        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            reads = records.readAll("P_" + table);
        }
        JsonNode first = MAPPER.readTree(reads.get(0).value());
        Map<String, String> types = new java.util.HashMap<>();
        for (JsonNode field : first.get("schema").get("fields")) {
            types.put(field.get("field").asText(), field.get("type").asText() + (field.has("name") ? "/" + field.get("name").asText() : ""));
        }
        assertThat(types).containsEntry("s", "int16").containsEntry("i", "int32").containsEntry("b", "int64")
                .containsEntry("r", "float").containsEntry("d", "double").containsEntry("ok", "boolean")
                .containsEntry("n", "bytes/org.apache.kafka.connect.data.Decimal").containsEntry("t", "string")
                .containsEntry("vc", "string").containsEntry("c", "string").containsEntry("u", "string").containsEntry("jb", "string")
                .containsEntry("dt", "int32/org.apache.kafka.connect.data.Date").containsEntry("tm", "int32/org.apache.kafka.connect.data.Time")
                .containsEntry("ts", "int64/org.apache.kafka.connect.data.Timestamp").containsEntry("tz", "int64/org.apache.kafka.connect.data.Timestamp")
                .containsEntry("by", "bytes");
        JsonNode payload = first.get("payload");
        assertThat(payload.get("dt").asLong()).isEqualTo(java.time.LocalDate.of(2000, 2, 29).toEpochDay());
        assertThat(payload.get("tz").asLong()).isEqualTo(java.time.OffsetDateTime.parse("2026-11-25T10:11:12.345+02:00").toInstant().toEpochMilli());
        assertThat(payload.get("ts").asLong()).isEqualTo(java.time.Instant.parse("2026-11-25T10:11:12.345Z").toEpochMilli());
        assertThat(payload.get("nothing").isNull()).isTrue();
        assertThat(payload.get("u").asText()).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(MAPPER.readTree(reads.get(1).value()).get("payload").get("added").asInt()).isEqualTo(77);
    }

    @Test
    void badSourceConfigurationStopsStartUpNamingTheProperty() throws Exception {
        sql("CREATE TABLE \"NULLABLE_T\" (\"index\" BIGINT, \"v\" TEXT)");
        Map<String, String> unknownTable = sourceOnly("NO_SUCH_TABLE");
        assertThat(PipelineRunner.startUpFailure(unknownTable)).contains("source.table.whitelist: table 'NO_SUCH_TABLE' does not exist");

        Map<String, String> missingColumn = sourceOnly("NULLABLE_T");
        missingColumn.put("source.incrementing.column.name", "id");
        assertThat(PipelineRunner.startUpFailure(missingColumn)).contains("source.incrementing.column.name = 'id': no such column");

        Map<String, String> nullable = sourceOnly("NULLABLE_T");
        assertThat(PipelineRunner.startUpFailure(nullable)).contains("source.incrementing.column.name = 'index'").contains("is nullable");

        nullable.put("source.validate.non.null", "false");
        PipelineRunner.start(nullable).close();

        Map<String, String> badMode = sourceOnly("NULLABLE_T");
        badMode.put("source.mode", "sometimes");
        assertThat(PipelineRunner.startUpFailure(badMode)).contains("source.mode = 'sometimes' must be one of");
    }
}
