package config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The settings of one flow (or of what the flows share), each declared once: its name, type, default,
 * the values it takes and what it means, as Kafka Connect's {@code ConfigDef} does. The flow's Java reads
 * them parsed and checked ({@link #parse}); its route file reads the same names as placeholders
 * ({@code {{s3.flush.size}}}), whose defaults come from here ({@link SettingDefaults}); the README's settings
 * table is printed from here ({@link PipelineSettings#markdownTable()}).
 */
public final class SettingsDefinition {

    public enum Type {
        BOOLEAN, INT, LONG, STRING, LIST,
        /** A string that is never logged, shown or put into an error message. */
        PASSWORD
    }

    /**
     * One setting.
     *
     * @param defaultValue its value when nothing sets it, as it would be written in application.properties;
     *                     null when it has none (then it must be set)
     * @param rule         what values it takes beyond its type; {@link Rules#ANY} for any
     */
    public record Setting(String name, Type type, String defaultValue, Rule rule, String doc) {

        /** The value for {@code raw} (null: not set), or a {@link ConfigurationException} naming this setting. */
        Object parse(String raw) {
            String text = raw == null ? defaultValue : raw;
            if (text == null) {
                throw new ConfigurationException(name, null, "is missing");
            }
            Object value = switch (type) {
                case PASSWORD -> text;
                case STRING -> text.trim();
                case BOOLEAN -> switch (text.trim().toLowerCase(Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new ConfigurationException(name, text.trim(), "must be true or false");
                };
                case INT -> number(text, Integer::parseInt);
                case LONG -> number(text, Long::parseLong);
                case LIST -> Arrays.stream(text.split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList();
            };
            value = rule.normalize(value);
            String problem = rule.problem(value);
            if (problem != null) {
                throw new ConfigurationException(name, type == Type.PASSWORD ? null : text.trim(), problem);
            }
            return value;
        }

        private Object number(String text, Function<String, Object> parser) {
            try {
                return parser.apply(text.trim());
            } catch (NumberFormatException e) {
                throw new ConfigurationException(name, text.trim(), rule.describe().isEmpty()
                        ? "must be a whole number" : "must be " + rule.describe());
            }
        }
    }

    /** What values a setting takes beyond its type (Connect's {@code ConfigDef.Validator}). */
    public interface Rule {

        /** null when {@code value} is fine, else what is wrong with it, as "must be ...". */
        String problem(Object value);

        /** The values it takes, for the settings table and messages ("a positive whole number"); empty for any. */
        String describe();

        /** The value as the flow reads it (a choice in lower case). */
        default Object normalize(Object value) {
            return value;
        }
    }

    private final String title;
    private final List<String> enabledBy;
    private final Map<String, Setting> settings = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final List<Consumer<ParsedSettings>> checks = new ArrayList<>();

    /**
     * @param title     what these settings are about, as the settings table heads them
     * @param enabledBy the boolean settings that switch on the flows these settings are for (declared here or in
     *                  another flow's definition): they are read and checked when any of them is true; none: always
     */
    public SettingsDefinition(String title, String... enabledBy) {
        this.title = title;
        this.enabledBy = List.of(enabledBy);
    }

    public SettingsDefinition define(String name, Type type, String defaultValue, Rule rule, String doc) {
        if (settings.putIfAbsent(name, new Setting(name, type, defaultValue, rule, doc)) != null) {
            throw new IllegalStateException(name + " is defined twice");
        }
        return this;
    }

    public SettingsDefinition define(String name, Type type, String defaultValue, String doc) {
        return define(name, type, defaultValue, Rules.ANY, doc);
    }

    /**
     * A check of these settings together, which no single setting's rule can make (it throws a
     * {@link ConfigurationException}); run once they are all parsed, when they are read at all.
     */
    public SettingsDefinition check(Consumer<ParsedSettings> check) {
        checks.add(check);
        return this;
    }

    void check(ParsedSettings settings) {
        checks.forEach(check -> check.accept(settings));
    }

    /** A sentence for the settings table, after these settings: what no single setting says. */
    public SettingsDefinition note(String text) {
        notes.add(text);
        return this;
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    public String title() {
        return title;
    }

    public List<String> enabledBy() {
        return enabledBy;
    }

    public List<Setting> settings() {
        return Collections.unmodifiableList(new ArrayList<>(settings.values()));
    }

    public Optional<Setting> setting(String name) {
        return Optional.ofNullable(settings.get(name));
    }

    /**
     * Every setting parsed and checked, each read through {@code lookup} (null: not set, so its default);
     * the first bad one throws a {@link ConfigurationException} naming it.
     */
    public Map<String, Object> parse(Function<String, String> lookup) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Setting setting : settings.values()) {
            values.put(setting.name(), setting.parse(lookup.apply(setting.name())));
        }
        return values;
    }
}
