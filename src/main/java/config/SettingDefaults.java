package config;

import java.util.Map;

import org.apache.camel.Ordered;
import org.apache.camel.spi.PropertiesSource;

/**
 * The flows' declared defaults as Camel's last source of properties: a route file's {@code {{s3.flush.size}}}
 * resolves to what application.properties, a JVM system property or an environment variable sets, else to the
 * default its flow declares. Camel's properties component finds it at start-up through
 * {@code META-INF/services/org/apache/camel/properties-source-factory}, so route files resolve the same
 * under the application, camel:run and the route tests.
 */
public final class SettingDefaults implements PropertiesSource, Ordered {

    static final String NAME = "kafka-pipeline setting defaults";

    private final Map<String, String> defaults = PipelineSettings.defaults();

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String getProperty(String name) {
        return defaults.get(name);
    }

    @Override
    public int getOrder() {
        // after every file and location source: a default is only the last resort
        return Ordered.LOWEST;
    }
}
