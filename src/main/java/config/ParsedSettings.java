package config;

import java.util.List;
import java.util.Map;

/**
 * The settings of the enabled flows, parsed and checked at start-up: what the flows' Java reads. Asking for a
 * setting no enabled flow declares, or as another type, is a bug in the pipeline, not in its configuration.
 */
public final class ParsedSettings {

    private final Map<String, Object> values;

    public ParsedSettings(Map<String, Object> values) {
        this.values = Map.copyOf(values);
    }

    public String string(String name) {
        return get(name, String.class);
    }

    public boolean bool(String name) {
        return get(name, Boolean.class);
    }

    public int intValue(String name) {
        return get(name, Integer.class);
    }

    public long longValue(String name) {
        return get(name, Long.class);
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String name) {
        return get(name, List.class);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The value of {@code name}, whatever its type; null when no enabled flow declares it. */
    public Object value(String name) {
        return values.get(name);
    }

    Map<String, Object> values() {
        return values;
    }

    private <T> T get(String name, Class<T> type) {
        Object value = values.get(name);
        if (value == null) {
            throw new IllegalStateException(name + " is not a setting of an enabled flow");
        }
        if (!type.isInstance(value)) {
            throw new IllegalStateException(name + " is a " + value.getClass().getSimpleName() + ", not a " + type.getSimpleName());
        }
        return type.cast(value);
    }
}
