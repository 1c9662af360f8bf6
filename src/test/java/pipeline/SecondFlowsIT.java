package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import generator.FakeUsers;
import localstack.EmbeddedMariaDb;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import routes.PipelineApplication;

/**
 * A second flow of each kind, declared in settings only (the README's "Second flows"), running beside the first
 * ones in one application against the test stack: a second table, in another database, with its own capture
 * mode, columns and topic prefix (flow {@code orders}); a second MySQL sink writing the same topic into another
 * database with another table name format (flow {@code archive}); a second S3 sink writing it into another bucket
 * as Avro, partitioned by a field (flow {@code lake}). Every row must arrive once in each, with its values.
 */
@CamelMainTest(mainClass = PipelineApplication.class)
class SecondFlowsIT {

    private static final String USERS = "FLOWS_USERS";
    private static final String ORDERS = "FLOWS_ORDERS";
    private static final String USERS_TOPIC = "P_" + USERS;
    private static final String ORDERS_TOPIC = "orders_" + ORDERS;
    private static final String LAKE_BUCKET = "flows-lake";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ORDERS_DATABASE = "second_flows_orders";
    private static Map<String, String> settings;

    @BeanInject
    CamelContext context;

    @BeforeAll
    static void tablesRowsAndTheSettingsOfSixFlows() throws Exception {
        var stack = TestStack.get();
        org.postgresql.ds.PGSimpleDataSource postgres = new org.postgresql.ds.PGSimpleDataSource();
        postgres.setUrl(stack.postgres().jdbcUrl());
        postgres.setUser(localstack.EmbeddedPostgreSql.USER);
        FakeUsers.createTableIfMissing(postgres, USERS);
        try (Connection connection = Tables.postgres(stack); Statement statement = connection.createStatement()) {
            Tables.insertFakeUsers(connection, USERS, 40);
            // the second table lives in another database: the second source flow must read there, not in the first's
            statement.execute("DROP DATABASE IF EXISTS " + ORDERS_DATABASE);
            statement.execute("CREATE DATABASE " + ORDERS_DATABASE);
        }
        try (Connection connection = ordersDatabase(); Statement statement = connection.createStatement()) {
            // another table with other columns: an id, and a time set on insert and on every update
            statement.execute("CREATE TABLE \"" + ORDERS + "\" (\"id\" BIGINT PRIMARY KEY, \"item\" TEXT NOT NULL, "
                    + "\"updated_at\" TIMESTAMP NOT NULL)");
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO \"" + ORDERS + "\" (\"id\", \"item\", \"updated_at\") VALUES (?, ?, ?)")) {
                for (int id = 1; id <= 30; id++) {
                    insert.setLong(1, id);
                    insert.setString(2, "item " + id);
                    insert.setObject(3, LocalDateTime.of(2026, 1, 1, 0, 0).plusMinutes(id));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
        try (Connection mysql = Tables.mysql(stack); Statement statement = mysql.createStatement()) {
            statement.execute("CREATE DATABASE IF NOT EXISTS `archive`");
        }
        Map<String, String> own = new LinkedHashMap<>();
        own.put("console.enabled", "false");
        own.put("generator.enabled", "false");
        own.put("source.table.whitelist", USERS);
        own.put("source.poll.interval.ms", "200");
        // flow orders: a second table, its own mode, columns and topic prefix
        own.put("orders.flow", "source");
        own.put("orders.connection.url", ordersUrl());
        own.put("orders.table.whitelist", ORDERS);
        own.put("orders.mode", "timestamp+incrementing");
        own.put("orders.incrementing.column.name", "id");
        own.put("orders.timestamp.column.name", "updated_at");
        own.put("orders.topic.prefix", "orders_");
        own.put("mysql.topics", USERS_TOPIC);
        own.put("mysql.group.id", "second-flows-it-mysql");
        // flow archive: the same topic into another database, another table name
        own.put("archive.flow", "mysql");
        own.put("archive.connection.url", stack.mariaDb().jdbcUrl().replace("/" + EmbeddedMariaDb.DATABASE, "/archive"));
        own.put("archive.table.name.format", "archive_${topic}");
        own.put("s3.topics", USERS_TOPIC);
        own.put("s3.group.id", "second-flows-it-s3");
        own.put("s3.bucket.name", TestStack.BUCKET);
        own.put("s3.topics.dir", "second-flows");
        own.put("s3.flush.size", "10");
        own.put("s3.rotate.schedule.interval.ms", "1000");
        // flow lake: the same topic into another bucket, as Avro, one folder per value of a field
        own.put("lake.flow", "s3");
        own.put("lake.bucket.name", LAKE_BUCKET);
        own.put("lake.bucket.create", "true");
        own.put("lake.format", "avro");
        own.put("lake.partitioner", "field");
        own.put("lake.partition.field.name", "sex");
        settings = RouteFileSettings.with(own);
    }

    @AfterAll
    static void forgetTheSettings() {
        RouteFileSettings.forget(settings);
    }

    @Test
    void eachSecondFlowRunsBesideTheFirstAndEveryRowArrivesOnceInEach() throws Exception {
        assertThat(context.getRoutes().stream().map(route -> route.getRouteId()).toList()).contains(
                "source-" + USERS, "orders-" + ORDERS, "mysql-sink", "mysql-sink-rows", "archive-sink", "archive-sink-rows",
                "s3-sink", "s3-uploads", "lake-sink", "lake-uploads");
        var stack = TestStack.get();
        String kafka = stack.kafka().bootstrapServers();
        Map<Long, Map<String, Object>> users;
        try (Connection postgres = Tables.postgres(stack)) {
            users = Tables.rows(postgres, "\"" + USERS + "\"");
        }

        // the second table: its rows on its own topic with its own columns, then updated rows again (its mode)
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> Records.readAllBytes(kafka, ORDERS_TOPIC).size() == 30);
        try (Connection postgres = ordersDatabase(); Statement update = postgres.createStatement()) {
            update.executeUpdate("UPDATE \"" + ORDERS + "\" SET \"item\" = 'changed ' || \"id\", "
                    + "\"updated_at\" = now() AT TIME ZONE 'utc' WHERE \"id\" <= 5");
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> Records.readAllBytes(kafka, ORDERS_TOPIC).size() >= 35);
        Map<Long, String> latestItem = new TreeMap<>();
        List<ConsumerRecord<byte[], byte[]>> orders = Records.readAllBytes(kafka, ORDERS_TOPIC);
        assertThat(orders).hasSize(35);
        for (ConsumerRecord<byte[], byte[]> record : orders) {
            JsonNode payload = MAPPER.readTree(new String(record.value(), StandardCharsets.UTF_8)).path("payload");
            assertThat(fieldNames(payload)).containsExactly("id", "item", "updated_at");
            latestItem.put(payload.path("id").asLong(), payload.path("item").asText());
        }
        assertThat(latestItem).hasSize(30);
        latestItem.forEach((id, item) -> assertThat(item).isEqualTo((id <= 5 ? "changed " : "item ") + id));

        // the first table's topic: each row once, written by both MySQL sinks, each into its own database and table
        assertThat(TopicReader.readAll(kafka, USERS_TOPIC)).extracting(TopicReader.Entry::index)
                .containsExactlyInAnyOrderElementsOf(users.keySet());
        try (Connection mysql = Tables.mysql(stack);
             Connection archive = java.sql.DriverManager.getConnection(settings.get("archive.connection.url"), EmbeddedMariaDb.USER, "")) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> Tables.count(mysql, "`" + USERS_TOPIC + "`") == 40 && Tables.count(archive, "`archive_" + USERS_TOPIC + "`") == 40);
            Tables.assertSameRows(Tables.rows(mysql, "`" + USERS_TOPIC + "`"), users);
            Tables.assertSameRows(Tables.rows(archive, "`archive_" + USERS_TOPIC + "`"), users);
        }

        // both S3 sinks: JSON lines in the first bucket, Avro by sex in the other; each row once in each
        try (Lake first = new Lake(stack, TestStack.BUCKET); Lake lake = new Lake(stack, LAKE_BUCKET)) {
            String folder = "second-flows/" + USERS_TOPIC + "/";
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> first.recordCount(folder) == 40 && lake.recordCount(folder) == 40);
            assertThat(indexes(first.objects(folder))).containsExactlyInAnyOrderElementsOf(users.keySet());
            List<Lake.StoredObject> avro = lake.objects(folder);
            assertThat(indexes(avro)).containsExactlyInAnyOrderElementsOf(users.keySet());
            assertThat(avro).isNotEmpty().allSatisfy(object -> {
                assertThat(object.key()).endsWith(".avro");
                // each record in the folder of its own sex, and it is the row's
                object.lines().forEach(record -> {
                    Map<String, Object> row = users.get(record.path("index").asLong());
                    assertThat(object.key()).startsWith(folder + "sex=" + row.get("sex") + "/");
                    assertThat(record.path("mail").asText()).isEqualTo(row.get("mail"));
                });
            });
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<Long> indexes(List<Lake.StoredObject> objects) {
        return objects.stream().flatMap(object -> object.lines().stream()).map(line -> line.path("index").asLong()).toList();
    }

    private static String ordersUrl() throws Exception {
        String url = TestStack.get().postgres().jdbcUrl();
        return url.substring(0, url.lastIndexOf('/') + 1) + ORDERS_DATABASE;
    }

    private static Connection ordersDatabase() throws Exception {
        return java.sql.DriverManager.getConnection(ordersUrl(), localstack.EmbeddedPostgreSql.USER, "");
    }
}
