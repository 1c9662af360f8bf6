package routes;

import console.ConsoleAccess;
import console.ConsoleFlow;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;

/**
 * Not a flow: the web console on console.host:console.port. The page and its assets (in the jar, no
 * CDN), the JSON API behind it, health for Kubernetes probes and Prometheus metrics. Only pausing and
 * resuming change anything, and they need console.token when one is set.
 */
public class ConsoleRoute extends RouteBuilder {

    public static final String PAGE_ROUTE_ID = "console-page";
    private static final String CONSOLE = "bean:" + ConsoleFlow.CONSOLE;

    @Override
    public void configure() {
        if (!Boolean.parseBoolean(getContext().resolvePropertyPlaceholders("{{console.enabled}}"))) {
            return;
        }
        // what goes wrong answers as JSON with a status, never as a stack trace
        onException(IllegalArgumentException.class).handled(true)
                .process(exchange -> ConsoleAccess.error(exchange, 400));
        onException(SecurityException.class).handled(true)
                .process(exchange -> ConsoleAccess.error(exchange, 401));
        onException(Exception.class).handled(true)
                .process(exchange -> ConsoleAccess.error(exchange, 500));

        from("platform-http:/?httpMethodRestrict=GET").routeId(PAGE_ROUTE_ID)
                .process(exchange -> ConsoleAccess.asset(exchange, "index.html"));
        from("platform-http:/console.js?httpMethodRestrict=GET").routeId("console-script")
                .process(exchange -> ConsoleAccess.asset(exchange, "console.js"));
        from("platform-http:/console.css?httpMethodRestrict=GET").routeId("console-style")
                .process(exchange -> ConsoleAccess.asset(exchange, "console.css"));

        answer("/api/instance", "console-instance", "instance", ConsoleAccess::json);
        answer("/api/flows", "console-flows", "flows", ConsoleAccess::json);
        from("platform-http:/api/flows/{flow}/{action}?httpMethodRestrict=POST").routeId("console-control")
                .process(ConsoleAccess::requireToken)
                .to(CONSOLE + "?method=control(${header.flow}, ${header.action})").process(ConsoleAccess::json);
        answer("/api/steps", "console-steps", "steps", ConsoleAccess::json);
        answer("/api/topics", "console-topics", "topics", ConsoleAccess::json);
        answer("/api/topics/{topic}/messages", "console-messages", "messages(${header.topic}, ${header.partition}, ${header.offset})",
                ConsoleAccess::json);
        answer("/api/groups", "console-groups", "groups", ConsoleAccess::json);
        answer("/api/sinks", "console-sinks", "sinks", ConsoleAccess::json);

        // Kubernetes probes: live while the application runs; ready when every flow runs and its systems answer
        answer("/health/live", "health-live", "live", ConsoleAccess::health);
        answer("/health/ready", "health-ready", "ready", ConsoleAccess::health);
        answer("/api/health", "console-health", "ready", ConsoleAccess::health);

        answer("/metrics", "metrics", "metrics",
                exchange -> exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"));
    }

    /** A GET that calls one method of the console bean and hands its result to {@code answer}. */
    private void answer(String path, String routeId, String consoleMethod, Processor answer) {
        from("platform-http:" + path + "?httpMethodRestrict=GET").routeId(routeId)
                .to(CONSOLE + "?method=" + consoleMethod)
                .process(answer);
    }
}
