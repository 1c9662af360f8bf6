package source;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import progress.PipelineProgress;

/**
 * When a source route's {@code from: sql:} polls (its {@code pollStrategy} and {@code exceptionHandler}).
 * The consumer is greedy: after a poll that read rows it polls again at once, so a backlog is read batch
 * after batch; once a batch did not fill up, that immediate poll is skipped and the next one waits
 * source.poll.interval.ms. After a failure (PostgreSQL unreachable, a Kafka transaction not committed),
 * polls are skipped for a while that doubles with each failure in a row, from 0.5 s up to 30 s, and the
 * failure is logged as one line.
 */
public class CapturePolls implements PollingConsumerPollStrategy, ExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(CapturePolls.class);
    static final Duration MIN_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final String table;
    private final String routeId;
    private final PipelineProgress progress;
    private final LongSupplier nanoClock;
    private volatile boolean holdNextImmediatePoll;
    private volatile int consecutiveFailures;
    private volatile long nextAttemptNanos;
    private volatile BooleanSupplier leading = () -> true;

    public CapturePolls(String table, String routeId, PipelineProgress progress) {
        this(table, routeId, progress, System::nanoTime);
    }

    CapturePolls(String table, PipelineProgress progress, LongSupplier nanoClock) {
        this(table, "source-" + table, progress, nanoClock);
    }

    CapturePolls(String table, String routeId, PipelineProgress progress, LongSupplier nanoClock) {
        this.table = table;
        this.routeId = routeId;
        this.progress = progress;
        this.nanoClock = nanoClock;
        this.nextAttemptNanos = nanoClock.getAsLong();
    }

    /** Whether this instance polls the table now: a restart after a failed transaction must not start a route another instance owns. */
    void onlyWhileLeading(BooleanSupplier leading) {
        this.leading = leading;
    }

    /** The batch just read did not fill up (or sent nothing): the greedy consumer's immediate poll is skipped. */
    void holdNextImmediatePoll() {
        holdNextImmediatePoll = true;
    }

    /** A poll's rows and offset are committed in Kafka. */
    void succeeded() {
        consecutiveFailures = 0;
    }

    /** A poll or its Kafka transaction failed: the next polls wait, longer each time. */
    void failed(String reason) {
        int failures = ++consecutiveFailures;
        progress.add(PipelineProgress.errors(routeId), 1);
        Duration backoff = backoff(failures);
        nextAttemptNanos = nanoClock.getAsLong() + backoff.toNanos();
        LOG.warn("Source {}: poll failed ({} in a row), next attempt in {} ms: {}", table, failures, backoff.toMillis(), reason);
    }

    static Duration backoff(int failures) {
        Duration backoff = MIN_BACKOFF.multipliedBy(1L << Math.min(failures - 1, 10));
        return backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        if (holdNextImmediatePoll) {
            holdNextImmediatePoll = false;
            return false;
        }
        return nanoClock.getAsLong() - nextAttemptNanos >= 0;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        if (polledMessages == 0) {
            succeeded(); // the table answered; a poll that read rows is judged once its Kafka transaction ended (TableCapture)
        }
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        failed(rootMessage(cause));
        return false; // no immediate retry: the next poll comes after the backoff
    }

    // the consumer's exception handler: rollback above has already logged the failure as one line
    @Override
    public void handleException(Throwable exception) {
        LOG.debug("Source {}: {}", table, exception.getMessage(), exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        LOG.debug("Source {}: {}", table, message, exception);
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        LOG.debug("Source {}: {}", table, message, exception);
    }

    /**
     * camel-kafka closes a producer whose transaction failed and does not make a new one: restarting the
     * route (from another thread, as a route cannot stop itself from its own consumer) starts a new
     * producer, which first aborts whatever its transactional id left open. Tried again until it works.
     */
    void restartRoute(CamelContext context, String routeId) {
        if (routeId == null || context.isStopping()) {
            return;
        }
        if (!leading.getAsBoolean()) {
            // another instance polls the table now (this route was started just as the lock went): it stops here
            // instead of failing poll after poll with a fenced producer
            Thread stopper = new Thread(() -> {
                try {
                    context.getRouteController().stopRoute(routeId);
                } catch (Exception e) {
                    LOG.debug("Source {}: stopping route {} failed", table, routeId, e);
                }
            }, "stop-" + routeId);
            stopper.setDaemon(true);
            stopper.start();
            return;
        }
        holdNextImmediatePoll = false; // the restarted consumer's first poll is a scheduled one
        Thread restarter = new Thread(() -> {
            // a new producer starts by registering its transactional id with Kafka, which fails while Kafka is away
            for (int attempt = 1; !context.isStopping() && leading.getAsBoolean(); attempt++) {
                try {
                    // a flow paused in the console stays paused
                    boolean paused = context.getRouteController().getRouteStatus(routeId) == ServiceStatus.Suspended;
                    context.getRouteController().stopRoute(routeId);
                    context.getRouteController().startRoute(routeId);
                    if (paused) {
                        context.getRouteController().suspendRoute(routeId);
                    }
                    return;
                } catch (Exception e) {
                    Duration pause = backoff(attempt);
                    LOG.warn("Source {}: could not restart route {} ({}), trying again in {} ms", table, routeId,
                            rootMessage(e), pause.toMillis());
                    try {
                        Thread.sleep(pause.toMillis());
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }, "restart-" + routeId);
        restarter.setDaemon(true);
        restarter.start();
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
