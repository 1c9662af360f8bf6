package source;

/** The SQL a poll runs for one table in incrementing mode: rows after the offset, in order, a batch at a time. */
public final class TableQuery {

    private TableQuery() {
    }

    /** {@code SELECT * FROM "T" WHERE "col" > ? ORDER BY "col" LIMIT ?}; parameters: last value, batch size. */
    public static String incrementing(String table, String incrementingColumn) {
        String column = quote(incrementingColumn);
        return "SELECT * FROM " + quote(table) + " WHERE " + column + " > ? ORDER BY " + column + " ASC LIMIT ?";
    }

    /** A PostgreSQL identifier, quoted so that keywords ({@code index}, {@code timestamp}) and case survive. */
    public static String quote(String identifier) {
        if (identifier == null || identifier.isEmpty() || identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid SQL identifier '" + identifier + "'");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
