package progress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Running totals of what each flow moved, logged as one line per interval when something changed, so a
 * dev run shows data flowing without a line per record.
 */
public class PipelineProgress {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineProgress.class);

    private final Map<String, AtomicLong> totals = new ConcurrentHashMap<>();
    private final Map<String, String> positions = new ConcurrentHashMap<>();
    private final Map<String, Long> reported = new ConcurrentHashMap<>();

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

    public void logIfChanged() {
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
