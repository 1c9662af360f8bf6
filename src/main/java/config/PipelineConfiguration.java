package config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import progress.PipelineProgress;

/**
 * Starts the Java side of the enabled flows before their routes start: checks every setting first (a bad one
 * stops start-up with a message naming it), then Kafka, then lets each flow build the beans its route file
 * names. What a flow's settings are, and what it builds, is in the flow's own class ({@link PipelineSettings}).
 */
@Configuration
public class PipelineConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineConfiguration.class);

    public static final String PROGRESS = "pipelineProgress";

    @BindToRegistry(PROGRESS)
    public PipelineProgress progress() {
        return new PipelineProgress();
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        // Camel finds SettingDefaults through META-INF/services, and would only say at DEBUG level if it could not
        if (properties.getPropertiesSource(SettingDefaults.NAME) == null) {
            properties.addPropertiesSource(new SettingDefaults());
        }
        warnAboutUnknownSettings(properties);
        ParsedSettings settings = PipelineSettings.parse(name -> properties.resolveProperty(name).orElse(null));
        Properties kafkaClient = KafkaSettings.clientProperties(properties, settings);
        KafkaSettings.requireKafka(kafkaClient, settings.intValue("kafka.startup.timeout.ms"));
        context.getComponent("kafka", KafkaComponent.class).getConfiguration()
                .setAdditionalProperties(toMap(PassThroughSettings.withPrefix(properties, KafkaSettings.CLIENT_PREFIX)));

        // closed after the routes stopped: pools, clients, producers
        List<AutoCloseable> closeAtStop = new ArrayList<>();
        context.addService(new ResourceCloser(closeAtStop), true, true);
        PipelineProgress progress = context.getRegistry().lookupByNameAndType(PROGRESS, PipelineProgress.class);
        FlowSetup setup = new FlowSetup(context, settings, kafkaClient, progress, closeAtStop);
        for (PipelineFlow flow : PipelineSettings.FLOWS) {
            if (settings.bool(flow.enabledBy())) {
                flow.start(setup);
            }
        }
    }

    /** A misspelt setting would change nothing, silently: say so, as Kafka Connect does of unused settings. */
    private static void warnAboutUnknownSettings(PropertiesComponent properties) {
        java.util.Set<String> given = new java.util.TreeSet<>(properties.loadProperties().stringPropertyNames());
        given.addAll(System.getProperties().stringPropertyNames());
        PipelineSettings.unknown(given)
                .forEach((name, problem) -> LOG.warn("{} {}", name, problem));
    }

    private static Map<String, Object> toMap(Properties properties) {
        Map<String, Object> map = new HashMap<>();
        properties.stringPropertyNames().forEach(key -> map.put(key, properties.getProperty(key)));
        return map;
    }
}
