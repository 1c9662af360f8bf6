package config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import progress.PipelineProgress;
import sink.PartitionOwnership;

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
        Map<String, String> given = givenSettings(properties);
        Function<String, String> lookup = name -> properties.resolveProperty(name).orElse(null);
        // every flow's settings are checked before anything connects
        Map<String, PipelineFlow> secondFlows = NamedFlows.declared(given, PipelineSettings.FLOWS, PipelineSettings.OWN_PREFIXES);
        warnAboutUnknownSettings(given.keySet(), secondFlows);
        ParsedSettings settings = PipelineSettings.parse(lookup, secondFlows);
        List<NamedFlows.Flow> flows = NamedFlows.of(settings, secondFlows, PipelineSettings.FLOWS, lookup);
        NamedFlows.checkApart(flows);
        Properties kafkaClient = KafkaSettings.clientProperties(properties, settings);
        KafkaSettings.requireKafka(kafkaClient, settings.intValue("kafka.startup.timeout.ms"));
        context.getComponent("kafka", KafkaComponent.class).getConfiguration()
                .setAdditionalProperties(toMap(PassThroughSettings.withPrefix(properties, KafkaSettings.CLIENT_PREFIX)));

        // closed after the routes stopped: pools, clients, producers
        List<AutoCloseable> closeAtStop = new ArrayList<>();
        context.addService(new ResourceCloser(closeAtStop), true, true);
        PipelineProgress progress = context.getRegistry().lookupByNameAndType(PROGRESS, PipelineProgress.class);
        FlowSetup setup = new FlowSetup(context, settings, kafkaClient, progress, closeAtStop, given.keySet());
        // camel-kafka subscribes every sink's consumer through it: the partitions each sink holds here, rebalance events
        context.getRegistry().bind(PartitionOwnership.BEAN_NAME, new PartitionOwnership());
        for (NamedFlows.Flow flow : flows) {
            try {
                flow.kind().start(setup.forFlow(flow.name(), flow.settings()));
            } catch (RuntimeException e) {
                // a second flow's settings are read under the first flow's names: name the second flow's own
                String message = NamedFlows.ownNames(flow.kind(), flow.name(), e.getMessage());
                if (message == null || message.equals(e.getMessage())) {
                    throw e;
                }
                throw e instanceof IllegalArgumentException ? new IllegalArgumentException(message, e) : new IllegalStateException(message, e);
            }
        }
        // what routes.FlowRoutes makes the flows' routes from
        context.getRegistry().bind(NamedFlows.BEAN, new NamedFlows(flows));
    }

    /** The settings application.properties and the system properties set, by name. */
    private static Map<String, String> givenSettings(PropertiesComponent properties) {
        Map<String, String> given = new TreeMap<>();
        Properties loaded = properties.loadProperties();
        loaded.stringPropertyNames().forEach(name -> given.put(name, loaded.getProperty(name)));
        System.getProperties().stringPropertyNames().forEach(name -> given.put(name, System.getProperty(name)));
        return given;
    }

    /** A misspelt setting would change nothing, silently: say so, as Kafka Connect does of unused settings. */
    private static void warnAboutUnknownSettings(Set<String> given, Map<String, PipelineFlow> secondFlows) {
        PipelineSettings.unknown(given).forEach((name, problem) -> LOG.warn("{} {}", name, problem));
        NamedFlows.unknown(given, secondFlows).forEach((name, problem) -> LOG.warn("{} {}", name, problem));
    }

    private static Map<String, Object> toMap(Properties properties) {
        Map<String, Object> map = new HashMap<>();
        properties.stringPropertyNames().forEach(key -> map.put(key, properties.getProperty(key)));
        return map;
    }
}
