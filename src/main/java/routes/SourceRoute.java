package routes;

import config.PipelineConfiguration;
import org.apache.camel.builder.RouteBuilder;
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
                    .bean(table, "poll");
        }
    }
}
