package s3;

import static config.SettingsDefinition.Type.BOOLEAN;
import static config.SettingsDefinition.Type.INT;
import static config.SettingsDefinition.Type.LIST;
import static config.SettingsDefinition.Type.LONG;
import static config.SettingsDefinition.Type.STRING;

import java.net.URI;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.Properties;
import java.util.UUID;

import config.ConfigurationException;
import config.FlowSetup;
import config.ParsedSettings;
import config.PipelineFlow;
import config.Rules;
import config.SettingsDefinition;
import org.apache.camel.CamelContext;
import org.apache.camel.util.concurrent.SynchronousExecutorService;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sink.PartitionOwnership;
import sink.SinkSettings;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The S3 sink flow (routes/s3-sink.yaml): its settings and the beans its routes name. */
public final class S3SinkFlow implements PipelineFlow {

    private static final Logger LOG = LoggerFactory.getLogger(S3SinkFlow.class);

    public static final String NAME = "s3";
    // the beans of a flow, each named after the flow then its role: s3Objects, or lakeObjects for a second flow
    public static final String OBJECTS = "Objects";
    public static final String BATCHES = "Batches";
    public static final String UPLOADS = "Uploads";
    public static final String COMPLETIONS_INLINE = "CompletionsInline";
    public static final String CLIENT = "Client";
    /** The flow's transforms, the route step before the objects ({@code ref: s3Transforms}). */
    public static final String TRANSFORMS = "Transforms";

