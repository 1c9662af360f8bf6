package config;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/** The values a setting takes beyond its type: the rules the flows' settings use. */
public final class Rules {

    private Rules() {
    }

    /** Any value of the setting's type. */
    public static final SettingsDefinition.Rule ANY = rule("", value -> true, "");

    /** A string with something in it. */
    public static final SettingsDefinition.Rule NOT_EMPTY = rule("not empty", value -> !value.toString().isEmpty(), "must not be empty");

    /** A list naming at least one thing. */
    public static final SettingsDefinition.Rule AT_LEAST_ONE = rule("at least one name",
            value -> !((List<?>) value).isEmpty(), "must list at least one name");

    public static final SettingsDefinition.Rule POSITIVE = atLeast(1);

    public static final SettingsDefinition.Rule ZERO_OR_MORE = atLeast(0);

    /** A whole number of at least {@code min}. */
    public static SettingsDefinition.Rule atLeast(long min) {
        String describe = min == 1 ? "a positive whole number" : min == 0 ? "a whole number, zero or more" : "a whole number, at least " + min;
        return rule(describe, value -> ((Number) value).longValue() >= min, "must be " + describe);
    }

    /** One of {@code choices}, in any case; the flow reads it in lower case. */
    public static SettingsDefinition.Rule oneOf(String... choices) {
        String listed = String.join(", ", choices);
        List<String> lower = List.of(choices).stream().map(choice -> choice.toLowerCase(Locale.ROOT)).toList();
        return new SettingsDefinition.Rule() {
            @Override
            public String problem(Object value) {
                return lower.contains(value.toString()) ? null : "must be one of " + listed;
            }

            @Override
            public String describe() {
                return "one of " + listed;
            }

            @Override
            public Object normalize(Object value) {
                return value.toString().toLowerCase(Locale.ROOT);
            }
        };
    }

    /** A rule of its own: {@code problem} is the message when {@code valid} refuses a value. */
    public static SettingsDefinition.Rule rule(String describe, Predicate<Object> valid, String problem) {
        return new SettingsDefinition.Rule() {
            @Override
            public String problem(Object value) {
                return valid.test(value) ? null : problem;
            }

            @Override
            public String describe() {
                return describe;
            }
        };
    }
}
