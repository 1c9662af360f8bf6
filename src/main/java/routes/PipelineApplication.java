package routes;

import java.util.function.Function;

import config.RouteFiles;
import localstack.LocalStackListener;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.main.Main;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the pipeline. Camel Main finds the flows (the RouteBuilders of this package) and reads
 * application.properties; everything else is configuration.
 */
public final class PipelineApplication {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineApplication.class);

    private PipelineApplication() {
    }

    public static void main(String[] args) {
        Main main = new Main(PipelineApplication.class);
        // reads every route file (bundled, and routes.dir's) first: one with an error stops start-up before anything starts
        main.addMainListener(new RouteFiles());
        // starts the embedded stack before anything connects, when local.stack.enabled=true
        main.addMainListener(new LocalStackListener());
        try {
            main.run(args);
        } catch (Exception e) {
            // bad configuration or an unreachable system: one line that names the cause, not a stack trace
            LOG.error("kafka-pipeline cannot start: {}", startUpProblem(e, routeId -> whereIs(main, routeId)));
            LOG.debug("start-up failure", e);
            System.exit(1);
        }
    }

    /**
     * What stopped start-up, in one line: the message that names a property or a system, and for a route Camel could
     * not create (a bean or a placeholder that does not exist) which route of which file.
     */
    static String startUpProblem(Throwable e, Function<String, String> whereIsRoute) {
        String message = rootCause(e).getMessage();
        String line = message == null ? rootCause(e).getClass().getSimpleName() : message.strip().lines().findFirst().orElse("");
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof FailedToCreateRouteException route) {
                String where = whereIsRoute.apply(route.getRouteId());
                return "Route " + route.getRouteId() + (where == null ? "" : " (" + where + ")") + " cannot be created: " + line;
            }
        }
        return line;
    }

    /** "/opt/pipeline/routes/audit.yaml, line 2": where the route file defines the route (or its template), if known. */
    private static String whereIs(Main main, String routeId) {
        try {
            Model model = main.getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
            RouteDefinition route = model.getRouteDefinition(routeId);
            if (route == null || route.getLocation() == null) {
                return null;
            }
            return route.getLocation().replaceFirst("^(file|classpath):", "") + (route.getLineNumber() > 0 ? ", line " + route.getLineNumber() : "");
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        // the first message that names a property or a system is ours; deeper ones are the driver's details
        while (cause.getCause() != null && !(cause instanceof IllegalStateException || cause instanceof IllegalArgumentException)) {
            cause = cause.getCause();
        }
        return cause;
    }
}
