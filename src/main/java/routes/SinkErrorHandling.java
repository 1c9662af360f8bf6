package routes;

import config.PipelineConfiguration;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;
import progress.PipelineProgress;
import sink.SinkFailures;
import sink.SinkHaltException;

/** How both sinks treat failures; a failed batch is never committed, so it is never lost. */
public class SinkErrorHandling extends RouteConfigurationBuilder {

    public static final String ID = "sink-error-handling";

    @Override
    public void configuration() {
        routeConfiguration(ID)
                // a bad record with errors.tolerance=none, or a missing table: stop the flow, commit nothing
                .onException(SinkHaltException.class)
                    .process(SinkFailures::haltRoute)
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
