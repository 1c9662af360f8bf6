package source;

/**
 * The SQL a poll runs: rows after the offset in the mode's order, a batch at a time. Pure string
 * building, so every mode's query is unit-tested; values are always parameters.
 *
 * <p>When reading a table (not a custom query), each row also carries how old its inserting transaction
 * is and how old the oldest transaction still in flight is (same statement, same snapshot): a row whose
 * transaction is younger than one still in flight may have overtaken a row that is not committed yet.
 */
public final class TableQuery {

    /** Age of the row's inserting transaction ({@code age(xmin)}). */
    public static final String ROW_XID_AGE = "__pipeline_row_xid_age";
    /** Age of the oldest transaction in flight when the snapshot was taken. */
    public static final String HORIZON_XID_AGE = "__pipeline_horizon_xid_age";

    private TableQuery() {
    }

    /**
     * The poll's query. Its parameters, in order: incrementing mode {@code (incrementing, limit)}; timestamp
     * mode {@code (timestamp, delay seconds, limit)}; timestamp+incrementing {@code (timestamp, incrementing,
     * timestamp, delay seconds, limit)}; bulk none. A first poll binds values before every row (the
     * smallest long, -infinity), so one statement serves every poll.
     *
     * @param table the table, or null when {@code customQuery} is used
     */
    public static String select(CaptureMode mode, String table, String customQuery, String incrementing, String timestamp) {
        StringBuilder sql = new StringBuilder(selectRows(table, customQuery, mode != CaptureMode.BULK));
        String inc = incrementing == null ? null : "t." + quote(incrementing);
        String ts = timestamp == null ? null : "t." + quote(timestamp);
        switch (mode) {
            case INCREMENTING -> sql.append(" WHERE ").append(inc).append(" > ?")
                    .append(" ORDER BY ").append(inc).append(" ASC LIMIT ?");
            case TIMESTAMP -> sql.append(" WHERE ").append(ts).append(" > ? AND ")
                    .append(ts).append(" < ").append(timestampUpperBound()).append(" ORDER BY ").append(ts).append(" ASC LIMIT ?");
            case TIMESTAMP_INCREMENTING -> sql.append(" WHERE ")
                    .append("((").append(ts).append(" = ? AND ").append(inc).append(" > ?) OR ").append(ts).append(" > ?) AND ")
                    .append(ts).append(" < ").append(timestampUpperBound())
                    .append(" ORDER BY ").append(ts).append(" ASC, ").append(inc).append(" ASC LIMIT ?");
            case BULK -> {
                // the whole table, every poll
            }
        }
        return sql.toString();
    }

    /** Every row of one timestamp, for a group larger than a batch (timestamp mode cannot cut inside a group). */
    public static String timestampGroup(String table, String customQuery, String timestamp) {
        return selectRows(table, customQuery, true) + " WHERE t." + quote(timestamp) + " = ?";
    }

    /** {@code "T" t}, or a custom query as the subquery {@code (...) t}. */
    public static String from(String table, String customQuery) {
        return (table != null ? quote(table) : "(" + customQuery + ")") + " t";
    }

    /** Every column, and for a table read for new rows, the two transaction ages (a custom query has no xmin). */
    private static String selectRows(String table, String customQuery, boolean withTransactionAges) {
        String ages = table != null && withTransactionAges
                ? ", age(t.xmin) AS \"" + ROW_XID_AGE + "\", age(pg_snapshot_xmin(pg_current_snapshot())::xid) AS \"" + HORIZON_XID_AGE + "\""
                : "";
        return "SELECT t.*" + ages + " FROM " + from(table, customQuery);
    }

    /** Rows younger than source.timestamp.delay.interval.ms wait: their transactions may not all be committed. */
    private static String timestampUpperBound() {
        return "LOCALTIMESTAMP - make_interval(secs => ?)";
    }

    /** A PostgreSQL identifier, quoted so that keywords ({@code index}, {@code timestamp}) and case survive. */
    public static String quote(String identifier) {
        if (identifier == null || identifier.isEmpty() || identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid SQL identifier '" + identifier + "'");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
