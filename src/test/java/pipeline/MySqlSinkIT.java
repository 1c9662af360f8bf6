package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;
import sink.DeadLetters;

/** The MySQL sink alone (source and S3 sink off), fed with records written straight to Kafka. */
class MySqlSinkIT extends OnTheTestStack {

    /** The id of the route in routes/mysql-sink.yaml. */
    private static final String MYSQL_SINK_ROUTE = "mysql-sink";

    private static Map<String, String> mysqlOnly(String topic) {
        Map<String, String> settings = PipelineRunner.settingsFor(stack, topic);
        settings.put("source.enabled", "false");
        settings.put("s3.enabled", "false");
        settings.put("mysql.topics", topic);
        settings.put("sink.retry.initial.delay.ms", "200");
        settings.put("sink.retry.max.delay.ms", "2000");
        return settings;
    }

    private static String value(long id, String name, Object code, boolean codeOptional) {
        return "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"},"
                + "{\"type\":\"string\",\"optional\":true,\"field\":\"name\"},"
                + "{\"type\":\"int32\",\"optional\":" + codeOptional + ",\"field\":\"code\"}],\"optional\":false},"
                + "\"payload\":{\"id\":" + id + ",\"name\":" + (name == null ? "null" : "\"" + name + "\"") + ",\"code\":" + code + "}}";
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicWithTheReasonAndEveryGoodRecordIsWritten() throws Exception {
        String topic = "T_POISON";
        try (Connection mysql = Tables.mysql(stack); Statement ddl = mysql.createStatement()) {
            ddl.execute("CREATE TABLE `T_POISON` (`id` BIGINT PRIMARY KEY, `name` VARCHAR(10) NULL, `code` INT NOT NULL)");
        }
        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            for (long id = 1; id <= 5; id++) {
                records.send(topic, Records.longKey("id", id), value(id, "good" + id, id * 10, false));
            }
            records.send(topic, Records.longKey("id", 100), "garbage{ not json");                         // offset 5
            records.send(topic, Records.longKey("id", 101), value(101, "x", "\"not a number\"", false)); // offset 6
            records.send(topic, Records.longKey("id", 102), value(102, "far too long for ten", 1, false)); // offset 7
            records.send(topic, Records.longKey("id", 103), value(103, "nullcode", "null", true));         // offset 8
            for (long id = 6; id <= 10; id++) {
                records.send(topic, Records.longKey("id", id), value(id, "good" + id, id * 10, false));
            }

            try (PipelineRunner ignored = PipelineRunner.start(mysqlOnly(topic)); Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> records.readAll("dlq_" + topic).size() == 4
                        && Tables.count(mysql, "`T_POISON`") == 10);
                Map<Long, String> names = new TreeMap<>();
                try (Statement query = mysql.createStatement(); ResultSet rs = query.executeQuery("SELECT id, name, code FROM `T_POISON`")) {
                    while (rs.next()) {
                        assertThat(rs.getInt("code")).isEqualTo(rs.getLong("id") * 10);
                        names.put(rs.getLong("id"), rs.getString("name"));
                    }
                }
                assertThat(names.keySet()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);

                List<Records.Read> dead = records.readAll("dlq_" + topic);
                assertThat(dead).extracting(r -> r.headers().get(DeadLetters.ERROR_OFFSET)).containsExactly("5", "6", "7", "8");
                assertThat(dead).allSatisfy(r -> {
                    assertThat(r.headers()).containsEntry(DeadLetters.ERROR_TOPIC, topic).containsEntry(DeadLetters.ERROR_PARTITION, "0");
                    assertThat(r.headers().get(DeadLetters.ERROR_REASON)).isNotBlank();
                });
                assertThat(dead.get(0).value()).isEqualTo("garbage{ not json");
                assertThat(dead.get(0).headers().get(DeadLetters.ERROR_REASON)).startsWith("not JSON");
                assertThat(dead.get(1).headers().get(DeadLetters.ERROR_REASON)).contains("field 'code' should be int32");
                assertThat(dead.get(2).headers().get(DeadLetters.ERROR_REASON)).contains("Data too long");
                assertThat(dead.get(3).headers().get(DeadLetters.ERROR_REASON)).contains("cannot be null");
            }
        }
    }

    @Test
    void withErrorsToleranceNoneTheSinkStopsAtTheBadRecordAndCommitsNothingPastIt() throws Exception {
        String topic = "T_STRICT";
        Map<String, String> settings = mysqlOnly(topic);
        settings.put("errors.tolerance", "none");
        settings.put("mysql.batch.size", "1");
        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            records.send(topic, Records.longKey("id", 1), value(1, "good", 10, false));
            records.send(topic, Records.longKey("id", 2), "not json at all");
            records.send(topic, Records.longKey("id", 3), value(3, "after", 30, false));
            try (PipelineRunner runner = PipelineRunner.start(settings); Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> "Stopped".equals(runner.routeStatus(MYSQL_SINK_ROUTE)));
                assertThat(Tables.count(mysql, "`T_STRICT`")).isEqualTo(1);
                assertThat(records.readAll("dlq_" + topic)).isEmpty();
            }
            // started again, it stops at the same record: nothing was skipped
            try (PipelineRunner runner = PipelineRunner.start(settings); Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> "Stopped".equals(runner.routeStatus(MYSQL_SINK_ROUTE)));
                assertThat(Tables.count(mysql, "`T_STRICT`")).isEqualTo(1);
            }
        }
    }

    @Test
    void withErrorsToleranceNoneARowMySqlRefusesStopsTheSinkWithNoneOfItsGroupWrittenAndAgainAfterARestart() throws Exception {
        String topic = "T_STRICT_ROW";
        try (Connection mysql = Tables.mysql(stack); Statement ddl = mysql.createStatement()) {
            ddl.execute("CREATE TABLE `T_STRICT_ROW` (`id` BIGINT PRIMARY KEY, `name` VARCHAR(10) NULL, `code` INT NOT NULL)");
        }
        Map<String, String> settings = mysqlOnly(topic);
        settings.put("errors.tolerance", "none");
        settings.put("mysql.insert.mode", "insert"); // a replay of rows already written would be refused as duplicates
        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            records.send(topic, Records.longKey("id", 1), value(1, "good", 10, false));
            records.send(topic, Records.longKey("id", 2), value(2, "good too", 20, false));
            records.send(topic, Records.longKey("id", 3), value(3, "far too long for ten", 30, false)); // offset 2
            records.send(topic, Records.longKey("id", 4), value(4, "after", 40, false));
            for (int run = 0; run < 2; run++) {
                try (PipelineRunner runner = PipelineRunner.start(settings); Connection mysql = Tables.mysql(stack)) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> "Stopped".equals(runner.routeStatus(MYSQL_SINK_ROUTE)));
                    assertThat(Tables.count(mysql, "`T_STRICT_ROW`")).as("rows after run %d", run).isZero();
                    assertThat(records.readAll("dlq_" + topic)).isEmpty();
                }
            }
        }
    }

    @Test
    void aBatchIsOneTransactionSoAFailureInItsLastGroupReplaysNothingItWrote() throws Exception {
        String topic = "T_ONE_TX";
        try (Connection mysql = Tables.mysql(stack); Statement ddl = mysql.createStatement()) {
            ddl.execute("CREATE TABLE `T_ONE_TX` (`id` BIGINT PRIMARY KEY, `name` VARCHAR(10) NULL, `code` INT NULL)");
            // MySQL fails twice (as a deadlock would) on row 15; MyISAM keeps the spent budget when the insert is rolled back
            ddl.execute("CREATE TABLE `T_ONE_TX_FAILURES` (`left_to_fail` INT) ENGINE=MyISAM");
            ddl.execute("INSERT INTO `T_ONE_TX_FAILURES` VALUES (2)");
            ddl.execute("CREATE TRIGGER `T_ONE_TX_FAIL_ONCE` BEFORE INSERT ON `T_ONE_TX` FOR EACH ROW BEGIN "
                    + "IF NEW.id = 15 AND (SELECT `left_to_fail` FROM `T_ONE_TX_FAILURES`) > 0 THEN "
                    + "UPDATE `T_ONE_TX_FAILURES` SET `left_to_fail` = `left_to_fail` - 1; "
                    + "SIGNAL SQLSTATE '40001' SET MESSAGE_TEXT = 'injected failure'; END IF; END");
        }
        Map<String, String> settings = mysqlOnly(topic);
        settings.put("mysql.insert.mode", "insert"); // a replay of rows already written would be refused as duplicates
        settings.put("sink.retry.max", "1");         // the second failure goes back to the consumer, which reads the batch again
        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            // two schemas (code required, then optional) make two groups of one polled batch: ids 1-10, then 11-20
            for (long id = 1; id <= 20; id++) {
                records.send(topic, Records.longKey("id", id), value(id, "n" + id, id * 10, id > 10));
            }
            try (PipelineRunner ignored = PipelineRunner.start(settings); Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> Tables.count(mysql, "`T_ONE_TX`") == 20);
                assertThat(singleValue(mysql, "SELECT `left_to_fail` FROM `T_ONE_TX_FAILURES`")).as("the failure happened").isZero();
                assertThat(singleValue(mysql, "SELECT SUM(`code`) FROM `T_ONE_TX`")).isEqualTo(10L * 20 * 21 / 2);
                // a dead letter would be sent before the batch's offsets are committed
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> TopicReader.committed(stack.kafka().bootstrapServers(), settings.get("mysql.group.id"), topic) == 20);
                assertThat(records.readAll("dlq_" + topic)).as("rows 1-10 were not written twice").isEmpty();
            }
        }
    }

    @Test
    void columnNamesThatLookLikeParametersOrExpressionsAreJustColumns() throws Exception {
        String topic = "T_ODD_NAMES";
        // camel-sql reads :?name as a named parameter and evaluates :?${...}: a record must not steer either
        String schema = "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"},"
                + "{\"type\":\"string\",\"optional\":true,\"field\":\"a:?b\"},"
                + "{\"type\":\"string\",\"optional\":true,\"field\":\"x:?${camelContext.name}\"}],\"optional\":false}";
        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            for (long id = 1; id <= 3; id++) {
                records.send(topic, Records.longKey("id", id), "{\"schema\":" + schema + ",\"payload\":{\"id\":" + id
                        + ",\"a:?b\":\"first " + id + "\",\"x:?${camelContext.name}\":\"second " + id + "\"}}");
            }
            try (PipelineRunner ignored = PipelineRunner.start(mysqlOnly(topic)); Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> Tables.count(mysql, "`T_ODD_NAMES`") == 3);
                try (Statement query = mysql.createStatement();
                     ResultSet rs = query.executeQuery("SELECT `id`, `a:?b`, `x:?${camelContext.name}` FROM `T_ODD_NAMES` ORDER BY `id`")) {
                    for (long id = 1; id <= 3; id++) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getLong(1)).isEqualTo(id);
                        assertThat(rs.getString(2)).isEqualTo("first " + id);
                        assertThat(rs.getString(3)).isEqualTo("second " + id);
                    }
                }
                assertThat(records.readAll("dlq_" + topic)).isEmpty();
            }
        }
    }

    @Test
    void aMySqlOutageIsWaitedOutAndEveryRecordArrivesOnce() throws Exception {
        String topic = "T_OUTAGE";
        int total = 2_000;
        try (Records records = new Records(stack.kafka().bootstrapServers());
             PipelineRunner ignored = PipelineRunner.start(mysqlOnly(topic))) {
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
                try {
                    for (long id = 1; id <= total; id++) {
                        records.send(topic, Records.longKey("id", id), value(id, "n" + id, id * 10, false));
                        if (id % 100 == 0) {
                            Thread.sleep(200);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Tables.count(mysql, "`T_OUTAGE`") > 100);
            }
            stack.mariaDb().stop();
            Thread.sleep(5_000);
            stack.mariaDb().restart();
            producing.get();
            try (Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> Tables.count(mysql, "`T_OUTAGE`") == total);
                try (Statement query = mysql.createStatement();
                     ResultSet rs = query.executeQuery("SELECT COUNT(DISTINCT id), MIN(id), MAX(id), SUM(code) FROM `T_OUTAGE`")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(total);
                    assertThat(rs.getLong(2)).isEqualTo(1);
                    assertThat(rs.getLong(3)).isEqualTo(total);
                    assertThat(rs.getLong(4)).isEqualTo(10L * total * (total + 1) / 2);
                }
            }
        }
    }

    @Test
    void recordsWrittenByKafkaConnectsJsonConverterArriveWithTheirTypes() throws Exception {
        String topic = "T_CONNECT";
        Schema keySchema = SchemaBuilder.struct().name("key").field("id", Schema.INT64_SCHEMA).build();
        Schema valueSchema = SchemaBuilder.struct().name("row")
                .field("id", Schema.INT64_SCHEMA)
                .field("small", Schema.INT32_SCHEMA)
                .field("ratio", Schema.FLOAT64_SCHEMA)
                .field("active", Schema.BOOLEAN_SCHEMA)
                .field("label", Schema.OPTIONAL_STRING_SCHEMA)
                .field("amount", Decimal.builder(2).build())
                .field("born", org.apache.kafka.connect.data.Date.SCHEMA)
                .field("seen", Timestamp.SCHEMA)
                .field("blob", Schema.OPTIONAL_BYTES_SCHEMA)
                .build();
        LocalDateTime seen = LocalDateTime.of(2026, 11, 25, 8, 15, 30, 456_000_000);
        Struct value = new Struct(valueSchema)
                .put("id", 1L).put("small", 42).put("ratio", 0.25).put("active", true).put("label", null)
                .put("amount", new BigDecimal("-1234.56"))
                .put("born", Date.from(LocalDate.of(1999, 12, 31).atStartOfDay().toInstant(ZoneOffset.UTC)))
                .put("seen", Date.from(seen.toInstant(ZoneOffset.UTC)))
                .put("blob", new byte[] {1, 2, (byte) 0xfe});
        JsonConverter keys = new JsonConverter();
        keys.configure(Map.of("schemas.enable", "true"), true);
        JsonConverter values = new JsonConverter();
        values.configure(Map.of("schemas.enable", "true"), false);

        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            records.send(topic, new String(keys.fromConnectData(topic, keySchema, new Struct(keySchema).put("id", 1L)), StandardCharsets.UTF_8),
                    new String(values.fromConnectData(topic, valueSchema, value), StandardCharsets.UTF_8));
            try (PipelineRunner ignored = PipelineRunner.start(mysqlOnly(topic)); Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> Tables.count(mysql, "`T_CONNECT`") == 1);
                try (Statement query = mysql.createStatement(); ResultSet rs = query.executeQuery("SELECT * FROM `T_CONNECT`")) {
                    rs.next();
                    assertThat(rs.getLong("id")).isEqualTo(1);
                    assertThat(rs.getInt("small")).isEqualTo(42);
                    assertThat(rs.getDouble("ratio")).isEqualTo(0.25);
                    assertThat(rs.getBoolean("active")).isTrue();
                    assertThat(rs.getString("label")).isNull();
                    assertThat(rs.getBigDecimal("amount")).isEqualTo(new BigDecimal("-1234.56"));
                    assertThat(rs.getObject("born", LocalDate.class)).isEqualTo(LocalDate.of(1999, 12, 31));
                    assertThat(rs.getObject("seen", LocalDateTime.class)).isEqualTo(seen);
                    assertThat(rs.getBytes("blob")).containsExactly(1, 2, (byte) 0xfe);
                }
            }
        }
    }

    @Test
    void newFieldsAddColumnsAndTombstonesDeleteRows() throws Exception {
        String topic = "T_EVOLVE";
        Map<String, String> settings = mysqlOnly(topic);
        settings.put("mysql.delete.enabled", "true");
        String withAge = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"},"
                + "{\"type\":\"string\",\"optional\":true,\"field\":\"name\"},{\"type\":\"int32\",\"optional\":false,\"field\":\"code\"},"
                + "{\"type\":\"int32\",\"optional\":true,\"field\":\"age\"}],\"optional\":false},"
                + "\"payload\":{\"id\":3,\"name\":\"c\",\"code\":30,\"age\":41}}";
        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            records.send(topic, Records.longKey("id", 1), value(1, "a", 10, false));
            records.send(topic, Records.longKey("id", 2), value(2, "b", 20, false));
            records.send(topic, Records.longKey("id", 3), withAge);
            records.send(topic, Records.longKey("id", 2), null);
            records.send(topic, Records.longKey("id", 1), value(1, "a2", 11, false));
            records.send(topic, "{\"id\": 4}", "{\"id\": 4, \"name\": \"plain json\", \"code\": 40}");
            try (PipelineRunner ignored = PipelineRunner.start(settings); Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> rows(mysql, topic).size() == 3 && rows(mysql, topic).containsKey(4L));
                Map<Long, String> rows = rows(mysql, topic);
                assertThat(rows).containsExactly(Map.entry(1L, "a2/11/null"), Map.entry(3L, "c/30/41"), Map.entry(4L, "plain json/40/null"));
            }
        }
    }

    @Test
    void updateModeChangesExistingRowsOnlyAndKafkaKeyModeKeepsEveryRecord() throws Exception {
        String topic = "T_UPDATE";
        try (Connection mysql = Tables.mysql(stack); Statement ddl = mysql.createStatement()) {
            ddl.execute("CREATE TABLE `T_UPDATE` (`id` BIGINT PRIMARY KEY, `name` TEXT NULL, `code` INT NOT NULL)");
            ddl.execute("INSERT INTO `T_UPDATE` VALUES (1, 'old', 1)");
        }
        Map<String, String> settings = mysqlOnly(topic);
        settings.put("mysql.insert.mode", "update");
        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            records.send(topic, Records.longKey("id", 1), value(1, "new", 10, false));
            records.send(topic, Records.longKey("id", 99), value(99, "absent", 990, false));
            try (PipelineRunner ignored = PipelineRunner.start(settings); Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "new/10/null".equals(rows(mysql, topic).get(1L)));
                assertThat(rows(mysql, topic)).containsOnlyKeys(1L);
            }
        }

        String audit = "T_AUDIT";
        Map<String, String> kafkaKeyed = mysqlOnly(audit);
        kafkaKeyed.put("mysql.pk.mode", "kafka");
        kafkaKeyed.put("mysql.insert.mode", "insert");
        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            records.send(audit, null, value(1, "first", 10, false));
            records.send(audit, null, value(1, "second", 11, false));
            try (PipelineRunner ignored = PipelineRunner.start(kafkaKeyed); Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> Tables.count(mysql, "`T_AUDIT`") == 2);
                try (Statement query = mysql.createStatement(); ResultSet rs = query.executeQuery(
                        "SELECT `__connect_topic`, `__connect_partition`, `__connect_offset`, name FROM `T_AUDIT` ORDER BY `__connect_offset`")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo(audit);
                    assertThat(rs.getLong(3)).isEqualTo(0);
                    assertThat(rs.getString(4)).isEqualTo("first");
                    rs.next();
                    assertThat(rs.getLong(3)).isEqualTo(1);
                    assertThat(rs.getString(4)).isEqualTo("second");
                }
            }
        }
    }

    @Test
    void twoTopicsGoToTwoTablesKeyedOnValueFieldsWithOnlyTheChosenColumns() throws Exception {
        Map<String, String> settings = mysqlOnly("T_TWO_A");
        settings.put("mysql.topics", "T_TWO_A,T_TWO_B");
        settings.put("mysql.table.name.format", "copy_of_${topic}");
        settings.put("mysql.pk.mode", "record_value");
        settings.put("mysql.pk.fields", "id");
        settings.put("mysql.fields.blacklist", "name");
        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            records.send("T_TWO_A", null, value(1, "secret", 10, false));
            records.send("T_TWO_A", null, value(1, "secret", 11, false)); // same id: upserted
            records.send("T_TWO_B", null, value(2, "secret", 20, false));
            try (PipelineRunner ignored = PipelineRunner.start(settings); Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                        Tables.count(mysql, "`copy_of_T_TWO_A`") == 1 && Tables.count(mysql, "`copy_of_T_TWO_B`") == 1
                                && singleValue(mysql, "SELECT code FROM `copy_of_T_TWO_A`") == 11);
                try (Statement query = mysql.createStatement(); ResultSet rs = query.executeQuery("SELECT * FROM `copy_of_T_TWO_B`")) {
                    assertThat(rs.getMetaData().getColumnCount()).as("no name column").isEqualTo(2);
                    rs.next();
                    assertThat(rs.getLong("id")).isEqualTo(2);
                    assertThat(rs.getInt("code")).isEqualTo(20);
                }
            }
        }
    }

    @Test
    void withoutAKeyInsertModeAppendsEveryRecordAsARow() throws Exception {
        String topic = "T_APPEND";
        Map<String, String> settings = mysqlOnly(topic);
        settings.put("mysql.pk.mode", "none");
        settings.put("mysql.insert.mode", "insert");
        settings.put("mysql.fields.whitelist", "id,code");
        try (Records records = new Records(stack.kafka().bootstrapServers())) {
            records.send(topic, null, value(1, "x", 10, false));
            records.send(topic, null, value(1, "x", 10, false)); // the same content twice: two rows, as documented
            try (PipelineRunner ignored = PipelineRunner.start(settings); Connection mysql = Tables.mysql(stack)) {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> Tables.count(mysql, "`T_APPEND`") == 2);
                try (Statement query = mysql.createStatement(); ResultSet rs = query.executeQuery("SELECT * FROM `T_APPEND`")) {
                    assertThat(rs.getMetaData().getColumnCount()).as("only the whitelisted columns").isEqualTo(2);
                }
            }
        }
    }

    private static long singleValue(Connection mysql, String sql) throws Exception {
        try (Statement query = mysql.createStatement(); ResultSet rs = query.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** id -> "name/code/age" (age null where the table has no such column). */
    private static Map<Long, String> rows(Connection mysql, String table) throws Exception {
        Map<Long, String> rows = new TreeMap<>();
        try (Statement query = mysql.createStatement(); ResultSet rs = query.executeQuery("SELECT * FROM `" + table + "`")) {
            boolean hasAge = rs.getMetaData().getColumnCount() > 3;
            while (rs.next()) {
                rows.put(rs.getLong("id"), rs.getString("name") + "/" + rs.getInt("code") + "/" + (hasAge ? rs.getString("age") : null));
            }
        }
        return rows;
    }
}
