package source;

import static config.SettingsDefinition.Type.BOOLEAN;
import static config.SettingsDefinition.Type.INT;
import static config.SettingsDefinition.Type.LIST;
import static config.SettingsDefinition.Type.LONG;
import static config.SettingsDefinition.Type.PASSWORD;
import static config.SettingsDefinition.Type.STRING;

import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

import javax.sql.DataSource;

import config.ConfigurationException;
import config.FlowSetup;
import config.Instance;
import config.KafkaSettings;
import config.ParsedSettings;
import config.PipelineFlow;
import config.Rules;
import config.SettingsDefinition;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import record.ConnectJson;

/** The source flow (routes/source.yaml, one route per table): its settings and the captures its routes call. */
public final class SourceFlow implements PipelineFlow {

    private static final Logger LOG = LoggerFactory.getLogger(SourceFlow.class);

    public static final String NAME = "source";
    /** The first source flow's PostgreSQL pool, for routes that name it ({@code sql:...?dataSource=#sourceDataSource}). */
    public static final String DATA_SOURCE = "sourceDataSource";
    /** A flow's captures, bound as the flow's name then this ({@code sourceTables}). */
    public static final String TABLES = "Tables";

    /** Where the source reads, which the generator writes too. */
    public static final SettingsDefinition CONNECTION = new SettingsDefinition("PostgreSQL (the source, and the generator)",
            "source.enabled", "generator.enabled")
            .define("source.connection.url", STRING, "jdbc:postgresql://localhost:5432/postgres", Rules.NOT_EMPTY, "PostgreSQL JDBC URL")
            .define("source.connection.user", STRING, "postgres", "its user")
            .define("source.connection.password", PASSWORD, "", "its password (secret: never logged)");

    public static final SettingsDefinition SETTINGS = new SettingsDefinition("Source: PostgreSQL -> Kafka (routes/source.yaml)",
            "source.enabled")
            .define("source.enabled", BOOLEAN, "true", "run the source flow")
            .define("source.table.whitelist", LIST, "USERS",
                    "tables to stream, comma separated; each goes to the topic `<source.topic.prefix><TABLE>`")
            .define("source.mode", STRING, "incrementing", Rules.oneOf("incrementing", "timestamp", "timestamp+incrementing", "bulk"),
                    "as the Kafka Connect JDBC source: incrementing (new rows by a strictly increasing column), timestamp "
                            + "(new and updated rows by a timestamp column), timestamp+incrementing (both: updates, and no "
                            + "ambiguity between rows sharing a timestamp), bulk (the whole table at every poll); see "
                            + "\"Source modes\" below")
            .define("source.incrementing.column.name", STRING, "index", Rules.NOT_EMPTY,
                    "strictly increasing integer column that identifies new rows")
            .define("source.timestamp.column.name", STRING, "timestamp", Rules.NOT_EMPTY,
                    "timestamp column of the timestamp modes (set on insert and on every update)")
            .define("source.timestamp.delay.interval.ms", LONG, "0", Rules.ZERO_OR_MORE,
                    "rows whose timestamp is younger than this wait, so transactions that stamped them before committing can end")
            .define("source.query", STRING, "",
                    "a custom SELECT instead of the tables, sent to the topic `<source.topic.prefix>`; empty: the tables")
            .define("source.start.from", STRING, "beginning", Rules.oneOf("beginning", "now"),
                    "without a stored offset: beginning (every row already in the table) or now (only rows from now on)")
            .define("source.validate.non.null", BOOLEAN, "true",
                    "refuse nullable incrementing/timestamp columns (a NULL there is never read); false to accept them")
            .define("source.poll.interval.ms", INT, "1000", Rules.POSITIVE, "how often each table is polled")
            .define("source.batch.max.rows", INT, "2000", Rules.POSITIVE,
                    "most rows read and sent in one poll (one Kafka transaction); a backlog is read batch after batch. Larger "
                            + "batches cost heap and GC time (the benchmark: 2,000 moved a backlog end to end with 30 % less "
                            + "CPU than 5,000)")
            .define("source.topic.prefix", STRING, "P_", "topic name prefix")
            .define("source.offsets.topic", STRING, "_kafka_pipeline_source_offsets", Rules.NOT_EMPTY,
                    "compacted topic holding each table's offset, written in the same transaction as the rows")
            .define("source.transactional.id.prefix", STRING, "kafka-pipeline-source", Rules.NOT_EMPTY,
                    "Kafka transactional.id prefix; the table name is appended. The same on every instance of one pipeline "
                            + "(it fences an instance that lost a table), different for two pipelines on one Kafka cluster")
            .define("source.leadership.check.interval.ms", LONG, "2000", Rules.POSITIVE,
                    "how often an instance reads which instance polls which table, takes the tables no instance polls, "
                            + "hands one to a less busy instance, and tells the database it is alive (see \"Running several instances\")")
            .define("source.leadership.lease.ms", LONG, "10000", Rules.POSITIVE,
                    "an instance that has not told the database it is alive for this long (hung, or cut off) loses its "
                            + "tables to another; more than source.leadership.check.interval.ms")
            .check(SourceFlow::checkTogether);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<SettingsDefinition> repeatedSettings() {
        return List.of(CONNECTION, SETTINGS);
    }

