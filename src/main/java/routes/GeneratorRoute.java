package routes;

import config.PipelineConfiguration;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/** Flow 4 (optional): fake customers inserted into the source table at generator.rate.per.second. */
public class GeneratorRoute extends RouteBuilder {

    public static final String ROUTE_ID = "generator";

    @Override
    public void configure() {
        if (!Boolean.parseBoolean(getContext().resolvePropertyPlaceholders("{{generator.enabled}}"))) {
            return;
        }
        from("timer:" + ROUTE_ID + "?period=1000")
                .routeId(ROUTE_ID)
                .onException(Exception.class).handled(true)
                    .log(LoggingLevel.WARN, "Generator insert failed, trying again in a second: ${exception.message}")
                .end()
                .toF("bean:%s?method=insert({{generator.rate.per.second}})", PipelineConfiguration.FAKE_USERS);

    }
}
