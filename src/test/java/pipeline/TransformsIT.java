package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import generator.FakeUsers;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import routes.PipelineApplication;

/**
 * The README's transforms, in settings only, on rows streaming from the source: {@code ssn} dropped for MySQL (the
 * table the sink creates has no such column), {@code mail} hashed for S3 (HMAC-SHA256 under a secret key), and a
 * third sink, a second MySQL flow, that keeps only the rows whose {@code sex} is {@code F} and sends each record
 * through a route of its own (Camel's steps on one record) that adds a field.
 */
@CamelMainTest(mainClass = PipelineApplication.class)
class TransformsIT {

    private static final String TABLE = "T_USERS";
    private static final String TOPIC = "P_" + TABLE;
    private static final String KEY = "a secret only the lake's readers hold";
    private static Map<String, String> settings;
    // every log line of the run: the key must be in none
    private static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> LOG_LINES =
            new ch.qos.logback.core.read.ListAppender<>();

    @BeforeAll
    static void rowsAndTheTransformsOfThreeSinks() throws Exception {
        LOG_LINES.start();
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOG_LINES);
        var stack = TestStack.get();
        org.postgresql.ds.PGSimpleDataSource postgres = new org.postgresql.ds.PGSimpleDataSource();
        postgres.setUrl(stack.postgres().jdbcUrl());
        postgres.setUser(localstack.EmbeddedPostgreSql.USER);
        FakeUsers.createTableIfMissing(postgres, TABLE);
        try (Connection connection = Tables.postgres(stack)) {
            Tables.insertFakeUsers(connection, TABLE, 60);
        }
        Map<String, String> own = new LinkedHashMap<>();
        own.put("console.enabled", "false");
        own.put("generator.enabled", "false");
        own.put("source.table.whitelist", TABLE);
        own.put("source.poll.interval.ms", "200");
        own.put("mysql.topics", TOPIC);
        own.put("mysql.group.id", "transforms-it-mysql");
        own.put("mysql.transforms", "dropSsn");
        own.put("mysql.transforms.dropSsn.type", "ReplaceField");
        own.put("mysql.transforms.dropSsn.exclude", "ssn");
        own.put("s3.topics", TOPIC);
        own.put("s3.group.id", "transforms-it-s3");
        own.put("s3.bucket.name", TestStack.BUCKET);
        own.put("s3.topics.dir", "transforms");
        own.put("s3.flush.size", "20");
        own.put("s3.rotate.schedule.interval.ms", "1000");
        own.put("s3.transforms", "hashMail");
        own.put("s3.transforms.hashMail.type", "HashField");
        own.put("s3.transforms.hashMail.fields", "mail");
        own.put("s3.transforms.hashMail.key", KEY);
        own.put("females.flow", "mysql");
        own.put("females.table.name.format", "females_${topic}");
        own.put("females.transforms", "onlyF");
        own.put("females.transforms.onlyF.type", "Filter");
        own.put("females.transforms.onlyF.field", "sex");
        own.put("females.transforms.onlyF.values", "F");
        own.put("females.transforms.onlyF.action", "keep");
        // and a route of its own for each record (src/test/resources/test-routes/females-record.yaml)
        own.put("camel.main.routes-include-pattern", "classpath:routes/*.yaml,classpath:test-routes/*.yaml");
        settings = RouteFileSettings.with(own);
    }

    @AfterAll
    static void forgetTheSettings() {
        RouteFileSettings.forget(settings);
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOG_LINES);
    }

    @Test
    void ssnIsDroppedForMySqlMailHashedForS3AndTheThirdSinkKeepsOnlyF() throws Exception {
        var stack = TestStack.get();
        Map<Long, Map<String, Object>> rows;
        try (Connection postgres = Tables.postgres(stack)) {
            rows = Tables.rows(postgres, "\"" + TABLE + "\"");
        }
        Set<Long> females = rows.entrySet().stream().filter(row -> "F".equals(row.getValue().get("sex"))).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(females).isNotEmpty().hasSizeLessThan(rows.size());
        try (Connection mysql = Tables.mysql(stack); Lake lake = new Lake(stack, TestStack.BUCKET)) {
            String folder = "transforms/" + TOPIC + "/";
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> Tables.count(mysql, "`" + TOPIC + "`") == rows.size()
                            && Tables.count(mysql, "`females_" + TOPIC + "`") == females.size()
                            && lake.recordCount(folder) == rows.size());

            // MySQL: the table was created from the changed schema, with every row's other values
            assertThat(columns(mysql, TOPIC)).doesNotContain("ssn").contains("index", "name", "mail", "sex");
            Map<Long, Map<String, Object>> withoutSsn = new LinkedHashMap<>();
            rows.forEach((index, row) -> {
                Map<String, Object> copy = new LinkedHashMap<>(row);
                copy.remove("ssn");
                withoutSsn.put(index, copy);
            });
            Tables.assertSameRows(Tables.rows(mysql, "`" + TOPIC + "`"), withoutSsn);

            // the third sink: only the F rows, each whole (its transforms are its own: ssn kept), and the field its
            // record route added
            assertThat(columns(mysql, "females_" + TOPIC)).contains("ssn", "checked");
            Map<Long, Map<String, Object>> onlyFemales = new LinkedHashMap<>();
            females.forEach(index -> onlyFemales.put(index, rows.get(index)));
            Map<Long, Map<String, Object>> written = Tables.rows(mysql, "`females_" + TOPIC + "`");
            written.values().forEach(row -> assertThat(row.remove("checked")).isEqualTo("by a route of my own"));
            Tables.assertSameRows(written, onlyFemales);

            // S3: every row once, mail as HMAC-SHA256 of the row's mail under the key, the rest as it was
            List<JsonNode> lines = new ArrayList<>();
            lake.objects(folder).forEach(object -> lines.addAll(object.lines()));
            assertThat(lines).hasSize(rows.size());
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            for (JsonNode line : lines) {
                Map<String, Object> row = rows.get(line.path("index").asLong());
                String mail = (String) row.get("mail");
                assertThat(line.path("mail").asText()).isEqualTo(HexFormat.of().formatHex(mac.doFinal(mail.getBytes(StandardCharsets.UTF_8))))
                        .hasSize(64).isNotEqualTo(mail);
                assertThat(line.path("ssn").asText()).isEqualTo(row.get("ssn"));
                assertThat(line.path("name").asText()).isEqualTo(row.get("name"));
            }
            assertThat(lines.stream().map(line -> line.path("index").asLong())).doesNotHaveDuplicates();
        }
        // the key is a secret: Camel's list of the settings it used masks it
        List<String> logged = LOG_LINES.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        assertThat(logged).anyMatch(line -> line.contains("s3.transforms.hashMail.key = xxxxxx")).noneMatch(line -> line.contains(KEY));
    }

    private static List<String> columns(Connection mysql, String table) throws Exception {
        List<String> columns = new ArrayList<>();
        try (ResultSet result = mysql.getMetaData().getColumns(null, null, table, null)) {
            while (result.next()) {
                columns.add(result.getString("COLUMN_NAME"));
            }
        }
        return columns;
    }
}
