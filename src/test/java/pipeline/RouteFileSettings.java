package pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings for booting one route file alone under camel-test-main, as the application boots it: the test
 * stack's addresses, every other flow off, then the test's own settings. They are given as system
 * properties (known only once the stack runs), which win over application.properties.
 */
final class RouteFileSettings {

    private static final List<String> FLOWS = List.of("source", "mysql", "s3", "console", "generator");

    private RouteFileSettings() {
    }

    /** Sets the properties for {@code flow} alone and returns them, for {@link #forget}. */
    static Map<String, String> alone(String flow, Map<String, String> own) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(TestStack.get().connectionProperties());
        FLOWS.stream().filter(other -> !other.equals(flow)).forEach(other -> settings.put(other + ".enabled", "false"));
        settings.putAll(own);
        settings.forEach(System::setProperty);
        return settings;
    }

    /** Sets the test stack's addresses and then {@code own} (which switches flows on and off itself), for {@link #forget}. */
    static Map<String, String> with(Map<String, String> own) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(TestStack.get().connectionProperties());
        settings.putAll(own);
        settings.forEach(System::setProperty);
        return settings;
    }

    static void forget(Map<String, String> settings) {
        settings.keySet().forEach(System::clearProperty);
    }
}
