package mysql;

import java.util.Locale;

/**
 * How the sink writes a row: plain insert, insert-or-update on the key (idempotent on replay), or update
 * of an existing row only (a record whose row does not exist changes nothing).
 */
public enum InsertMode {
    INSERT, UPSERT, UPDATE;

    public static InsertMode parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
