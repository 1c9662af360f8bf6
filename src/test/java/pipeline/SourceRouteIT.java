package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import generator.FakeUsers;
import routes.PipelineApplication;

/**
 * The route file routes/source.yaml on its own (the other flows off), booted by camel-test-main as the
 * application boots it, against the test stack's real PostgreSQL and Kafka: rows there before the start
 * and rows inserted while it runs must each be on the topic once, in order, keyed by the primary key,
 * and the table's offset on the offsets topic must be that of the last row.
 */
@CamelMainTest(mainClass = PipelineApplication.class)
class SourceRouteIT {

    private static final String TABLE = "ROUTE_SOURCE";
    private static final String OFFSETS = "offsets_route_source";
    private static Map<String, String> settings;

    @BeanInject
    CamelContext context;

    private static javax.sql.DataSource postgres() throws Exception {
        org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setUrl(TestStack.get().postgres().jdbcUrl());
        dataSource.setUser(localstack.EmbeddedPostgreSql.USER);
        return dataSource;
    }

    @BeforeAll
    static void rowsInTheTableAndSettingsForTheRoute() throws Exception {
        FakeUsers.createTableIfMissing(postgres(), TABLE);
        try (Connection connection = Tables.postgres(TestStack.get())) {
            Tables.insertFakeUsers(connection, TABLE, 120);
        }
        settings = RouteFileSettings.alone("source", Map.of("source.table.whitelist", TABLE, "source.offsets.topic", OFFSETS,
                "source.batch.max.rows", "50", // three batches for the rows already there
                "source.poll.interval.ms", "200"));
    }

    @AfterAll
    static void forgetTheSettings() {
        RouteFileSettings.forget(settings);
    }

    @Test
    void rowsBeforeAndDuringTheRunAreOnTheTopicOnceInOrderWithTheOffsetOfTheLast() throws Exception {
        assertThat(context.getRoute("source-" + TABLE)).as("the route made from the template of routes/source.yaml").isNotNull();
        var stack = TestStack.get();
        String bootstrap = stack.kafka().bootstrapServers();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> TopicReader.readAll(bootstrap, "P_" + TABLE).size() >= 120);
        try (Connection connection = Tables.postgres(stack)) {
            Tables.insertFakeUsers(connection, TABLE, 30);
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> TopicReader.readAll(bootstrap, "P_" + TABLE).size() >= 150);
        Thread.sleep(1_000); // anything sent twice would show now

        List<Long> indexes = TopicReader.readAll(bootstrap, "P_" + TABLE).stream().map(TopicReader.Entry::index).toList();
        assertThat(indexes).as("every row once, in order").containsExactlyElementsOf(LongStream.rangeClosed(1, 150).boxed().toList());
        List<ConsumerRecord<byte[], byte[]>> records = Records.readAllBytes(bootstrap, "P_" + TABLE);
        assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).as("keyed by the primary key").isEqualTo(
                "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"index\"}],"
                        + "\"optional\":false,\"name\":\"" + TABLE + ".Key\"},\"payload\":{\"index\":1}}");

        List<ConsumerRecord<byte[], byte[]>> offsets = Records.readAllBytes(bootstrap, OFFSETS);
        assertThat(offsets).as("one offset record per committed batch").isNotEmpty();
        assertThat(new String(offsets.get(offsets.size() - 1).value(), StandardCharsets.UTF_8)).isEqualTo("{\"incrementing\":150}");
        assertThat(new String(offsets.get(offsets.size() - 1).key(), StandardCharsets.UTF_8)).contains(TABLE);
    }
}
