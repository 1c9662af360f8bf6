package mysql;

import static config.SettingsDefinition.Type.BOOLEAN;
import static config.SettingsDefinition.Type.INT;
import static config.SettingsDefinition.Type.LIST;
import static config.SettingsDefinition.Type.PASSWORD;
import static config.SettingsDefinition.Type.STRING;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import javax.sql.DataSource;

import config.FlowSetup;
import config.JdbcUrls;
import config.ParsedSettings;
import config.PipelineFlow;
import config.Rules;
import config.SettingsDefinition;
import org.apache.camel.CamelContext;
import org.apache.camel.Predicate;
import sink.SinkSettings;

/** The MySQL sink flow (routes/mysql-sink.yaml): its settings and the beans its routes name. */
public final class MySqlSinkFlow implements PipelineFlow {

    public static final String NAME = "mysql";
    // the beans of a flow, each named after the flow then its role: mysqlRows, or archiveRows for a second flow
    public static final String ROWS = "Rows";
    /** How the sink's sql endpoints bind values ({@code prepareStatementStrategy=#mysqlParameters}). */
    public static final String PARAMETERS = "Parameters";
    /** The MySQL pool, for routes that name it ({@code sql:...?dataSource=#mysqlDataSource}). */
    public static final String DATA_SOURCE = "DataSource";
    /** The transaction around a batch's rows ({@code policy: ref: mysqlTransaction}). */
    public static final String TRANSACTION = "Transaction";
    /** Whether a failed statement is MySQL refusing a row ({@code onWhen: ref: mysqlRowRejection}). */
    public static final String ROW_REJECTION = "RowRejection";
    /** The flow's transforms, the route step before the rows ({@code ref: mysqlTransforms}). */
    public static final String TRANSFORMS = "Transforms";

    public static final SettingsDefinition SETTINGS = new SettingsDefinition("MySQL sink: Kafka -> MySQL (routes/mysql-sink.yaml)",
            "mysql.enabled")
            .define("mysql.enabled", BOOLEAN, "true", "run the MySQL sink flow")
            .define("mysql.connection.url", STRING, "jdbc:mysql://localhost:3306/pipeline", Rules.NOT_EMPTY,
                    "MySQL (or MariaDB) JDBC URL")
            .define("mysql.connection.user", STRING, "root", "its user")
            .define("mysql.connection.password", PASSWORD, "", "its password (secret: never logged)")
            .define("mysql.topics", LIST, "P_USERS", Rules.AT_LEAST_ONE, "topics to write, comma separated")
            .define("mysql.transforms", LIST, "",
                    "the flow's transforms, in order, each configured by `mysql.transforms.<name>.type` and its options "
                            + "(ReplaceField, MaskField, InsertField, Filter, Cast, HashField: see \"Transforms\"); empty: none")
            .define("mysql.group.id", STRING, "kafka-pipeline-mysql", Rules.NOT_EMPTY,
                    "consumer group of this sink (its committed offsets say what is in MySQL)")
            .define("mysql.table.name.format", STRING, "${topic}", Rules.NOT_EMPTY,
                    "table for a topic; `${topic}` is replaced by the topic name")
            .define("mysql.insert.mode", STRING, "upsert", Rules.oneOf("insert", "upsert", "update"),
                    "insert; upsert (`INSERT ... ON DUPLICATE KEY UPDATE` on the key: replays write no duplicate); "
                            + "update (existing rows only)")
            .define("mysql.pk.mode", STRING, "record_key", Rules.oneOf("none", "kafka", "record_key", "record_value"),
                    "where the primary key comes from: none; kafka (`__connect_topic`, `__connect_partition`, "
                            + "`__connect_offset`); record_key (the Kafka key's fields); record_value (the value fields named "
                            + "in mysql.pk.fields)")
            .define("mysql.pk.fields", LIST, "",
                    "key columns, comma separated: a subset of the key's fields (record_key; empty: all), the value fields "
                            + "(record_value, required), or the three coordinate column names (kafka; empty: the defaults)")
            .define("mysql.auto.create", BOOLEAN, "true",
                    "create a missing table from the record schema (key columns of text become VARCHAR(255))")
            .define("mysql.auto.evolve", BOOLEAN, "true", "add a nullable column when records carry a field the table lacks")
            .define("mysql.delete.enabled", BOOLEAN, "false",
                    "a record with a key and a null value (tombstone) deletes the row (needs mysql.pk.mode=record_key)")
            .define("mysql.fields.whitelist", LIST, "", "value fields to write, comma separated (empty: all)")
            .define("mysql.fields.blacklist", LIST, "", "value fields never to write")
            .define("mysql.batch.size", INT, "1000", Rules.POSITIVE,
                    "most records per batch, written as multi-row statements of about 2,400 values, all in one MySQL transaction")
            .define("mysql.poll.timeout.ms", INT, "50", Rules.POSITIVE,
                    "longest wait for more records before writing a partial batch: part of every row's latency (a backlog "
                            + "fills batches at once, so it costs throughput nothing there)")
            .check(MySqlSinkFlow::checkTogether);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<SettingsDefinition> repeatedSettings() {
        return List.of(SETTINGS);
    }