    /** S3 does not take parts under 5 MiB (except an upload's last). */
    private static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    public static final SettingsDefinition SETTINGS = new SettingsDefinition("S3 sink: Kafka -> S3 (routes/s3-sink.yaml)", "s3.enabled")
            .define("s3.enabled", BOOLEAN, "true", "run the S3 sink flow")
            .define("s3.bucket.name", STRING, "kafka-pipeline", Rules.NOT_EMPTY, "target bucket")
            .define("s3.region", STRING, "us-east-1", Rules.NOT_EMPTY, "its region")
            .define("s3.bucket.create", BOOLEAN, "false",
                    "create the bucket at start-up if it is missing (false: a missing bucket stops start-up, naming it)")
            .define("s3.endpoint", STRING, "",
                    "empty for AWS; the URL of any S3-compatible store (path-style access), e.g. http://localhost:9000")
            .define("s3.topics", LIST, "P_USERS", Rules.AT_LEAST_ONE, "topics to write, comma separated")
            .define("s3.transforms", LIST, "",
                    "the flow's transforms, in order, each configured by `s3.transforms.<name>.type` and its options "
                            + "(ReplaceField, MaskField, InsertField, Filter, Cast, HashField: see \"Transforms\"); empty: none")
            .define("s3.group.id", STRING, "kafka-pipeline-s3", Rules.NOT_EMPTY, "consumer group of this sink")
            .define("s3.topics.dir", STRING, "topics",
                    "top folder of the object keys: `<dir>/<topic>/<partition folder>/<topic>+<p>+<start offset>.<format>`")
            .define("s3.flush.size", INT, "5", Rules.POSITIVE, "records per object at most")
            .define("s3.rotate.interval.ms", LONG, "0", Rules.ZERO_OR_MORE,
                    "close an object once a record's time (s3.timestamp.extractor) is this many ms past its first record's; 0: off")
            .define("s3.rotate.schedule.interval.ms", LONG, "6000", Rules.ZERO_OR_MORE,
                    "close an open object this many ms after it was opened, by the wall clock, even if no record arrives; 0: off")
            .define("s3.format", STRING, "json", Rules.oneOf("json", "avro", "parquet"),
                    "json (the record payload, one JSON object per line), avro (container file with the schema, deflate "
                            + "blocks), parquet (needs the jar built with `mvn package -Pparquet`)")
            .define("s3.compression.type", STRING, "none", Rules.oneOf("none", "gzip"), "json only: gzip makes objects end in .json.gz")
            .define("s3.parquet.codec", STRING, "snappy", Rules.oneOf("uncompressed", "snappy", "gzip", "zstd"), "parquet only: column compression")
            .define("s3.partitioner", STRING, "default", Rules.oneOf("default", "field", "time"),
                    "folders below the topic's: default (`partition=<n>`), field (`<field>=<value>`), time (s3.path.format)")
            .define("s3.partition.field.name", LIST, "",
                    "field partitioner: the field(s) of the record value naming the folder, comma separated (`country=FR/city=Lyon`)")
            .define("s3.path.format", STRING, "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH",
                    "time partitioner: folder name pattern (Connect's Joda-style letters; quoted text is literal)")
            .define("s3.partition.duration.ms", LONG, "3600000", Rules.POSITIVE, "time partitioner: one folder per period of this length")
            .define("s3.timezone", STRING, "UTC", "time partitioner: time zone of the folder names")
            .define("s3.locale", STRING, "en", Rules.NOT_EMPTY, "time partitioner: locale of the folder names")
            .define("s3.timestamp.extractor", STRING, "Record", Rules.oneOf("Wallclock", "Record", "RecordField"),
                    "a record's time, for the time partitioner and s3.rotate.interval.ms: Record (Kafka timestamp), RecordField "
                            + "(s3.timestamp.field of the value) or Wallclock (when the sink writes it)")
            .define("s3.timestamp.field", STRING, "",
                    "RecordField: a Timestamp/Date field, epoch milliseconds, or ISO-8601 text")
            .define("s3.part.size", LONG, "26214400", Rules.rule("at least 5242880 (5 MiB, S3's smallest part)",
                    size -> (Long) size >= MIN_PART_SIZE, "must be at least 5242880 (5 MiB), S3's smallest part"),
                    "objects larger than this upload as multipart in parts of this size (bytes; S3's smallest part is 5 MiB)")
            .define("s3.buffer.dir", STRING, "",
                    "where objects are written until they are complete (`<dir>/run-<pid>`, one file per open object); empty: "
                            + "the system temp folder")
            .define("s3.batch.max.records", INT, "1000", Rules.POSITIVE,
                    "records per polled batch (1,000 moved a backlog with 16 % less CPU than 5,000)")
            .define("s3.batch.max.wait.ms", INT, "500", Rules.POSITIVE, "longest wait for a fuller batch")
            .define("s3.max.partition.fetch.bytes", INT, "262144", Rules.POSITIVE,
                    "most bytes the sink's consumer fetches from one partition at a time (Kafka's max.partition.fetch.bytes, "
                            + "1 MiB there). The fetched buffers wait in the heap while objects upload: on the benchmark 1 MiB "
                            + "gave 15 % more speed for 10 % more memory (peak RSS 280 against 254 MB)")
            .note("S3 credentials come from the AWS default chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, profiles, "
                    + "instance roles), never from the settings.")
            .check(S3SinkFlow::checkTogether);

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
        return SinkSettings.ownSettingsOfASecondSink(flowName, first.apply("s3.group.id"));
    }

    /** One consumer group, and each topic's folder in its bucket (a restart reads what is there as its own). */
    @Override
    public List<Claim> claims(ParsedSettings settings) {
        List<Claim> claims = new ArrayList<>();
        claims.add(new Claim("consumer group", "group.id", settings.string("s3.group.id")));
        String bucket = settings.string("s3.endpoint") + " " + settings.string("s3.bucket.name") + "/" + settings.string("s3.topics.dir");
        for (String topic : settings.list("s3.topics")) {
            claims.add(new Claim("S3 folder", "bucket.name", bucket + "/" + topic));
        }
        return claims;
    }

    /** routes/s3-sink.yaml's two templates: {@code <flow>-sink} reads and cuts objects, {@code <flow>-uploads} uploads. */
    @Override
    public List<FlowRoute> routes(String flowName, CamelContext context) {
        return List.of(new FlowRoute(flowName + "-sink", "s3-sink", Map.of()),
                new FlowRoute(flowName + "-uploads", "s3-uploads", Map.of()));
    }

    /** What its settings must be together, which no single setting's rule can see. */
    private static void checkTogether(ParsedSettings settings) {
        objectFormat(settings);
        partitioner(settings, timestampExtractor(settings));
    }

    private static ObjectFormat objectFormat(ParsedSettings settings) {
        ObjectFormat format = ObjectFormat.of(settings.string("s3.format"), settings.string("s3.compression.type"));
        if (format != ObjectFormat.JSON && format != ObjectFormat.JSON_GZIP && settings.string("s3.compression.type").equals("gzip")) {
            throw new ConfigurationException("s3.compression.type", "gzip",
                    "applies to s3.format=json only (Avro compresses its blocks, Parquet its columns: s3.parquet.codec)");
        }
        if (format == ObjectFormat.PARQUET && !ObjectFormat.parquetAvailable()) {
            throw new ConfigurationException("s3.format", "parquet", "needs the Parquet and Hadoop client jars, "
                    + "which the default jar leaves out (66 MiB): build the jar with mvn package -Pparquet");
        }
        return format;
    }

    private static S3SinkSettings sinkSettings(ParsedSettings settings, Path bufferDir) {
        return new S3SinkSettings(settings.string("s3.topics.dir"), settings.intValue("s3.flush.size"),
                settings.longValue("s3.rotate.interval.ms"), settings.longValue("s3.rotate.schedule.interval.ms"),
                objectFormat(settings), settings.string("s3.parquet.codec"), settings.longValue("s3.part.size"), bufferDir,
                SinkSettings.toleratesBadRecords(settings));
    }

    private static TimestampExtractor timestampExtractor(ParsedSettings settings) {
        String name = settings.string("s3.timestamp.extractor");
        String field = settings.string("s3.timestamp.field");
        if (name.equals("recordfield") && field.isEmpty()) {
            throw new ConfigurationException("s3.timestamp.field", field, "must name the time field when s3.timestamp.extractor=RecordField");
        }
        return TimestampExtractor.of(name, field, System::currentTimeMillis);
    }

    private static Partitioner partitioner(ParsedSettings settings, TimestampExtractor time) {
        return switch (settings.string("s3.partitioner")) {
            case "field" -> {
                if (settings.list("s3.partition.field.name").isEmpty()) {
                    throw new ConfigurationException("s3.partition.field.name", "", "must list at least one name");
                }
                yield new FieldPartitioner(settings.list("s3.partition.field.name"));
            }
            case "time" -> {
                String pathFormat = settings.string("s3.path.format");
                if (pathFormat.isEmpty()) {
                    throw new ConfigurationException("s3.path.format", "", "must not be empty");
                }
                ZoneId zone;
                try {
                    zone = ZoneId.of(settings.string("s3.timezone"));
                } catch (DateTimeException e) {
                    throw new ConfigurationException("s3.timezone", settings.string("s3.timezone"), "is not a time zone (" + e.getMessage() + ")");
                }
                try {
                    yield new TimeBasedPartitioner(pathFormat, settings.longValue("s3.partition.duration.ms"), zone,
                            Locale.forLanguageTag(settings.string("s3.locale")), time);
                } catch (IllegalArgumentException e) {
                    throw new ConfigurationException("s3.path.format", pathFormat, "is not a date-time pattern (" + e.getMessage() + ")");
                }
            }
            default -> new DefaultPartitioner();
        };
    }

    @Override
    public void start(FlowSetup setup) {
        ParsedSettings settings = setup.settings();
        // checked before the sink connects: a bad transform is bad configuration; Avro and Parquet store a schema
        setup.bind(setup.beanName(TRANSFORMS), setup.transforms(NAME, objectFormat(settings).needsValue()));
        S3Client client = setup.closeAtStop(s3Client(settings));
        setup.bind(setup.beanName(CLIENT), client);
        String bufferDir = settings.string("s3.buffer.dir");
        Path bufferBase = Path.of(bufferDir.isEmpty() ? System.getProperty("java.io.tmpdir") + "/kafka-pipeline-s3" : bufferDir);
        // a second S3 flow keeps its objects apart: both may hold an object for the same partition
        BufferFolder buffer = setup.closeAtStop(new BufferFolder(setup.flowName().equals(NAME)
                ? bufferBase : bufferBase.resolve(setup.flowName())));
        String bucket = settings.string("s3.bucket.name");
        S3SinkSettings s3 = sinkSettings(settings, buffer.path());
        TimestampExtractor time = timestampExtractor(settings);
        S3Objects objects = new S3Objects(setup.context(), setup.flowName() + "-sink", s3, System::currentTimeMillis);
        Properties kafkaClient = setup.kafkaClient();
        String groupId = settings.string("s3.group.id");
        S3Batches batches = setup.closeAtStop(new S3Batches(s3, partitioner(settings, time), time,
                new UploadedObjects(client, bucket, s3.topicsDir()), objects, System::currentTimeMillis,
                () -> offsetCommitProducer(kafkaClient, groupId)));
        setup.bind(setup.beanName(OBJECTS), objects);
        setup.bind(setup.beanName(BATCHES), batches);
        setup.bind(setup.beanName(UPLOADS), new S3Uploads(client, bucket, s3.partSize()));
        // the aggregator's completion step runs on the completing thread (Camel's default is a thread of its own)
        setup.bind(setup.beanName(COMPLETIONS_INLINE), new SynchronousExecutorService());
        partitionOwnership(setup).listen(groupId, batches);
    }

    /** The S3 sink's offset commits: transactions for the consumer's group membership (zombies fenced by generation). */
    private static Producer<byte[], byte[]> offsetCommitProducer(Properties kafkaClient, String groupId) {
        Properties props = new Properties();
        props.putAll(kafkaClient);
        props.put("transactional.id", groupId + "-commits-" + UUID.randomUUID());
        // it also commits for the upload route, holding the sink's lock: a broker that is down must not hold it long
        props.put("max.block.ms", "10000");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The adapter camel-kafka subscribes every consumer through (config.PipelineConfiguration binds it): it tells a sink about rebalances. */
    private static PartitionOwnership partitionOwnership(FlowSetup setup) {
        return setup.lookup(PartitionOwnership.BEAN_NAME, PartitionOwnership.class);
    }

    /** The client, once the bucket is known to be there (or created, with s3.bucket.create=true). */
    private static S3Client s3Client(ParsedSettings settings) {
        String bucket = settings.string("s3.bucket.name");
        String region = settings.string("s3.region");
        String endpoint = settings.string("s3.endpoint");
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
        String where = "bucket '" + bucket + "' at " + (endpoint.isEmpty() ? "AWS region " + region : "s3.endpoint=" + endpoint);
        try {
            try {
                client.headBucket(request -> request.bucket(bucket));
            } catch (NoSuchBucketException e) {
                createOrFail(settings, client, where, e);
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw new IllegalStateException("s3.bucket.name: cannot use " + where + " (HTTP " + e.statusCode()
                            + ", check the AWS credentials): " + e.getMessage(), e);
                }
                createOrFail(settings, client, where, e);
            } catch (SdkException e) {
                throw new IllegalStateException("s3.endpoint: cannot reach " + where + ": " + e.getMessage(), e);
            }
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        LOG.info("S3 sink writes to {}", where);
        return client;
    }

    private static void createOrFail(ParsedSettings settings, S3Client client, String where, RuntimeException missing) {
        if (!settings.bool("s3.bucket.create")) {
            throw new IllegalStateException("s3.bucket.name: " + where + " does not exist (set s3.bucket.create=true to create it)",
                    missing);
        }
        String region = settings.string("s3.region");
        client.createBucket(request -> {
            request.bucket(settings.string("s3.bucket.name"));
            // us-east-1 is the one region that must not be named as a location constraint
            if (!region.equals("us-east-1")) {
                request.createBucketConfiguration(c -> c.locationConstraint(region));
            }
        });
        LOG.info("Created {}", where);
    }
}
