package routes;

import config.PipelineConfiguration;
import org.apache.camel.builder.RouteBuilder;

/** Not a flow: one progress line every few seconds for the whole pipeline, instead of a line per record. */
public class ProgressRoute extends RouteBuilder {

    public static final String ROUTE_ID = "progress";

    @Override
    public void configure() {
        from("timer:" + ROUTE_ID + "?period={{progress.log.interval.ms}}")
                .routeId(ROUTE_ID)
                .toF("bean:%s?method=tick", PipelineConfiguration.PROGRESS);
    }
}
