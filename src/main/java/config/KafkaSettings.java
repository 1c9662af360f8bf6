package config;

import static config.SettingsDefinition.Type.BOOLEAN;
import static config.SettingsDefinition.Type.INT;
import static config.SettingsDefinition.Type.STRING;

import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.spi.PropertiesComponent;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;

/** The Kafka cluster every flow uses: its settings, and the checks and topics the pipeline needs before the routes start. */
public final class KafkaSettings {

    /** Kafka client settings passed through to every producer, consumer and admin client. */
    public static final String CLIENT_PREFIX = "kafka.client.";

    public static final SettingsDefinition SETTINGS = new SettingsDefinition("Kafka")
            .define("kafka.bootstrap.servers", STRING, "localhost:9092", Rules.NOT_EMPTY, "brokers, host:port[,host:port]")
            .define("kafka.schemas.enable", BOOLEAN, "true",
                    "true: values and keys in Kafka Connect's JsonConverter envelope {\"schema\":..., \"payload\":...}; "
                            + "false: plain JSON objects (smaller, but sinks must infer types)")
            .define("kafka.compression.type", STRING, "lz4", Rules.oneOf("none", "gzip", "snappy", "lz4", "zstd"),
                    "producer compression (the envelope repeats the schema in every record)")
            .define("kafka.startup.timeout.ms", INT, "30000", Rules.POSITIVE,
                    "at start-up, how long to wait for a broker before stopping with exit code 1, naming kafka.bootstrap.servers "
                            + "(an orchestrator then restarts the pipeline)")
            .note("Any other Kafka client setting, for every producer, consumer and admin client of the pipeline: "
                    + "`kafka.client.<name>`, e.g. `kafka.client.security.protocol=SASL_SSL`, `kafka.client.sasl.jaas.config=...` "
                    + "(read directly, so that Camel's start-up summary never prints them: they often hold credentials).");

    private KafkaSettings() {
    }

    /** What every Kafka client of the pipeline is given: bootstrap.servers, the kafka.client.* settings, timeouts. */
    static Properties clientProperties(PropertiesComponent properties, ParsedSettings settings) {
        Properties props = PassThroughSettings.withPrefix(properties, CLIENT_PREFIX);
        props.put("bootstrap.servers", settings.string("kafka.bootstrap.servers"));
        // a missing broker must fail start-up within a minute, not hang it
        props.putIfAbsent("default.api.timeout.ms", "60000");
        props.putIfAbsent("request.timeout.ms", "30000");
        return props;
    }

    /**
     * Stops start-up, naming the property, when no broker answers within kafka.startup.timeout.ms:
     * otherwise every flow would start and the Kafka clients would log connection warnings forever while
     * nothing moves and nothing says which setting is wrong.
     */
    static void requireKafka(Properties kafkaClient, int timeoutMs) {
        String servers = kafkaClient.getProperty("bootstrap.servers");
        Properties probe = new Properties();
        probe.putAll(kafkaClient);
        probe.put("default.api.timeout.ms", Integer.toString(timeoutMs));
        probe.put("request.timeout.ms", Integer.toString(Math.min(timeoutMs, 30_000)));
        try (Admin admin = Admin.create(probe)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                    .nodes().get(timeoutMs + 1_000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new ConfigurationException("kafka.bootstrap.servers", servers, "did not answer within "
                    + timeoutMs + " ms (kafka.startup.timeout.ms): " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : " " + cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for kafka.bootstrap.servers=" + servers, e);
        } catch (KafkaException e) {
            throw new ConfigurationException("kafka.bootstrap.servers", servers, "cannot be used: " + FlowSetup.rootMessage(e));
        }
    }

    /** Creates the topics with the broker's defaults unless they exist, so sinks subscribe to them at once. */
    public static void ensureTopics(Properties kafkaClient, List<String> topics) {
        try (Admin admin = Admin.create(kafkaClient)) {
            for (String topic : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()))).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic + " on kafka.bootstrap.servers="
                                + kafkaClient.getProperty("bootstrap.servers") + ": " + e.getCause().getMessage(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
