package config;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import progress.PipelineProgress;

/**
 * What a flow starts with: the Camel context whose registry its route file looks beans up in, the parsed
 * settings of the enabled flows, the Kafka client settings every client shares, and the connection pools,
 * which flows on the same database share.
 */
public final class FlowSetup {

    private static final Logger LOG = LoggerFactory.getLogger(FlowSetup.class);

    private final CamelContext context;
    private final ParsedSettings settings;
    private final Properties kafkaClient;
    private final PipelineProgress progress;
    private final List<AutoCloseable> closeAtStop;
    private final Map<String, DataSource> dataSources = new HashMap<>();

    FlowSetup(CamelContext context, ParsedSettings settings, Properties kafkaClient, PipelineProgress progress,
              List<AutoCloseable> closeAtStop) {
        this.context = context;
        this.settings = settings;
        this.kafkaClient = kafkaClient;
        this.progress = progress;
        this.closeAtStop = closeAtStop;
    }

    public CamelContext context() {
        return context;
    }

    public ParsedSettings settings() {
        return settings;
    }

    /** bootstrap.servers, the kafka.client.* settings and the pipeline's timeouts: a copy for each client. */
    public Properties kafkaClient() {
        Properties copy = new Properties();
        copy.putAll(kafkaClient);
        return copy;
    }

    public PipelineProgress progress() {
        return progress;
    }

    public void bind(String name, Object bean) {
        context.getRegistry().bind(name, bean);
    }

    public <T> T lookup(String name, Class<T> type) {
        return context.getRegistry().lookupByNameAndType(name, type);
    }

    /** Closed after the routes stopped, newest first. */
    public <T extends AutoCloseable> T closeAtStop(T resource) {
        closeAtStop.add(resource);
        return resource;
    }

    /**
     * The pool of {@code <prefix>.connection.url/.user/.password}, opened by the first flow that asks (with
     * {@code poolSize} connections, and {@code tuning} applied) and checked with one connection; later askers
     * share it.
     */
    public DataSource dataSource(String prefix, int poolSize, Consumer<HikariConfig> tuning) {
        DataSource existing = dataSources.get(prefix);
        if (existing != null) {
            return existing;
        }
        String urlProperty = prefix + ".connection.url";
        String url = settings.string(urlProperty);
        String user = settings.string(prefix + ".connection.user");
        HikariConfig config = new HikariConfig();
        config.setPoolName(prefix);
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(settings.string(prefix + ".connection.password"));
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(30_000);
        tuning.accept(config);
        try {
            HikariDataSource dataSource = closeAtStop(new HikariDataSource(config));
            try (Connection ignored = dataSource.getConnection()) {
                LOG.info("Connected to {} = {}", urlProperty, JdbcUrls.withoutSecrets(url));
            }
            dataSources.put(prefix, dataSource);
            return dataSource;
        } catch (RuntimeException | SQLException e) {
            throw new IllegalStateException("Cannot connect to " + urlProperty + " = " + JdbcUrls.withoutSecrets(url)
                    + " as user '" + user + "': " + rootMessage(e), e);
        }
    }

    /** The innermost message of {@code e}: the driver's or the client's own words. */
    public static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
