package console;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.NamedRoute;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

/**
 * How many exchanges reached each step of every route: the console's Steps and {@code /metrics}
 * ({@code pipeline_step_exchanges_total}). Camel counts per step only with JMX management, which this application
 * leaves out; here each step's processor is wrapped once, as it is created, with a counter (a sink's batch, a
 * source's poll, a split's part is one exchange, so it costs a few increments per batch, not per record).
 */
final class StepCounts implements InterceptStrategy {

    /** One step's count. */
    record Counted(String route, String id, String step, LongAdder exchanges) {
    }

    private final Map<String, Counted> counts = new ConcurrentHashMap<>();

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target, Processor nextTarget) {
        String route = routeOf(definition);
        if (route == null || definition.getId() == null) {
            return target;
        }
        Counted counted = counts.computeIfAbsent(route + "/" + definition.getId(),
                key -> new Counted(route, definition.getId(), definition.getShortName(), new LongAdder()));
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                counted.exchanges().increment();
                return super.process(exchange, callback);
            }
        };
    }

    /** The exchanges that reached step {@code id} of route {@code route}, or null when it is not counted. */
    Long count(String route, String id) {
        Counted counted = counts.get(route + "/" + id);
        return counted == null ? null : counted.exchanges().sum();
    }

    Collection<Counted> all() {
        return counts.values();
    }

    private static String routeOf(NamedNode node) {
        for (NamedNode at = node; at != null; at = at.getParent()) {
            if (at instanceof NamedRoute route) {
                return route.getRouteId();
            }
        }
        return null;
    }
}
