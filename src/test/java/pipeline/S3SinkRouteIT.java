package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
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
 * The route file routes/s3-sink.yaml on its own (the other flows off), booted by camel-test-main as the
 * application boots it, against the test stack's real Kafka and S3: eight records with a bad one among
 * them. What the route must do with them: objects of s3.flush.size records named after their first
 * offset, the last one closed by s3.rotate.schedule.interval.ms although no record follows, the bad record
 * on the dead-letter topic as it was, and the group's offset committed to the end once all is in S3.
 */
@CamelMainTest(mainClass = PipelineApplication.class)
class S3SinkRouteIT {

    private static final String TOPIC = "P_S3_ROUTE";
    private static final String GROUP = "s3-route-it";
    private static final String DEAD_LETTERS = "dlq_S3_ROUTE";
    private static final String SCHEMA = "{\"type\":\"struct\",\"fields\":["
            + "{\"type\":\"int64\",\"optional\":false,\"field\":\"index\"},"
            + "{\"type\":\"string\",\"optional\":true,\"field\":\"name\"}],\"optional\":false,\"name\":\"USERS\"}";
    private static final byte[] BAD = "{\"schema\":".getBytes(StandardCharsets.UTF_8);
    private static Map<String, String> settings;

    @BeanInject
    CamelContext context;

    private static String payload(long index) {
        return "{\"index\":" + index + ",\"name\":\"user " + index + "\"}";
    }

    @BeforeAll
    static void recordsOnTheTopicAndSettingsForTheRoute() throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (long offset = 0; offset < 8; offset++) {
            byte[] value = offset == 3 ? BAD
                    : ("{\"schema\":" + SCHEMA + ",\"payload\":" + payload(offset) + "}").getBytes(StandardCharsets.UTF_8);
            records.add(new ProducerRecord<>(TOPIC, 0, null, value));
        }
        Records.send(TestStack.get().kafka().bootstrapServers(), records);
        settings = RouteFileSettings.alone("s3", Map.of("s3.bucket.name", TestStack.BUCKET, "s3.topics", TOPIC, "s3.group.id", GROUP,
                "s3.topics.dir", "route", "s3.flush.size", "3", "s3.rotate.schedule.interval.ms", "1500",
                "errors.deadletterqueue.topic.name", DEAD_LETTERS));
    }

    @AfterAll
    static void forgetTheSettings() {
        RouteFileSettings.forget(settings);
    }

    @Test
    void objectsOfTheFlushSizeTheLastClosedByTheClockTheBadRecordADeadLetterAndTheOffsetCommittedToTheEnd() throws Exception {
        assertThat(context.getRoute("s3-sink")).as("the routes of routes/s3-sink.yaml").isNotNull();
        assertThat(context.getRoute("s3-uploads")).isNotNull();
        var stack = TestStack.get();
        try (Lake lake = new Lake(stack, TestStack.BUCKET)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> TopicReader.committed(stack.kafka().bootstrapServers(), GROUP, TOPIC) == 8);
            List<String> objects = new ArrayList<>();
            for (Lake.StoredObject object : lake.objects("route/" + TOPIC + "/")) {
                objects.add(object.key().substring(object.key().lastIndexOf('/') + 1) + " " + object.lines());
            }
            // the bad record is in no object, and the object it would have started starts at the next good one;
            // it still counted towards s3.flush.size (JSON lines are checked as they are written, after the batch
            // was cut into objects), so that object holds two records; the last is closed by the clock
            assertThat(objects).containsExactly(
                    TOPIC + "+0+0000000000.json [" + payload(0) + ", " + payload(1) + ", " + payload(2) + "]",
                    TOPIC + "+0+0000000004.json [" + payload(4) + ", " + payload(5) + "]",
                    TOPIC + "+0+0000000006.json [" + payload(6) + ", " + payload(7) + "]");
        }
        List<ConsumerRecord<byte[], byte[]>> deadLetters = Records.readAllBytes(stack.kafka().bootstrapServers(), DEAD_LETTERS);
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.get(0).value()).isEqualTo(BAD);
        assertThat(new String(deadLetters.get(0).headers().lastHeader(DeadLetters.ERROR_OFFSET).value(), StandardCharsets.UTF_8)).isEqualTo("3");
        assertThat(deadLetters.get(0).headers().lastHeader(DeadLetters.ERROR_REASON)).isNotNull();
    }
}
