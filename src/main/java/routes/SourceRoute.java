package routes;

import org.apache.camel.builder.RouteBuilder;
import source.SourceFlow;
import source.SourceTables;
import source.TableCapture;

/**
 * Flow 1's routes: one route per table of source.table.whitelist (or one for source.query), each made from
 * the route template {@code source-table} of routes/source.yaml. The list of tables is a property, and a
 * route file cannot repeat itself per entry of a list, so this is Java.
 */
public class SourceRoute extends RouteBuilder {

    public static final String ROUTE_ID_PREFIX = "source-";

    @Override
    public void configure() {
        if (!Boolean.parseBoolean(getContext().resolvePropertyPlaceholders("{{source.enabled}}"))) {
            return;
        }
        SourceTables tables = getContext().getRegistry().lookupByNameAndType(SourceFlow.TABLES, SourceTables.class);
        for (int i = 0; i < tables.captures().size(); i++) {
            TableCapture capture = tables.captures().get(i);
            templatedRoute("source-table")
                    .routeId(ROUTE_ID_PREFIX + capture.name())
                    .parameter("name", capture.name())
                    .parameter("topic", capture.topic())
                    .parameter("capture", SourceTables.captureBean(i))
                    .parameter("leadership", SourceTables.captureBean(i) + "-leadership")
                    .parameter("queryParameters", String.valueOf(capture.queryParameters()));
        }
    }
}
