package config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import org.apache.camel.spi.PropertiesComponent;

/**
 * Typed, validated access to application.properties (and their environment variable overrides). Every
 * failure names the property and the value, so bad configuration stops start-up with one clear line.
 */
public final class Settings {

    private final PropertiesComponent properties;

    public Settings(PropertiesComponent properties) {
        this.properties = properties;
    }

    public String string(String name) {
        return properties.resolveProperty(name)
                .orElseThrow(() -> new ConfigurationException(name, null, "is missing"));
    }

    /** A string that must not be blank. */
    public String required(String name) {
        String value = string(name).trim();
        if (value.isEmpty()) {
            throw new ConfigurationException(name, value, "must not be empty");
        }
        return value;
    }

    public String optional(String name, String fallback) {
        return properties.resolveProperty(name).map(String::trim).orElse(fallback);
    }

    public boolean bool(String name) {
        String value = required(name).toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigurationException(name, value, "must be true or false");
        };
    }

    public int positiveInt(String name) {
        String value = required(name);
        try {
            int number = Integer.parseInt(value);
            if (number <= 0) {
                throw new ConfigurationException(name, value, "must be a positive whole number");
            }
            return number;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name, value, "must be a positive whole number");
        }
    }

    public long nonNegativeLong(String name) {
        String value = required(name);
        try {
            long number = Long.parseLong(value);
            if (number >= 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigurationException(name, value, "must be a whole number, zero or more");
    }

    public List<String> list(String name) {
        List<String> values = Arrays.stream(required(name).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (values.isEmpty()) {
            throw new ConfigurationException(name, string(name), "must list at least one name");
        }
        return values;
    }

    /** A comma separated list that may be empty. */
    public List<String> optionalList(String name) {
        return Arrays.stream(optional(name, "").split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    public String oneOf(String name, String... allowed) {
        String value = required(name).toLowerCase(Locale.ROOT);
        for (String candidate : allowed) {
            if (candidate.equals(value)) {
                return value;
            }
        }
        throw new ConfigurationException(name, value, "must be one of " + String.join(", ", allowed));
    }

    /**
     * Every property under {@code prefix}, with the prefix removed (pass-through client settings such as
     * kafka.client.sasl.jaas.config). Read from application.properties, then JVM system properties, then
     * environment variables ({@code KAFKA_CLIENT_SASL_JAAS_CONFIG}), each overriding the one before. Read
     * directly rather than as placeholders, so that Camel's start-up summary never prints these values,
     * which often hold credentials.
     */
    public Properties withPrefix(String prefix) {
        Properties result = new Properties();
        Properties file = properties.loadProperties(key -> key.startsWith(prefix));
        for (String key : file.stringPropertyNames()) {
            result.setProperty(key.substring(prefix.length()), file.getProperty(key).trim());
        }
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                result.setProperty(key.substring(prefix.length()), System.getProperty(key).trim());
            }
        }
        String envPrefix = environmentName(prefix);
        System.getenv().forEach((name, value) -> {
            if (name.startsWith(envPrefix) && name.length() > envPrefix.length()) {
                result.setProperty(propertyName(name.substring(envPrefix.length())), value.trim());
            }
        });
        return result;
    }

    /** kafka.client. -> KAFKA_CLIENT_ (the environment variable form of a property name). */
    static String environmentName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** SASL_JAAS_CONFIG -> sasl.jaas.config: Kafka client settings are lower case, words joined by dots. */
    static String propertyName(String environmentSuffix) {
        return environmentSuffix.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** Thrown for a bad setting; its message names the property. */
    public static class ConfigurationException extends IllegalArgumentException {

        public ConfigurationException(String property, String value, String problem) {
            super("Invalid configuration: " + property + (value == null || isSecret(property) ? "" : " = '" + value + "'")
                    + " " + problem);
        }

        private static boolean isSecret(String property) {
            String lower = property.toLowerCase(Locale.ROOT);
            return lower.contains("password") || lower.contains("secret") || lower.contains("token");
        }
    }
}
