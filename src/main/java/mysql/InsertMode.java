package mysql;

import java.util.Locale;

/** How the sink writes a row: plain insert, or insert-or-update on the key (idempotent on replay). */
public enum InsertMode {
    INSERT, UPSERT;

    public static InsertMode parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("mysql.insert.mode must be insert or upsert, was '" + value + "'");
        }
    }
}
