package source;

/**
 * What one source route captures and how.
 *
 * @param table        the table, or null when {@code customQuery} is set (source.query)
 * @param name         the name offsets and logs use: the table, or "query"
 * @param delayMs      rows whose timestamp is younger than this wait (source.timestamp.delay.interval.ms)
 * @param startFromNow without a stored offset, skip the rows already there (source.start.from=now)
 * @param validateNonNull refuse nullable incrementing/timestamp columns (source.validate.non.null)
 */
public record SourceTableSettings(CaptureMode mode, String table, String customQuery, String name, String topic,
                                  String incrementingColumn, String timestampColumn, int batchMaxRows, long delayMs,
                                  boolean startFromNow, boolean validateNonNull) {

    /** At most this many rows are held as "sent ahead of an open transaction"; then the table waits for it. */
    public static final int MAX_AHEAD_ROWS = 10_000;
}
