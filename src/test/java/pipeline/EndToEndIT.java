package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import generator.FakeUsers;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline on real servers: rows inserted in PostgreSQL must reach Kafka, MySQL and S3 exactly
 * once and unchanged, byte for byte, whatever they contain.
 */
class EndToEndIT extends OnTheTestStack {

    private static final Pattern OBJECT_KEY = Pattern.compile("topics/(P_[A-Z0-9_]+)/partition=(\\d+)/\\1\\+\\2\\+(\\d{10})\\.json");
    private static final String LONG_TEXT = "long text ✓ ".repeat(2_000);
    private static final String[] HOSTILE = {
        "O'Brien said \"hi\" and `tick`",
        "back\\slash \\n not a newline \\\\ double",
        "line one\nline two\r\nline three\ttab",
        "emoji 😀🚀👩‍👩‍👧 and ünïcödé ß 中文",
        "'); DROP TABLE x; --",
        "Robert'); DROP TABLE \"USERS\";-- /* comment */ ${topic} {{placeholder}} %s %n",
        LONG_TEXT,
        "",
        " leading and trailing spaces ",
        "{\"looks\": \"like json\", \"n\": [1,2]}",
    };

    @Test
    void hostileValuesArriveExactlyOnceAndUnchangedInMySqlAndS3() throws Exception {
        String table = "USERS_E2E";
        int rows = 60;
        createUsersTable(table);
        try (Connection postgres = Tables.postgres(stack)) {
            for (int i = 0; i < rows; i++) {
                Tables.insertUser(postgres, table, hostileTexts(i), LocalDate.of(1950, 1, 1).plusDays(i * 397L),
                        LocalDateTime.of(2026, 11, 25, 10, 0, 0).plusSeconds(i).plusNanos((i * 7 % 1000) * 1_000_000L));
            }
        }

        try (PipelineRunner ignored = PipelineRunner.start(PipelineRunner.settingsFor(stack, table));
             Lake lake = new Lake(stack, TestStack.BUCKET);
             Connection mysql = Tables.mysql(stack)) {
            String prefix = "topics/P_" + table + "/";
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(Tables.count(mysql, "`P_" + table + "`")).isEqualTo(rows);
                assertThat(lake.recordCount(prefix)).isEqualTo(rows);
            });

            Map<Long, Map<String, Object>> expected;
            try (Connection postgres = Tables.postgres(stack)) {
                expected = Tables.rows(postgres, "\"" + table + "\"");
            }
            assertThat(expected).hasSize(rows);
            Tables.assertSameRows(Tables.rows(mysql, "`P_" + table + "`"), expected);