    /**
     * A second source flow runs unless switched off, with transactional ids and an offsets topic of its own (the
     * first flow's with the name added): its tables' locks and offsets never mix with the first flow's, even for a
     * table of the same name elsewhere.
     */
    @Override
    public Map<String, String> ownSettings(String flowName, Function<String, Object> first) {
        Object prefix = first.apply("source.transactional.id.prefix");
        Object offsets = first.apply("source.offsets.topic");
        return Map.of("enabled", "true", "transactional.id.prefix", (prefix == null ? "kafka-pipeline-source" : prefix) + "-" + flowName,
                "offsets.topic", (offsets == null ? "_kafka_pipeline_source_offsets" : offsets) + "_" + flowName);
    }

    /** Its transactional ids, and each topic it writes (two flows on one table would send every row twice). */
    @Override
    public List<Claim> claims(ParsedSettings settings) {
        List<Claim> claims = new ArrayList<>();
        claims.add(new Claim("transactional id prefix", "transactional.id.prefix", settings.string("source.transactional.id.prefix")));
        String prefix = settings.string("source.topic.prefix");
        if (!settings.string("source.query").isEmpty()) {
            claims.add(new Claim("topic", "topic.prefix", prefix));
        } else {
            settings.list("source.table.whitelist").forEach(table -> claims.add(new Claim("topic", "topic.prefix", prefix + table)));
        }
        return claims;
    }

    /** One route per table (or one for source.query), each from routes/source.yaml's template: {@code <flow>-<TABLE>}. */
    @Override
    public List<FlowRoute> routes(String flowName, CamelContext context) {
        SourceTables tables = context.getRegistry().lookupByNameAndType(flowName + TABLES, SourceTables.class);
        List<FlowRoute> routes = new ArrayList<>();
        for (int i = 0; i < tables.captures().size(); i++) {
            TableCapture capture = tables.captures().get(i);
            String bean = SourceTables.captureBean(flowName, i);
            routes.add(new FlowRoute(flowName + "-" + capture.name(), "source-table", Map.of("table", capture.name(),
                    "topic", capture.topic(), "capture", bean, "leadership", bean + "-leadership",
                    "queryParameters", String.valueOf(capture.queryParameters()))));
        }
        return routes;
    }

    /** What its settings must be together, which no single setting's rule can see. */
    private static void checkTogether(ParsedSettings settings) {
        long lease = settings.longValue("source.leadership.lease.ms");
        if (lease <= settings.longValue("source.leadership.check.interval.ms")) {
            throw new ConfigurationException("source.leadership.lease.ms", Long.toString(lease),
                    "must be more than source.leadership.check.interval.ms, or an instance would lose its tables between two checks");
        }
        if (settings.string("source.query").isEmpty() && settings.list("source.table.whitelist").isEmpty()) {
            throw new ConfigurationException("source.table.whitelist", null, "must list at least one name (or set source.query)");
        }
    }

    /**
     * A source route's poll holds its connection while its rows are sent to Kafka, and a timestamp group
     * takes a second one meanwhile: two per table, and two for the generator and the console's check.
     */
    public static DataSource dataSource(FlowSetup setup) {
        return dataSource(setup, NAME);
    }

    /** The pool of source flow {@code flowName} ({@code <flow>DataSource}), shared with the generator for the first. */
    private static DataSource dataSource(FlowSetup setup, String flowName) {
        ParsedSettings settings = setup.settings();
        int tables = !settings.has("source.query") || !settings.string("source.query").isEmpty()
                ? 1 : settings.list("source.table.whitelist").size();
        // timestamps without a zone are read and compared as UTC, whatever the server's default zone
        DataSource postgres = setup.dataSource(flowName, NAME, 2 * tables + 2, config -> config.setConnectionInitSql("SET TIME ZONE 'UTC'"));
        setup.bind(flowName + "DataSource", postgres);
        return postgres;
    }