    @Override
    public Map<String, String> ownSettings(String flowName, Function<String, Object> first) {
        return SinkSettings.ownSettingsOfASecondSink(flowName, first.apply("mysql.group.id"));
    }

    /** One consumer group, and each table it writes in its database. */
    @Override
    public List<Claim> claims(ParsedSettings settings) {
        List<Claim> claims = new ArrayList<>();
        claims.add(new Claim("consumer group", "group.id", settings.string("mysql.group.id")));
        String database = JdbcUrls.withoutSecrets(settings.string("mysql.connection.url"));
        for (String topic : settings.list("mysql.topics")) {
            claims.add(new Claim("MySQL table", "table.name.format",
                    database + " " + settings.string("mysql.table.name.format").replace("${topic}", topic)));
        }
        return claims;
    }

    /** routes/mysql-sink.yaml's two templates: {@code <flow>-sink} reads and maps, {@code <flow>-sink-rows} writes. */
    @Override
    public List<FlowRoute> routes(String flowName, CamelContext context) {
        return List.of(new FlowRoute(flowName + "-sink", "mysql-sink", Map.of()),
                new FlowRoute(flowName + "-sink-rows", "mysql-sink-rows", Map.of()));
    }

    /** What its settings must be together, which no single setting's rule can see. */
    private static void checkTogether(ParsedSettings settings) {
        String problem = sinkSettings(settings).inconsistency();
        if (problem != null) {
            throw new IllegalArgumentException("Invalid configuration: " + problem);
        }
    }

    static MySqlSinkSettings sinkSettings(ParsedSettings settings) {
        return new MySqlSinkSettings(
                settings.string("mysql.table.name.format"),
                InsertMode.parse(settings.string("mysql.insert.mode")),
                PrimaryKeyMode.parse(settings.string("mysql.pk.mode")),
                settings.list("mysql.pk.fields"),
                settings.bool("mysql.auto.create"),
                settings.bool("mysql.auto.evolve"),
                settings.bool("mysql.delete.enabled"),
                settings.list("mysql.fields.whitelist"),
                settings.list("mysql.fields.blacklist"),
                settings.intValue("mysql.batch.size"),
                SinkSettings.toleratesBadRecords(settings));
    }

    @Override
    public void start(FlowSetup setup) {
        // checked before the sink connects: a bad transform is bad configuration
        setup.bind(setup.beanName(TRANSFORMS), setup.transforms(NAME, false));
        DataSource pool = setup.dataSource(setup.flowName(), NAME, 4, config -> {
            // the sink sends the same statement for every batch: let Connector/J parse it once per connection
            // (parsing it, QueryInfo, was about 4 % of the sink's CPU samples)
            config.addDataSourceProperty("cachePrepStmts", "true");
            config.addDataSourceProperty("prepStmtCacheSize", "64");
            config.addDataSourceProperty("prepStmtCacheSqlLimit", "1048576");
            // parameter types for NULLs (Spring asks) without a server round trip or an exception
            config.addDataSourceProperty("generateSimpleParameterMetadata", "true");
        });
        setup.bind(setup.beanName(DATA_SOURCE), pool);
        setup.bind(setup.beanName(ROWS), new MySqlRows(pool, sinkSettings(setup.settings())));
        setup.bind(setup.beanName(PARAMETERS), new MySqlParameters());
        setup.bind(setup.beanName(TRANSACTION), new MySqlTransaction(pool));
        setup.bind(setup.beanName(ROW_REJECTION), (Predicate) MySqlRows::isRowRejection);
    }
}
