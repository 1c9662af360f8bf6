package routes;

import config.PipelineConfiguration;
import org.apache.camel.builder.RouteBuilder;
import sink.KafkaBatch;
import sink.SinkEndpoints;

/**
 * Flow 2: Kafka -> MySQL. Each batch (up to mysql.batch.size records) is written in one MySQL
 * transaction; records MySQL cannot take go to the dead-letter topic; only then are the Kafka offsets
 * committed. A failure before that makes the consumer read the batch again.
 */
public class MySqlSinkRoute extends RouteBuilder {

    public static final String ROUTE_ID = "mysql-sink";

    @Override
    public void configure() {
        if (!Boolean.parseBoolean(getContext().resolvePropertyPlaceholders("{{mysql.enabled}}"))) {
            return;
        }
        from(SinkEndpoints.kafkaBatches("mysql", "mysql.batch.size", "mysql.poll.timeout.ms"))
                .routeId(ROUTE_ID)
                .routeConfigurationId(SinkErrorHandling.ID)
                .process(PipelineConfiguration.MYSQL_WRITER)
                .filter(simple("${body.size} > 0"))
                    .to(SinkEndpoints.deadLetterTopic())
                    .to("bean:" + PipelineConfiguration.PROGRESS + "?method=add('mysql dead letters', ${body.size})")
                .end()
                .process(KafkaBatch::commitOffsets);
    }
}