    /**
     * The cluster service whose leadership of a table lets an instance poll it: a PostgreSQL advisory lock on a
     * session of its own, started with the Camel context and stopped after the routes.
     */
    private static TableLeadership leadership(FlowSetup setup) throws Exception {
        ParsedSettings settings = setup.settings();
        String url = settings.string("source.connection.url");
        Properties credentials = new Properties();
        credentials.setProperty("user", settings.string("source.connection.user"));
        credentials.setProperty("password", settings.string("source.connection.password"));
        credentials.setProperty("ApplicationName", "kafka-pipeline source leadership");
        // a dead network link must fail the check within the lease, not after the kernel's retransmissions (minutes)
        String leaseSeconds = Long.toString(Math.max(1, settings.longValue("source.leadership.lease.ms") / 1000));
        credentials.setProperty("socketTimeout", leaseSeconds);
        credentials.setProperty("connectTimeout", leaseSeconds);
        TableLeadership leadership = new TableLeadership(Instance.ID, () -> DriverManager.getConnection(url, credentials),
                settings.longValue("source.leadership.check.interval.ms"), settings.longValue("source.leadership.lease.ms"));
        leadership.setCamelContext(setup.context());
        setup.context().addService(leadership, true, true);
        return leadership;
    }

    @Override
    public void start(FlowSetup setup) throws Exception {
        ParsedSettings settings = setup.settings();
        CaptureMode mode = CaptureMode.parse(settings.string("source.mode"));
        String flowName = setup.flowName();
        DataSource postgres = dataSource(setup, flowName);
        String prefix = settings.string("source.topic.prefix");
        String customQuery = settings.string("source.query");
        ConnectJson json = new ConnectJson(settings.bool("kafka.schemas.enable"));
        OffsetStore offsets = new OffsetStore(settings.string("source.offsets.topic"), setup.kafkaClient());
        // a custom query goes to the prefix alone, as the Connect JDBC source does
        List<String> tables = customQuery.isEmpty() ? settings.list("source.table.whitelist") : Collections.singletonList(null);
        TableLeadership leadership = leadership(setup);
        List<TableCapture> captures = new ArrayList<>();
        for (String table : tables) {
            String name = table == null ? "query" : table;
            String topic = table == null ? prefix : prefix + table;
            SourceTableSettings source = new SourceTableSettings(mode, table, table == null ? customQuery : null, name, topic,
                    settings.string("source.incrementing.column.name"), settings.string("source.timestamp.column.name"),
                    settings.intValue("source.batch.max.rows"), settings.longValue("source.timestamp.delay.interval.ms"),
                    settings.string("source.start.from").equals("now"), settings.bool("source.validate.non.null"));
            String routeId = flowName + "-" + name;
            TableCapture capture = new TableCapture(postgres, source, json, offsets, setup.progress(), routeId);
            capture.validate();
            String bean = SourceTables.captureBean(flowName, captures.size());
            setup.bind(bean, capture);
            setup.bind(bean + "-query", capture.query());
            setup.bind(bean + "-polls", capture.polls());
            // one instance polls the table at a time: the one holding its lock (namespace = its transactional id, as
            // the route names it); taking it over, it reads the offset afresh
            String namespace = settings.string("source.transactional.id.prefix") + "-" + name;
            leadership.beforeLeading(namespace, () -> capture.takeOver(namespace));
            leadership.routeRuns(namespace, () -> {
                ServiceStatus status = setup.context().getRouteController().getRouteStatus(routeId);
                // paused in the console, or (re)starting: it is this instance's; only a route that stays stopped is not
                return status != null && (status.isStarted() || status.isStarting() || status.isSuspended() || status.isSuspending());
            });
            capture.polls().onlyWhileLeading(() -> leadership.isLeader(namespace));
            ClusteredRoutePolicy policy = ClusteredRoutePolicy.forNamespace(leadership, namespace);
            policy.setCamelContext(setup.context());
            setup.bind(bean + "-leadership", policy);
            captures.add(capture);
        }
        List<String> topics = captures.stream().map(TableCapture::topic).toList();
        offsets.ensureTopic();
        KafkaSettings.ensureTopics(setup.kafkaClient(), topics);
        LOG.info("Source {} ({} mode): {} -> topics {}", flowName, mode.configName(),
                customQuery.isEmpty() ? String.join(",", settings.list("source.table.whitelist")) : flowName + ".query", topics);
        setup.bind(flowName + TABLES, new SourceTables(captures));
    }
}
