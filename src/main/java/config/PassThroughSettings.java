package config;

import java.util.Locale;
import java.util.Properties;

import org.apache.camel.spi.PropertiesComponent;

/**
 * Settings the pipeline hands on without knowing them, such as kafka.client.sasl.jaas.config for every Kafka
 * client. Read directly rather than as placeholders, so that Camel's start-up summary never prints these values,
 * which often hold credentials.
 */
public final class PassThroughSettings {

    private PassThroughSettings() {
    }

    /**
     * Every setting under {@code prefix}, with the prefix removed: from application.properties, then JVM
     * system properties, then environment variables ({@code KAFKA_CLIENT_SASL_JAAS_CONFIG}), each overriding
     * the one before.
     */
    public static Properties withPrefix(PropertiesComponent properties, String prefix) {
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
}
