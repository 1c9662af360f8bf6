package routes;

import config.PipelineConfiguration;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.service.ServiceHelper;
import source.SourceTables;
import source.TablePoller;

/**
 * Flow 1: PostgreSQL -> Kafka. One route per table of source.table.whitelist: every
 * source.poll.interval.ms, the rows after the stored offset go to {@code <source.topic.prefix><TABLE>},
 * together with the new offset, in one Kafka transaction.
 */
public class SourceRoute extends RouteBuilder {

    public static final String ROUTE_ID_PREFIX = "source-";

    @Override
    public void configure() {
        if (!Boolean.parseBoolean(getContext().resolvePropertyPlaceholders("{{source.enabled}}"))) {
            return;
        }
        SourceTables tables = getContext().getRegistry().lookupByNameAndType(PipelineConfiguration.SOURCE_TABLES, SourceTables.class);
        for (TablePoller table : tables.pollers()) {
            String routeId = ROUTE_ID_PREFIX + table.name();
            from("timer:" + routeId + "?period={{source.poll.interval.ms}}&delay=0")
                    .routeId(routeId)
                    // a lost connection fails this poll only (the poller logs it and backs off); the next one
                    // reads again from the same committed offset
                    .onException(Exception.class).handled(true).logExhausted(false).end()
                    // a backlog is read batch after batch until it is gone or the flow is paused or stopped
                    .process(exchange -> table.poll(() -> consumerRunning(exchange, routeId)));
        }
    }

    /** False as soon as the route's timer is being suspended (console pause) or stopped (shutdown). */
    private static boolean consumerRunning(Exchange exchange, String routeId) {
        Route route = exchange.getContext().getRoute(routeId);
        return route != null && ServiceHelper.isStarted(route.getConsumer()) && !exchange.getContext().isStopping();
    }
}
