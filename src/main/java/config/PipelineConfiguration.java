package config;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import generator.FakeUsers;
import mysql.InsertMode;
import mysql.MySqlSinkSettings;
import mysql.MySqlTransaction;
import mysql.MySqlParameters;
import mysql.MySqlRows;
import mysql.PrimaryKeyMode;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import console.PipelineConsole;
import progress.PipelineProgress;
import record.ConnectJson;
import s3.BufferFolder;
import s3.DefaultPartitioner;
import s3.FieldPartitioner;
import s3.ObjectFormat;
import s3.Partitioner;
import s3.S3SinkSettings;
import s3.S3Batches;
import s3.S3Objects;
import s3.S3Uploads;
import s3.TimeBasedPartitioner;
import s3.TimestampExtractor;
import s3.UploadedObjects;
import sink.PartitionOwnership;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import source.OffsetStore;
import source.CaptureMode;
import source.SourceTableSettings;
import source.SourceTables;
import source.TableCapture;

/**
 * Builds every bean the routes use from application.properties, once, at start-up, and checks the
 * settings and the systems they point at: a bad value stops start-up with a message naming it.
 */
@Configuration
public class PipelineConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineConfiguration.class);

    public static final String PROGRESS = "pipelineProgress";
    public static final String SOURCE_TABLES = "sourceTables";
    public static final String MYSQL_ROWS = "mysqlRows";
    /** How the MySQL sink's sql endpoints bind values ({@code prepareStatementStrategy=#mysqlParameters}). */
    public static final String MYSQL_PARAMETERS = "mysqlParameters";
    /** The MySQL pool, for routes that name it ({@code sql:...?dataSource=#mysqlDataSource}). */
    public static final String MYSQL_DATA_SOURCE = "mysqlDataSource";
    /** The MySQL sink's transaction around a batch's rows ({@code policy: ref: mysqlTransaction}). */
    public static final String MYSQL_TRANSACTION = "mysqlTransaction";
    /** Whether a failed statement is MySQL refusing a row ({@code onWhen: ref: mysqlRowRejection}). */
    public static final String MYSQL_ROW_REJECTION = "mysqlRowRejection";
    public static final String S3_OBJECTS = "s3Objects";
    public static final String S3_BATCHES = "s3Batches";
    public static final String S3_UPLOADS = "s3Uploads";
    public static final String S3_COMPLETIONS_INLINE = "s3CompletionsInline";
    public static final String CONSOLE = "pipelineConsole";
    public static final String S3_CLIENT = "s3Client";
    public static final String FAKE_USERS = "fakeUsers";

    /** The PostgreSQL pool, for routes that name it ({@code sql:...?dataSource=#sourceDataSource}). */
    public static final String SOURCE_DATA_SOURCE = "sourceDataSource";
    /** Kafka client settings passed through to every producer, consumer and admin client. */
    public static final String KAFKA_CLIENT_PREFIX = "kafka.client.";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, DataSource> dataSources = new java.util.HashMap<>();

    @BindToRegistry(PROGRESS)
    public PipelineProgress progress() {
        return new PipelineProgress();
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context.getPropertiesComponent());
        validate(settings);
        PipelineProgress progress = context.getRegistry().lookupByNameAndType(PROGRESS, PipelineProgress.class);
        boolean tolerateBadRecords = settings.oneOf("errors.tolerance", "none", "all").equals("all");
        Properties kafkaClient = kafkaClientProperties(settings);
        requireKafka(kafkaClient, settings.positiveInt("kafka.startup.timeout.ms"));
        context.getComponent("kafka", KafkaComponent.class).getConfiguration()
                .setAdditionalProperties(toMap(settings.withPrefix(KAFKA_CLIENT_PREFIX)));

        // closed after the routes stopped: pools, clients, producers
        context.addService(new ResourceCloser(resources), true, true);

        if (settings.bool("generator.enabled")) {
            DataSource postgres = dataSource("source", settings, sourcePoolSize(settings));
            FakeUsers.createTableIfMissing(postgres, settings.required("generator.table"));
            context.getRegistry().bind(FAKE_USERS, new FakeUsers());
            context.getRegistry().bind(SOURCE_DATA_SOURCE, postgres);
        }
        if (settings.bool("source.enabled")) {
            context.getRegistry().bind(SOURCE_TABLES, sourceTables(context, settings, kafkaClient, progress));
        }
        if (settings.bool("mysql.enabled")) {
            MySqlSinkSettings mysql = mysqlSinkSettings(settings, tolerateBadRecords);
            DataSource pool = dataSource("mysql", settings, 4);
            context.getRegistry().bind(MYSQL_DATA_SOURCE, pool);
            context.getRegistry().bind(MYSQL_ROWS, new MySqlRows(pool, mysql));
            context.getRegistry().bind(MYSQL_PARAMETERS, new MySqlParameters());
            context.getRegistry().bind(MYSQL_TRANSACTION, new MySqlTransaction(pool));
            context.getRegistry().bind(MYSQL_ROW_REJECTION, (org.apache.camel.Predicate) MySqlRows::isRowRejection);
        }
        if (settings.bool("s3.enabled")) {
            S3Client client = s3Client(settings);
            context.getRegistry().bind(S3_CLIENT, client);
            BufferFolder buffer = new BufferFolder(Path.of(settings.optional("s3.buffer.dir", "").isEmpty()
                    ? System.getProperty("java.io.tmpdir") + "/kafka-pipeline-s3" : settings.optional("s3.buffer.dir", "")));
            resources.add(buffer);
            String bucket = settings.required("s3.bucket.name");
            S3SinkSettings s3 = s3SinkSettings(settings, buffer.path(), tolerateBadRecords);
            TimestampExtractor time = timestampExtractor(settings);
            S3Objects objects = new S3Objects(context, s3, System::currentTimeMillis);
            S3Batches batches = new S3Batches(s3, partitioner(settings, time), time, new UploadedObjects(client, bucket, s3.topicsDir()),
                    objects, System::currentTimeMillis, () -> offsetCommitProducer(kafkaClient, settings.required("s3.group.id")));
            resources.add(batches);
            context.getRegistry().bind(S3_OBJECTS, objects);
            context.getRegistry().bind(S3_BATCHES, batches);
            context.getRegistry().bind(S3_UPLOADS, new S3Uploads(client, bucket, s3.partSize()));
            // the aggregator's completion step runs on the completing thread (Camel's default is a thread of its own)
            context.getRegistry().bind(S3_COMPLETIONS_INLINE, new org.apache.camel.util.concurrent.SynchronousExecutorService());
            partitionOwnership(context).listen(settings.required("s3.group.id"), batches);
        }
        if (settings.bool("console.enabled")) {
            requireFreePort(settings.required("console.host"), settings.positiveInt("console.port"));
            context.getRegistry().bind(CONSOLE, console(context, settings, kafkaClient, progress));
        }
    }

    /** The console learns the flows from the routes, and asks each system they use whether it answers. */
    private PipelineConsole console(CamelContext context, Settings settings, Properties kafkaClient, PipelineProgress progress) {
        Map<String, PipelineConsole.SystemCheck> systems = new java.util.LinkedHashMap<>();
        if (settings.bool("source.enabled")) {
            DataSource postgres = dataSource("source", settings, sourcePoolSize(settings));
            systems.put("postgresql", () -> checkDatabase(postgres));
        }
        String mysqlTable = null;
        DataSource mysql = null;
        if (settings.bool("mysql.enabled")) {
            mysqlTable = settings.required("mysql.table.name.format").replace("${topic}", settings.list("mysql.topics").get(0));
            DataSource pool = dataSource("mysql", settings, 4);
            mysql = pool;
            systems.put("mysql", () -> checkDatabase(pool));
        }
        S3Objects s3Objects = null;
        if (settings.bool("s3.enabled")) {
            s3Objects = context.getRegistry().lookupByNameAndType(S3_OBJECTS, S3Objects.class);
            S3Client client = context.getRegistry().lookupByNameAndType(S3_CLIENT, S3Client.class);
            String bucket = settings.required("s3.bucket.name");
            systems.put("s3", () -> client.headBucket(r -> r.bucket(bucket)));
        }
        PipelineConsole console = new PipelineConsole(context, progress, kafkaClient,
                new PipelineConsole.Layout(mysqlTable), mysql, s3Objects,
                settings.optional("console.token", ""), systems);
        resources.add(console::close);
        LOG.info("Console on http://{}:{}/ (health /health/live and /health/ready, metrics /metrics){}",
                settings.required("console.host"), settings.required("console.port"),
                settings.optional("console.token", "").isEmpty() ? "" : "; pause and resume need console.token");
        return console;
    }

    /**
     * Vert.x only warns when it cannot bind and the pipeline would run without its console, health and
     * metrics: a busy port stops start-up instead, naming the property.
     */
    private static void requireFreePort(String host, int port) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(host, port));
        } catch (java.io.IOException e) {
            throw new Settings.ConfigurationException("console.port", Integer.toString(port),
                    "cannot be used on " + host + " (" + e.getMessage() + "): another program listens there; choose another port or console.enabled=false");
        }
    }

    private static void checkDatabase(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.isValid(2)) {
                throw new SQLException("connection not valid");
            }
        }
    }

    /** Checks every setting of the enabled flows before anything connects, so a typo fails fast and alone. */
    private static void validate(Settings settings) {
        settings.required("kafka.bootstrap.servers");
        settings.positiveInt("kafka.startup.timeout.ms");
        settings.bool("kafka.schemas.enable");
        settings.oneOf("kafka.compression.type", "none", "gzip", "snappy", "lz4", "zstd");
        settings.oneOf("errors.tolerance", "none", "all");
        settings.required("errors.deadletterqueue.topic.name");
        settings.positiveInt("progress.log.interval.ms");
        settings.positiveInt("sink.retry.max");
        settings.positiveInt("sink.retry.initial.delay.ms");
        settings.positiveInt("sink.retry.max.delay.ms");
        if (settings.bool("console.enabled")) {
            settings.required("console.host");
            settings.positiveInt("console.port");
        }
        if (settings.bool("generator.enabled")) {
            String table = settings.required("generator.table");
            if (!FakeUsers.TABLE_NAME.matcher(table).matches()) {
                throw new Settings.ConfigurationException("generator.table", table,
                        "must be a plain table name (letters, digits and _, at most 63, not starting with a digit)");
            }
            settings.positiveInt("generator.rate.per.second");
        }
        if (settings.bool("generator.enabled") || settings.bool("source.enabled")) {
            settings.required("source.connection.url");
        }
        if (settings.bool("source.enabled")) {
            settings.oneOf("source.mode", "incrementing", "timestamp", "timestamp+incrementing", "bulk");
            if (settings.optional("source.query", "").isEmpty()) {
                settings.list("source.table.whitelist");
            }
            settings.required("source.timestamp.column.name");
            settings.nonNegativeLong("source.timestamp.delay.interval.ms");
            settings.oneOf("source.start.from", "beginning", "now");
            settings.bool("source.validate.non.null");
            settings.required("source.incrementing.column.name");
            settings.positiveInt("source.poll.interval.ms");
            settings.positiveInt("source.batch.max.rows");
            settings.string("source.topic.prefix");
            settings.required("source.offsets.topic");
            settings.required("source.transactional.id.prefix");
        }
        if (settings.bool("mysql.enabled")) {
            settings.required("mysql.connection.url");
            settings.list("mysql.topics");
            settings.required("mysql.group.id");
            settings.required("mysql.table.name.format");
            mysqlSinkSettings(settings, true);
            settings.positiveInt("mysql.poll.timeout.ms");
        }
        if (settings.bool("s3.enabled")) {
            settings.required("s3.bucket.name");
            settings.required("s3.region");
            settings.list("s3.topics");
            settings.required("s3.group.id");
            settings.bool("s3.bucket.create");
            s3SinkSettings(settings, Path.of("."), true);
            partitioner(settings, timestampExtractor(settings));
            settings.positiveInt("s3.batch.max.records");
            settings.positiveInt("s3.batch.max.wait.ms");
        }
    }

    /** S3 does not take parts under 5 MiB (except an upload's last). */
    private static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    private static S3SinkSettings s3SinkSettings(Settings settings, Path bufferDir, boolean tolerateBadRecords) {
        ObjectFormat format = ObjectFormat.of(settings.oneOf("s3.format", "json", "avro", "parquet"),
                settings.oneOf("s3.compression.type", "none", "gzip"));
        if (format != ObjectFormat.JSON && format != ObjectFormat.JSON_GZIP
                && settings.oneOf("s3.compression.type", "none", "gzip").equals("gzip")) {
            throw new Settings.ConfigurationException("s3.compression.type", "gzip",
                    "applies to s3.format=json only (Avro compresses its blocks, Parquet its columns: s3.parquet.codec)");
        }
        String parquetCodec = settings.oneOf("s3.parquet.codec", "uncompressed", "snappy", "gzip", "zstd");
        if (format == ObjectFormat.PARQUET && !ObjectFormat.parquetAvailable()) {
            throw new Settings.ConfigurationException("s3.format", "parquet", "needs the Parquet and Hadoop client jars, "
                    + "which the default jar leaves out (66 MiB): build the jar with mvn package -Pparquet");
        }
        long partSize = settings.nonNegativeLong("s3.part.size");
        if (partSize < MIN_PART_SIZE) {
            throw new Settings.ConfigurationException("s3.part.size", Long.toString(partSize), "must be at least 5242880 (5 MiB), S3's smallest part");
        }
        return new S3SinkSettings(settings.optional("s3.topics.dir", "topics"), settings.positiveInt("s3.flush.size"),
                settings.nonNegativeLong("s3.rotate.interval.ms"), settings.nonNegativeLong("s3.rotate.schedule.interval.ms"),
                format, parquetCodec, partSize, bufferDir, tolerateBadRecords);
    }

    private static TimestampExtractor timestampExtractor(Settings settings) {
        String name = settings.oneOf("s3.timestamp.extractor", "wallclock", "record", "recordfield");
        String field = settings.optional("s3.timestamp.field", "");
        if (name.equals("recordfield") && field.isEmpty()) {
            throw new Settings.ConfigurationException("s3.timestamp.field", field, "must name the time field when s3.timestamp.extractor=RecordField");
        }
        return TimestampExtractor.of(name, field, System::currentTimeMillis);
    }

    private static Partitioner partitioner(Settings settings, TimestampExtractor time) {
        return switch (settings.oneOf("s3.partitioner", "default", "field", "time")) {
            case "field" -> new FieldPartitioner(settings.list("s3.partition.field.name"));
            case "time" -> {
                String pathFormat = settings.required("s3.path.format");
                ZoneId zone;
                try {
                    zone = ZoneId.of(settings.required("s3.timezone"));
                } catch (java.time.DateTimeException e) {
                    throw new Settings.ConfigurationException("s3.timezone", settings.required("s3.timezone"), "is not a time zone (" + e.getMessage() + ")");
                }
                long duration = settings.nonNegativeLong("s3.partition.duration.ms");
                if (duration == 0) {
                    throw new Settings.ConfigurationException("s3.partition.duration.ms", "0", "must be positive");
                }
                try {
                    yield new TimeBasedPartitioner(pathFormat, duration, zone, Locale.forLanguageTag(settings.required("s3.locale")), time);
                } catch (IllegalArgumentException e) {
                    throw new Settings.ConfigurationException("s3.path.format", pathFormat, "is not a date-time pattern (" + e.getMessage() + ")");
                }
            }
            default -> new DefaultPartitioner();
        };
    }

    /** The S3 sink's offset commits: transactions for the consumer's group membership (zombies fenced by generation). */
    private static Producer<byte[], byte[]> offsetCommitProducer(Properties kafkaClient, String groupId) {
        Properties props = new Properties();
        props.putAll(kafkaClient);
        props.put("transactional.id", groupId + "-commits-" + java.util.UUID.randomUUID());
        // it also commits for the upload route, holding the sink's lock: a broker that is down must not hold it long
        props.put("max.block.ms", "10000");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The adapter camel-kafka subscribes every consumer through, bound once: it tells a sink about rebalances. */
    private static PartitionOwnership partitionOwnership(CamelContext context) {
        PartitionOwnership ownership = context.getRegistry().lookupByNameAndType(PartitionOwnership.BEAN_NAME, PartitionOwnership.class);
        if (ownership == null) {
            ownership = new PartitionOwnership();
            context.getRegistry().bind(PartitionOwnership.BEAN_NAME, ownership);
        }
        return ownership;
    }

    private static MySqlSinkSettings mysqlSinkSettings(Settings settings, boolean tolerateBadRecords) {
        MySqlSinkSettings mysql = new MySqlSinkSettings(
                settings.required("mysql.table.name.format"),
                InsertMode.parse(settings.oneOf("mysql.insert.mode", "insert", "upsert", "update")),
                PrimaryKeyMode.parse(settings.oneOf("mysql.pk.mode", "none", "kafka", "record_key", "record_value")),
                settings.optionalList("mysql.pk.fields"),
                settings.bool("mysql.auto.create"),
                settings.bool("mysql.auto.evolve"),
                settings.bool("mysql.delete.enabled"),
                settings.optionalList("mysql.fields.whitelist"),
                settings.optionalList("mysql.fields.blacklist"),
                settings.positiveInt("mysql.batch.size"),
                tolerateBadRecords);
        String problem = mysql.inconsistency();
        if (problem != null) {
            throw new IllegalArgumentException("Invalid configuration: " + problem);
        }
        return mysql;
    }

    /**
     * A source route's poll holds its connection while its rows are sent to Kafka, and a timestamp group
     * takes a second one meanwhile: two per table, and two for the generator and the console's check.
     */
    private static int sourcePoolSize(Settings settings) {
        int tables = settings.optional("source.query", "").isEmpty() ? settings.list("source.table.whitelist").size() : 1;
        return 2 * tables + 2;
    }

    private SourceTables sourceTables(CamelContext context, Settings settings, Properties kafkaClient, PipelineProgress progress)
            throws SQLException {
        CaptureMode mode = CaptureMode.parse(settings.oneOf("source.mode", "incrementing", "timestamp", "timestamp+incrementing", "bulk"));
        DataSource postgres = dataSource("source", settings, sourcePoolSize(settings));
        context.getRegistry().bind(SOURCE_DATA_SOURCE, postgres);
        String prefix = settings.string("source.topic.prefix").trim();
        settings.required("source.transactional.id.prefix");
        String customQuery = settings.optional("source.query", "");
        ConnectJson json = new ConnectJson(settings.bool("kafka.schemas.enable"));
        OffsetStore offsets = new OffsetStore(settings.required("source.offsets.topic"), kafkaClient);
        // a custom query goes to the prefix alone, as the Connect JDBC source does
        List<String> tables = customQuery.isEmpty() ? settings.list("source.table.whitelist") : java.util.Collections.singletonList(null);
        List<TableCapture> captures = new ArrayList<>();
        for (String table : tables) {
            String name = table == null ? "query" : table;
            String topic = table == null ? prefix : prefix + table;
            SourceTableSettings source = new SourceTableSettings(mode, table, table == null ? customQuery : null, name, topic,
                    settings.required("source.incrementing.column.name"), settings.required("source.timestamp.column.name"),
                    settings.positiveInt("source.batch.max.rows"), settings.nonNegativeLong("source.timestamp.delay.interval.ms"),
                    settings.oneOf("source.start.from", "beginning", "now").equals("now"), settings.bool("source.validate.non.null"));
            TableCapture capture = new TableCapture(postgres, source, json, offsets, progress);
            capture.validate();
            String bean = SourceTables.captureBean(captures.size());
            context.getRegistry().bind(bean, capture);
            context.getRegistry().bind(bean + "-query", capture.query());
            context.getRegistry().bind(bean + "-polls", capture.polls());
            captures.add(capture);
        }
        List<String> topics = captures.stream().map(TableCapture::topic).toList();
        offsets.ensureTopic();
        ensureTopics(kafkaClient, topics);
        LOG.info("Source ({} mode): {} -> topics {}", mode.configName(),
                customQuery.isEmpty() ? settings.string("source.table.whitelist") : "source.query", topics);
        return new SourceTables(captures);
    }

    /**
     * Stops start-up, naming the property, when no broker answers within kafka.startup.timeout.ms:
     * otherwise every flow would start and the Kafka clients would log connection warnings forever while
     * nothing moves and nothing says which setting is wrong.
     */
    private static void requireKafka(Properties kafkaClient, int timeoutMs) {
        String servers = kafkaClient.getProperty("bootstrap.servers");
        Properties probe = new Properties();
        probe.putAll(kafkaClient);
        probe.put("default.api.timeout.ms", Integer.toString(timeoutMs));
        probe.put("request.timeout.ms", Integer.toString(Math.min(timeoutMs, 30_000)));
        try (Admin admin = Admin.create(probe)) {
            admin.describeCluster(new org.apache.kafka.clients.admin.DescribeClusterOptions().timeoutMs(timeoutMs))
                    .nodes().get(timeoutMs + 1_000L, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new Settings.ConfigurationException("kafka.bootstrap.servers", servers, "did not answer within "
                    + timeoutMs + " ms (kafka.startup.timeout.ms): " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : " " + cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for kafka.bootstrap.servers=" + servers, e);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new Settings.ConfigurationException("kafka.bootstrap.servers", servers, "cannot be used: " + rootMessage(e));
        }
    }

    /** Creates the data topics with the broker's defaults unless they exist, so sinks subscribe to them at once. */
    private static void ensureTopics(Properties kafkaClient, List<String> topics) {
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

    private static Properties kafkaClientProperties(Settings settings) {
        Properties props = settings.withPrefix(KAFKA_CLIENT_PREFIX);
        props.put("bootstrap.servers", settings.required("kafka.bootstrap.servers"));
        // a missing broker must fail start-up within a minute, not hang it
        props.putIfAbsent("default.api.timeout.ms", "60000");
        props.putIfAbsent("request.timeout.ms", "30000");
        return props;
    }

    private DataSource dataSource(String prefix, Settings settings, int poolSize) {
        DataSource existing = dataSources.get(prefix);
        if (existing != null) {
            return existing;
        }
        String urlProperty = prefix + ".connection.url";
        String url = settings.required(urlProperty);
        HikariConfig config = new HikariConfig();
        config.setPoolName(prefix);
        config.setJdbcUrl(url);
        config.setUsername(settings.string(prefix + ".connection.user"));
        config.setPassword(settings.string(prefix + ".connection.password"));
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(30_000);
        if (prefix.equals("source")) {
            // timestamps without a zone are read and compared as UTC, whatever the server's default zone
            config.setConnectionInitSql("SET TIME ZONE 'UTC'");
        } else {
            // the sink sends the same statement for every batch: let Connector/J parse it once per connection
            // (parsing it, QueryInfo, was about 4 % of the sink's CPU samples)
            config.addDataSourceProperty("cachePrepStmts", "true");
            config.addDataSourceProperty("prepStmtCacheSize", "64");
            config.addDataSourceProperty("prepStmtCacheSqlLimit", "1048576");
            // parameter types for NULLs (Spring asks) without a server round trip or an exception
            config.addDataSourceProperty("generateSimpleParameterMetadata", "true");
        }
        try {
            HikariDataSource dataSource = new HikariDataSource(config);
            resources.add(dataSource);
            try (Connection ignored = dataSource.getConnection()) {
                LOG.info("Connected to {} = {}", urlProperty, JdbcUrls.withoutSecrets(url));
            }
            dataSources.put(prefix, dataSource);
            return dataSource;
        } catch (RuntimeException | SQLException e) {
            throw new IllegalStateException("Cannot connect to " + urlProperty + " = " + JdbcUrls.withoutSecrets(url)
                    + " as user '" + settings.string(prefix + ".connection.user") + "': " + rootMessage(e), e);
        }
    }

    private S3Client s3Client(Settings settings) {
        String bucket = settings.required("s3.bucket.name");
        String region = settings.required("s3.region");
        String endpoint = settings.optional("s3.endpoint", "");
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(region))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                // S3-compatible stores reject the SDK's default chunked checksums; AWS does not need them either
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (!endpoint.isEmpty()) {
            builder.endpointOverride(URI.create(endpoint)).forcePathStyle(true);
        }
        S3Client client = builder.build();
        resources.add(client);
        String where = "bucket '" + bucket + "' at " + (endpoint.isEmpty() ? "AWS region " + region : "s3.endpoint=" + endpoint);
        try {
            client.headBucket(request -> request.bucket(bucket));
        } catch (NoSuchBucketException e) {
            createOrFail(settings, client, bucket, region, where, e);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                createOrFail(settings, client, bucket, region, where, e);
            } else {
                throw new IllegalStateException("s3.bucket.name: cannot use " + where + " (HTTP " + e.statusCode()
                        + ", check the AWS credentials): " + e.getMessage(), e);
            }
        } catch (SdkException e) {
            throw new IllegalStateException("s3.endpoint: cannot reach " + where + ": " + e.getMessage(), e);
        }
        LOG.info("S3 sink writes to {}", where);
        return client;
    }

    private static void createOrFail(Settings settings, S3Client client, String bucket, String region, String where,
                                     RuntimeException missing) {
        if (!settings.bool("s3.bucket.create")) {
            throw new IllegalStateException("s3.bucket.name: " + where + " does not exist (set s3.bucket.create=true to create it)",
                    missing);
        }
        client.createBucket(request -> {
            request.bucket(bucket);
            // us-east-1 is the one region that must not be named as a location constraint
            if (!region.equals("us-east-1")) {
                request.createBucketConfiguration(c -> c.locationConstraint(region));
            }
        });
        LOG.info("Created {}", where);
    }

    private static Map<String, Object> toMap(Properties properties) {
        Map<String, Object> map = new java.util.HashMap<>();
        properties.stringPropertyNames().forEach(key -> map.put(key, properties.getProperty(key)));
        return map;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
