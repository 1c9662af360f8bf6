package config;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
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
    private final String flowName;
    private final ParsedSettings settings;
    private final Properties kafkaClient;
    private final PipelineProgress progress;
    private final List<AutoCloseable> closeAtStop;
    private final Map<String, DataSource> dataSources;
    private final Set<String> givenNames;

    /** @param givenNames the setting names application.properties and the system properties set (a transform's options) */
    FlowSetup(CamelContext context, ParsedSettings settings, Properties kafkaClient, PipelineProgress progress,
              List<AutoCloseable> closeAtStop, Set<String> givenNames) {
        this(context, null, settings, kafkaClient, progress, closeAtStop, new HashMap<>(), Set.copyOf(givenNames));
    }

    private FlowSetup(CamelContext context, String flowName, ParsedSettings settings, Properties kafkaClient,
                      PipelineProgress progress, List<AutoCloseable> closeAtStop, Map<String, DataSource> dataSources,
                      Set<String> givenNames) {
        this.context = context;
        this.flowName = flowName;
        this.settings = settings;
        this.kafkaClient = kafkaClient;
        this.progress = progress;
        this.closeAtStop = closeAtStop;
        this.dataSources = dataSources;
        this.givenNames = givenNames;
    }

    /**
     * The set-up of the flow named {@code flowName}, whose settings are {@code settings} (a second flow's under the
     * first flow's names: {@link NamedFlows#parse}); it shares the pools, clients and progress.
     */
    FlowSetup forFlow(String flowName, ParsedSettings settings) {
        return new FlowSetup(context, flowName, settings, kafkaClient, progress, closeAtStop, dataSources, givenNames);
    }

    /** The name of the flow being set up ({@code mysql}, or a second flow's {@code archive}). */
    public String flowName() {
        return flowName;
    }

    /**
     * The name its route file knows bean {@code role} of this flow by: the flow's name then the role
     * ({@code mysql} + {@code Rows} = {@code mysqlRows}; a second flow's {@code archiveRows}).
     */
    public String beanName(String role) {
        return flowName + role;
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

    /**
     * A property as the route files see it (application.properties, system properties, environment), or null: for
     * settings whose names are not declared, such as a transform's options.
     */
    public String property(String name) {
        return context.getPropertiesComponent().resolveProperty(name).orElse(null);
    }

    /**
     * The transforms of this flow (its kind's {@code <kind>.transforms} setting, read as this flow's), configured by
     * the options under the flow that set the list: a second flow that sets none runs the first flow's, as set there;
     * then, for each record, the route {@code <flow>-record} when a route file defines one.
     */
    public transform.Transforms transforms(String kind, boolean schemaRequired) {
        String ownList = flowName + ".transforms";
        String prefix = flowName.equals(kind) || property(ownList) != null ? ownList : kind + ".transforms";
        return transform.Transforms.parse(settings.list(kind + ".transforms"), prefix, this::property, schemaRequired, givenNames)
                .withRecordRoute(flowName + "-record");
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
     * The pool of flow {@code name}'s connection settings, read as {@code <prefix>.connection.url/.user/.password}
     * (a second flow's settings carry the first flow's names), opened by the first flow that asks for it (with
     * {@code poolSize} connections, and {@code tuning} applied) and checked with one connection; later askers
     * share it (the generator shares the source's).
     */
    public DataSource dataSource(String name, String prefix, int poolSize, Consumer<HikariConfig> tuning) {
        DataSource existing = dataSources.get(name);
        if (existing != null) {
            return existing;
        }
        // named as the user sets it: a second flow's archive.connection.url is read here as mysql.connection.url
        String urlProperty = name + ".connection.url";
        String url = settings.string(prefix + ".connection.url");
        String user = settings.string(prefix + ".connection.user");
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
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
            dataSources.put(name, dataSource);
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
