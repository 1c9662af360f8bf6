package config;

import java.util.Locale;

/** A bad setting: its message is one line that names the setting, and its value unless the value is a secret. */
public class ConfigurationException extends IllegalArgumentException {

    public ConfigurationException(String setting, String value, String problem) {
        super("Invalid configuration: " + setting + (value == null || isSecret(setting) ? "" : " = '" + value + "'") + " " + problem);
    }

    private static boolean isSecret(String setting) {
        String lower = setting.toLowerCase(Locale.ROOT);
        return lower.contains("password") || lower.contains("secret") || lower.contains("token");
    }
}