            assertLakeHoldsExactly(lake.objects(prefix), expected, table);
            assertTopicHoldsEachRowOnce(table, expected.size());
        }
    }

    /**
     * The jar as it ships (`mvn verify` packages it before these tests), not this JVM's class path: a Camel
     * component that only the tests bring along (camel-direct, once) stops it here as it would in production.
     */
    @Test
    void thePackagedJarMovesRowsThroughEveryFlow() throws Exception {
        String table = "USERS_JAR";
        int rows = 300;
        createUsersTable(table);
        Map<String, String> settings = PipelineRunner.settingsFor(stack, table);
        try (Lake lake = new Lake(stack, TestStack.BUCKET); Connection mysql = Tables.mysql(stack);
             Connection postgres = Tables.postgres(stack);
             ChildPipeline child = ChildPipeline.startPackagedJar(settings, ChildPipeline.logFile("packaged-jar").toPath())) {
            Tables.insertFakeUsers(postgres, table, rows);
            String mysqlTable = "`P_" + table + "`";
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .failFast("the jar stopped; see target/child-logs/packaged-jar.log", () -> !child.isAlive()).untilAsserted(() -> {
                assertThat(Tables.count(mysql, mysqlTable)).isEqualTo(rows);
                assertThat(lake.recordCount("topics/P_" + table + "/")).isEqualTo(rows);
            });
            Tables.assertSameRows(Tables.rows(mysql, mysqlTable), Tables.rows(postgres, "\"" + table + "\""));
            assertTopicHoldsEachRowOnce(table, rows);
        }
    }

    @Test
    void stoppingAndRestartingMidStreamNeitherLosesNorDuplicatesRows() throws Exception {
        String table = "USERS_RESTART";
        int rows = 3_000;
        createUsersTable(table);
        Map<String, String> settings = PipelineRunner.settingsFor(stack, table);
        // small batches so that the stop lands in the middle of the stream
        settings.put("source.batch.max.rows", "50");
        settings.put("mysql.batch.size", "50");
        settings.put("s3.flush.size", "40");
        try (Lake lake = new Lake(stack, TestStack.BUCKET); Connection mysql = Tables.mysql(stack);
             Connection postgres = Tables.postgres(stack)) {
            String mysqlTable = "`P_" + table + "`";
            PipelineRunner first = PipelineRunner.start(settings);
            int inserted = 0;
            while (inserted < rows / 2) {
                Tables.insertFakeUsers(postgres, table, 100);
                inserted += 100;
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> Tables.count(mysql, mysqlTable) > 200);
            first.close();
            long inMySqlAtStop = Tables.count(mysql, mysqlTable);
            while (inserted < rows) {
                Tables.insertFakeUsers(postgres, table, 100);
                inserted += 100;
            }
            assertThat(inMySqlAtStop).as("the stop must land mid-stream").isLessThan(rows);

            try (PipelineRunner ignored = PipelineRunner.start(settings)) {
                String prefix = "topics/P_" + table + "/";
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    assertThat(Tables.count(mysql, mysqlTable)).isEqualTo(rows);
                    assertThat(lake.recordCount(prefix)).isEqualTo(rows);
                });
                Map<Long, Map<String, Object>> expected = Tables.rows(postgres, "\"" + table + "\"");
                Tables.assertSameRows(Tables.rows(mysql, mysqlTable), expected);
                assertLakeHoldsExactly(lake.objects(prefix), expected, table);
                assertTopicHoldsEachRowOnce(table, rows);
            }
        }
    }

    @Test
    void anIdleTopicIsFlushedToS3AfterTheRotateIntervalAndInsertModeWritesRows() throws Exception {
        String table = "USERS_IDLE";
        createUsersTable(table);
        Map<String, String> settings = PipelineRunner.settingsFor(stack, table);
        settings.put("s3.flush.size", "1000");
        settings.put("s3.rotate.schedule.interval.ms", "2000");
        settings.put("mysql.insert.mode", "insert");
        try (Connection postgres = Tables.postgres(stack)) {
            Tables.insertFakeUsers(postgres, table, 3);
        }

        try (PipelineRunner ignored = PipelineRunner.start(settings);
             Lake lake = new Lake(stack, TestStack.BUCKET);
             Connection mysql = Tables.mysql(stack)) {
            String prefix = "topics/P_" + table + "/";
            // three records never fill an object of 1000: only the scheduled rotation can write them
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> lake.recordCount(prefix) == 3);
            List<Lake.StoredObject> objects = lake.objects(prefix);
            assertThat(objects).hasSize(1);
            assertThat(objects.get(0).key()).isEqualTo(prefix + "partition=0/P_" + table + "+0+0000000000.json");
            await().atMost(Duration.ofSeconds(30)).until(() -> Tables.count(mysql, "`P_" + table + "`") == 3);
        }
    }

    private static String[] hostileTexts(int row) {
        String[] texts = new String[Tables.TEXT_COLUMNS.length];
        for (int column = 0; column < texts.length; column++) {
            int pick = (row + column * 3) % (HOSTILE.length + 1);
            texts[column] = pick == HOSTILE.length ? null : HOSTILE[pick];
        }
        return texts;
    }

    private static void createUsersTable(String table) throws Exception {
        FakeUsers.createTableIfMissing(pgDataSource(), table);
    }

    private static javax.sql.DataSource pgDataSource() {
        org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setUrl(stack.postgres().jdbcUrl());
        dataSource.setUser(localstack.EmbeddedPostgreSql.USER);
        return dataSource;
    }

    /** Every row once across all objects, every value equal, each object named after its first record's offset. */
    private static void assertLakeHoldsExactly(List<Lake.StoredObject> objects, Map<Long, Map<String, Object>> expected,
                                               String table) throws Exception {
        Map<Long, Long> offsetToIndex = TopicReader.indexByOffset(stack.kafka().bootstrapServers(), "P_" + table);
        Map<Long, Integer> seen = new HashMap<>();
        for (Lake.StoredObject object : objects) {
            Matcher name = OBJECT_KEY.matcher(object.key());
            assertThat(name.matches()).as("object key %s", object.key()).isTrue();
            assertThat(name.group(1)).isEqualTo("P_" + table);
            assertThat(object.lines()).isNotEmpty().hasSizeLessThanOrEqualTo(40);
            long startOffset = Long.parseLong(name.group(3));
            assertThat(object.lines().get(0).get("index").asLong())
                    .as("first line of %s is the record at offset %d", object.key(), startOffset)
                    .isEqualTo(offsetToIndex.get(startOffset));
            for (JsonNode line : object.lines()) {
                long index = line.get("index").asLong();
                seen.merge(index, 1, Integer::sum);
                assertLineEquals(line, expected.get(index));
            }
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(seen.values()).allMatch(count -> count == 1);
    }

    private static void assertLineEquals(JsonNode line, Map<String, Object> row) {
        assertThat(row).as("row of line %s", line.get("index")).isNotNull();
        for (String column : Tables.TEXT_COLUMNS) {
            Object value = row.get(column);
            Object stored = line.get(column).isNull() ? null : line.get(column).asText();
            if (!java.util.Objects.equals(value, stored)) {
                throw new AssertionError("S3 line of row " + line.get("index") + " column " + column + ": "
                        + Tables.describeDifference(value, stored));
            }
        }
        assertThat(line.get("birthdate").asLong()).isEqualTo(((LocalDate) row.get("birthdate")).toEpochDay());
        assertThat(line.get("timestamp").asLong())
                .isEqualTo(((LocalDateTime) row.get("timestamp")).toInstant(ZoneOffset.UTC).toEpochMilli());
    }

    private static void assertTopicHoldsEachRowOnce(String table, int rows) throws Exception {
        List<Long> indexes = new ArrayList<>();
        for (TopicReader.Entry entry : TopicReader.readAll(stack.kafka().bootstrapServers(), "P_" + table)) {
            indexes.add(entry.index());
        }
        assertThat(indexes).hasSize(rows).doesNotHaveDuplicates();
    }
}
