package s3;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import record.Row;
import sink.SinkRecord;

/**
 * One folder per period of {@code s3.partition.duration.ms}, named by {@code s3.path.format} in
 * {@code s3.timezone}, as Connect's TimeBasedPartitioner does: the record's time (from the timestamp
 * extractor) is rounded down to the start of its period, in local time, and formatted.
 */
public final class TimeBasedPartitioner implements Partitioner {

    // keeps a scan over a long outage bounded: a folder per period, at most this many
    private static final int MAX_FOLDERS_TO_SCAN = 10_000;

    private final DateTimeFormatter format;
    private final long durationMillis;
    private final ZoneId zone;
    private final TimestampExtractor extractor;

    public TimeBasedPartitioner(String pathFormat, long durationMillis, ZoneId zone, Locale locale, TimestampExtractor extractor) {
        if (durationMillis <= 0) {
            throw new IllegalArgumentException("partition duration must be positive");
        }
        this.format = DateTimeFormatter.ofPattern(javaTimePattern(pathFormat), locale).withZone(zone);
        this.durationMillis = durationMillis;
        this.zone = zone;
        this.extractor = extractor;
    }

    /**
     * Connect's path formats are Joda-Time patterns, where {@code Y} is the year; in java.time {@code Y}
     * is the week-based year (2024-12-30 is in week-year 2025), so it becomes {@code y}. Quoted text is
     * left alone.
     */
    static String javaTimePattern(String jodaPattern) {
        StringBuilder pattern = new StringBuilder(jodaPattern.length());
        boolean quoted = false;
        for (char c : jodaPattern.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
            }
            pattern.append(!quoted && c == 'Y' ? 'y' : c);
        }
        return pattern.toString();
    }

    @Override
    public String encodedPartition(SinkRecord record, Row value) {
        return folderAt(extractor.timestamp(record, value));
    }

    String folderAt(long epochMillis) {
        return format.format(Instant.ofEpochMilli(periodStart(epochMillis)));
    }

    /** The start of the period holding this time, counted in local time so that days start at local midnight. */
    long periodStart(long epochMillis) {
        long offset = zone.getRules().getOffset(Instant.ofEpochMilli(epochMillis)).getTotalSeconds() * 1000L;
        long local = epochMillis + offset;
        return Math.floorDiv(local, durationMillis) * durationMillis - offset;
    }

    @Override
    public boolean needsValue() {
        return extractor.needsValue();
    }

    @Override
    public boolean deterministic() {
        return extractor.deterministic();
    }

    @Override
    public List<String> foldersBetween(long fromMillis, long toMillis) {
        Set<String> folders = new LinkedHashSet<>();
        long period = periodStart(fromMillis);
        for (int i = 0; period <= toMillis && i < MAX_FOLDERS_TO_SCAN; i++) {
            folders.add(folderAt(period));
            period = periodStart(period + durationMillis);
        }
        folders.add(folderAt(toMillis));
        return new ArrayList<>(folders);
    }
}
