package routes;

import config.NamedFlows;
import org.apache.camel.builder.RouteBuilder;

/**
 * The flows' routes: each flow that runs (the first of each kind, and every second flow its settings declare
 * with {@code <name>.flow = <kind>}) is an instance of its kind's route templates, in routes/source.yaml,
 * routes/mysql-sink.yaml and routes/s3-sink.yaml. Each route gets the flow's settings, without their prefix, as
 * template parameters ({@code {{topics}}} is {@code mysql.topics} in flow mysql and {@code archive.topics} in flow
 * archive), and {@code {{flow}}}, the flow's name, which also begins the names of its beans ({@code {{flow}}Rows}).
 * Which flows run is read from the settings, and a route file cannot repeat itself per entry of a list, so this
 * is Java.
 */
public class FlowRoutes extends RouteBuilder {

    @Override
    public void configure() {
        NamedFlows flows = getContext().getRegistry().lookupByNameAndType(NamedFlows.BEAN, NamedFlows.class);
        if (flows == null) {
            return;
        }
        NamedFlows.addTo(this, flows.routes(getContext()));
    }
}
