package sink;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a sink route does with a failure retrying cannot fix: it stops, as a failed Connect task does. */
public final class SinkFailures {

    private static final Logger LOG = LoggerFactory.getLogger(SinkFailures.class);

    private SinkFailures() {
    }

    /**
     * Stops the route of the failed exchange. The exchange itself still fails, so its batch is neither
     * committed nor skipped: after a restart the sink starts again at the same record.
     */
    public static void haltRoute(Exchange exchange) {
        String routeId = exchange.getFromRouteId();
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        // the halt itself, not the split steps it passed through ("Multicast processing failed for number 0 ...")
        Throwable cause = caught;
        while (cause != null && !(cause instanceof SinkHaltException)) {
            cause = cause.getCause();
        }
        Throwable reason = cause == null ? caught : cause;
        LOG.error("Stopping route {}: {}", routeId, reason == null ? "unknown error" : reason.getMessage());
        CamelContext context = exchange.getContext();
        // the route cannot stop from inside its own consumer thread: that thread is what stopping waits for
        Thread stopper = new Thread(() -> {
            try {
                context.getRouteController().stopRoute(routeId);
            } catch (Exception e) {
                LOG.warn("Could not stop route {}: {}", routeId, e.getMessage());
            }
        }, "halt-" + routeId);
        stopper.setDaemon(true);
        stopper.start();
    }
}
