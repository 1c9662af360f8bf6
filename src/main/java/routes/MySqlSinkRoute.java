package routes;

import config.PipelineConfiguration;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import sink.KafkaBatch;
import sink.SinkEndpoints;
import sink.SinkFailures;
import sink.SinkHaltException;

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
                // a bad record with errors.tolerance=none, or a missing table: stop this flow, commit nothing
                .onException(SinkHaltException.class)
                    .process(SinkFailures::haltRoute)
                .end()
                // MySQL unreachable or restarting: write the same batch again after growing pauses; when
                // those run out the consumer re-reads the batch from the last committed offset
                .onException(Exception.class)
                    .maximumRedeliveries("{{sink.retry.max}}")
                    .redeliveryDelay("{{sink.retry.initial.delay.ms}}")
                    .useExponentialBackOff()
                    .maximumRedeliveryDelay("{{sink.retry.max.delay.ms}}")
                    .retryAttemptedLogLevel(LoggingLevel.WARN)
                .end()
                .process(PipelineConfiguration.MYSQL_WRITER)
                .filter(simple("${body.size} > 0"))
                    .to(SinkEndpoints.deadLetterTopic())
                .end()
                .process(KafkaBatch::commitOffsets);
    }
}
