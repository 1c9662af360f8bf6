package routes;

import config.PipelineConfiguration;
import org.apache.camel.LoggingLevel;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.camel.builder.RouteConfigurationBuilder;
import progress.PipelineProgress;
import sink.SinkFailures;
import sink.SinkHaltException;

/** How both sinks treat failures; a failed batch is never committed, so it is never lost. */
public class SinkErrorHandling extends RouteConfigurationBuilder {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SinkErrorHandling.class);

    public static final String ID = "sink-error-handling";

    @Override
    public void configuration() {
        routeConfiguration(ID)
                // a bad record with errors.tolerance=none, or a missing table: stop the flow, commit nothing
                .onException(SinkHaltException.class)
                    .process(SinkFailures::haltRoute)
                .end()
                // the group is moving partitions (another instance joined, left or died): the commit cannot succeed
                // until this consumer polls again and rejoins, and retrying here would keep it from polling, holding
                // up the whole group (90 s once). Give the batch up at once: the consumer goes back to the last
                // committed offset and polls, and whoever owns the partitions then writes the batch again
                .onException(RebalanceInProgressException.class, CommitFailedException.class, IllegalGenerationException.class,
                        UnknownMemberIdException.class)
                    .maximumRedeliveries(0)
                    .logExhausted(false)
                    .process(exchange -> LOG.info("{}: the consumer group is rebalancing; the batch is read again after it ({})",
                            exchange.getFromRouteId(), exchange.getProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT,
                                    Exception.class).getMessage()))
                .end()
                // MySQL or S3 unreachable, restarting or answering 5xx: write the same batch again after growing
                // pauses; when those run out the consumer re-reads the batch from the last committed offset
                .onException(Exception.class)
                    // counted per attempt, per flow ("mysql-sink errors"), for the console and metrics
                    .onRedelivery(exchange -> exchange.getContext().getRegistry()
                            .lookupByNameAndType(PipelineConfiguration.PROGRESS, PipelineProgress.class)
                            .add(PipelineProgress.errors(exchange.getFromRouteId()), 1))
                    .maximumRedeliveries("{{sink.retry.max}}")
                    .redeliveryDelay("{{sink.retry.initial.delay.ms}}")
                    .useExponentialBackOff()
                    .maximumRedeliveryDelay("{{sink.retry.max.delay.ms}}")
                    .retryAttemptedLogLevel(LoggingLevel.WARN)
                .end();
    }
}
