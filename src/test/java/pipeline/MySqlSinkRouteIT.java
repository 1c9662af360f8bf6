package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import routes.PipelineApplication;
import sink.DeadLetters;

/**
 * The route file routes/mysql-sink.yaml on its own (the other flows off), booted by camel-test-main as
 * the application boots it, against the test stack's real Kafka and MariaDB: ten keyed records with a
 * bad one among them. What the route must do with them: a table created for the topic, each good record a
 * row with its values, the bad record on the dead-letter topic as it was, and the group's offset
 * committed to the end.
 */
@CamelMainTest(mainClass = PipelineApplication.class)
class MySqlSinkRouteIT {

    private static final String TOPIC = "P_MYSQL_ROUTE";
    private static final String GROUP = "mysql-route-it";
    private static final String DEAD_LETTERS = "dlq_MYSQL_ROUTE";
    private static final String SCHEMA = "{\"type\":\"struct\",\"fields\":["
            + "{\"type\":\"int64\",\"optional\":false,\"field\":\"index\"},"
            + "{\"type\":\"string\",\"optional\":true,\"field\":\"name\"}],\"optional\":false,\"name\":\"USERS\"}";
    // a string where the schema says int64
    private static final byte[] BAD = ("{\"schema\":" + SCHEMA + ",\"payload\":{\"index\":\"seven\",\"name\":\"x\"}}").getBytes(StandardCharsets.UTF_8);
    private static Map<String, String> settings;

    @BeanInject
    CamelContext context;

    @BeforeAll
    static void recordsOnTheTopicAndSettingsForTheRoute() throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (long index = 1; index <= 10; index++) {
            byte[] value = index == 7 ? BAD : ("{\"schema\":" + SCHEMA + ",\"payload\":{\"index\":" + index + ",\"name\":\"user " + index
                    + "\"}}").getBytes(StandardCharsets.UTF_8);
            records.add(new ProducerRecord<>(TOPIC, 0, Records.longKey("index", index).getBytes(StandardCharsets.UTF_8), value));
        }
        Records.send(TestStack.get().kafka().bootstrapServers(), records);
        settings = RouteFileSettings.alone("mysql", Map.of("mysql.topics", TOPIC, "mysql.group.id", GROUP,
                "errors.deadletterqueue.topic.name", DEAD_LETTERS));
    }

    @AfterAll
    static void forgetTheSettings() {
        RouteFileSettings.forget(settings);
    }

    @Test
    void goodRecordsAreRowsTheBadOneADeadLetterAndTheOffsetIsCommittedToTheEnd() throws Exception {
        assertThat(context.getRoute("mysql-sink")).as("the routes of routes/mysql-sink.yaml").isNotNull();
        assertThat(context.getRoute("mysql-sink-rows")).isNotNull();
        var stack = TestStack.get();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> TopicReader.committed(stack.kafka().bootstrapServers(), GROUP, TOPIC) == 10);
        try (Connection mysql = Tables.mysql(stack)) {
            Map<Long, Map<String, Object>> rows = Tables.rows(mysql, "`" + TOPIC + "`");
            assertThat(rows.keySet()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 8L, 9L, 10L);
            rows.forEach((index, row) -> assertThat(row.get("name")).isEqualTo("user " + index));
        }
        List<ConsumerRecord<byte[], byte[]>> deadLetters = Records.readAllBytes(stack.kafka().bootstrapServers(), DEAD_LETTERS);
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.get(0).value()).isEqualTo(BAD);
        assertThat(new String(deadLetters.get(0).key(), StandardCharsets.UTF_8)).isEqualTo(Records.longKey("index", 7));
        assertThat(new String(deadLetters.get(0).headers().lastHeader(DeadLetters.ERROR_OFFSET).value(), StandardCharsets.UTF_8)).isEqualTo("6");
        assertThat(new String(deadLetters.get(0).headers().lastHeader(DeadLetters.ERROR_REASON).value(), StandardCharsets.UTF_8))
                .contains("index");
    }
}
