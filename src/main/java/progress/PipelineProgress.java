package progress;

import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

import config.Rules;
import config.SettingsDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Running totals of what each flow moved, logged as one line per interval when something changed, so a
 * dev run shows data flowing without a line per record.
 */
public class PipelineProgress {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineProgress.class);

    public static final SettingsDefinition SETTINGS = new SettingsDefinition("Progress")
            .define("progress.log.interval.ms", SettingsDefinition.Type.INT, "5000", Rules.POSITIVE,
                    "how often the one-line progress summary is logged (only when something moved)");

    private static final long RATE_WINDOW_MILLIS = 60_000;

    private final Map<String, AtomicLong> totals = new ConcurrentHashMap<>();
    private final Map<String, String> positions = new ConcurrentHashMap<>();
    private final Map<String, Long> reported = new ConcurrentHashMap<>();
    // (time, totals) taken at every progress tick over the last minute, for rates
    private final Deque<Sample> samples = new ConcurrentLinkedDeque<>();

    private record Sample(long atMillis, Map<String, Long> totals) {
    }

    public PipelineProgress() {
        samples.add(new Sample(System.currentTimeMillis(), Map.of())); // every counter starts at zero
    }

    /** The counter of what the flow (route) {@code flowId} wrote; the console and metrics read it by that name. */
    public static String written(String flowId) {
        return flowId + " written";
    }

    /** The counter of the records the flow {@code flowId} sent to the dead-letter topic. */
    public static String deadLetters(String flowId) {
        return flowId + " dead letters";
    }

    /** The counter of the flow's failed polls or write attempts. */
    public static String errors(String flowId) {
        return flowId + " errors";
    }

    public void add(String counter, long amount) {
        totals.computeIfAbsent(counter, k -> new AtomicLong()).addAndGet(amount);
    }

    /** Remembers where a flow stands (a source offset), shown beside its counters. */
    public void position(String counter, String position) {
        positions.put(counter, position);
    }

    public long total(String counter) {
        AtomicLong total = totals.get(counter);
        return total == null ? 0 : total.get();
    }

    public String position(String counter) {
        return positions.get(counter);
    }

    /**
     * Per second over about the last minute: the growth since the oldest sample kept, or since start-up
     * when the pipeline is younger than that.
     */
    public double ratePerSecond(String counter) {
        Sample oldest = samples.peekFirst();
        if (oldest == null) {
            return 0;
        }
        long elapsed = System.currentTimeMillis() - oldest.atMillis();
        return elapsed <= 0 ? 0 : (total(counter) - oldest.totals().getOrDefault(counter, 0L)) * 1000.0 / elapsed;
    }

    /** Takes a sample for the rates (and drops those older than the window), then logs the line. */
    public void tick() {
        long now = System.currentTimeMillis();
        Map<String, Long> snapshot = new java.util.HashMap<>();
        totals.forEach((counter, total) -> snapshot.put(counter, total.get()));
        samples.add(new Sample(now, snapshot));
        while (samples.size() > 2 && now - samples.peekFirst().atMillis() > RATE_WINDOW_MILLIS) {
            samples.pollFirst();
        }
        logIfChanged();
    }

    private void logIfChanged() {
        StringBuilder line = new StringBuilder();
        boolean changed = false;
        for (String counter : totals.keySet().stream().sorted().toList()) {
            long now = total(counter);
            long before = reported.getOrDefault(counter, 0L);
            changed |= now != before;
            reported.put(counter, now);
            if (line.length() > 0) {
                line.append(" | ");
            }
            line.append(counter).append(' ').append(now).append(" (+").append(now - before).append(')');
            String position = positions.get(counter);
            if (position != null) {
                line.append(" at ").append(position);
            }
        }
        if (changed) {
            LOG.info("Progress: {}", line);
        }
    }
}
