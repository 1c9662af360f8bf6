package localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka, PostgreSQL, MariaDB and S3Proxy started on loopback, each in its own folder under one
 * directory, for development runs and tests. Started one after another: in parallel it was not
 * faster on two cores.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    private static final String RUN_PREFIX = "run-";

    private final EmbeddedKafka kafka;
    private final EmbeddedPostgreSql postgres;
    private final EmbeddedMariaDb mariaDb;
    private final EmbeddedS3 s3;
    private final Deque<AutoCloseable> started;

    private LocalStack(EmbeddedKafka kafka, EmbeddedPostgreSql postgres, EmbeddedMariaDb mariaDb, EmbeddedS3 s3,
                       Deque<AutoCloseable> started) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.mariaDb = mariaDb;
        this.s3 = s3;
        this.started = started;
    }

    /**
     * Starts all four servers in fresh folders under {@code baseDir}/run-&lt;pid&gt; (two runs in one checkout
     * never share files); the S3 bucket is created empty. {@link #close()} deletes the folder.
     */
    public static LocalStack start(Path baseDir, String bucket) throws Exception {
        long begin = System.nanoTime();
        Path dir = baseDir.resolve(RUN_PREFIX + ProcessHandle.current().pid());
        deleteLeftoversOfDeadRuns(baseDir);
        deleteRecursively(dir);
        Files.createDirectories(dir);
        Deque<AutoCloseable> started = new ArrayDeque<>();
        started.push(() -> deleteRecursively(dir));
        try {
            EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
            started.push(kafka);
            EmbeddedPostgreSql postgres = EmbeddedPostgreSql.start(dir.resolve("postgres"));
            started.push(postgres);
            EmbeddedMariaDb mariaDb = EmbeddedMariaDb.start(dir.resolve("mariadb"));
            started.push(mariaDb);
            EmbeddedS3 s3 = EmbeddedS3.start(dir.resolve("s3"));
            started.push(s3);
            s3.createBucket(bucket);
            LOG.info("Local stack started in {} ms under {}", (System.nanoTime() - begin) / 1_000_000, dir);
            return new LocalStack(kafka, postgres, mariaDb, s3, started);
        } catch (Exception e) {
            closeAll(started);
            throw e;
        }
    }

    /** The connection properties that point the pipeline at this stack (no secrets: the local ones are empty or fixed). */
    public Map<String, String> connectionProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        props.put("source.connection.url", postgres.jdbcUrl());
        props.put("source.connection.user", EmbeddedPostgreSql.USER);
        props.put("source.connection.password", "");
        props.put("mysql.connection.url", mariaDb.jdbcUrl());
        props.put("mysql.connection.user", EmbeddedMariaDb.USER);
        props.put("mysql.connection.password", "");
        props.put("s3.endpoint", s3.endpoint());
        props.put("s3.region", EmbeddedS3.REGION);
        return props;
    }

    /**
     * S3Proxy checks signatures, so the pipeline needs its keys; they reach the AWS SDK's default
     * credentials chain as the JVM system properties that chain reads first.
     */
    public void exposeS3Credentials() {
        System.setProperty("aws.accessKeyId", EmbeddedS3.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", EmbeddedS3.SECRET_KEY);
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedPostgreSql postgres() {
        return postgres;
    }

    public EmbeddedMariaDb mariaDb() {
        return mariaDb;
    }

    public EmbeddedS3 s3() {
        return s3;
    }

    @Override
    public void close() {
        closeAll(started);
    }

    private static void closeAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            AutoCloseable server = started.pop();
            try {
                server.close();
            } catch (Exception e) {
                LOG.warn("Could not stop {} cleanly: {}", server.getClass().getSimpleName(), e.getMessage());
            }
        }
    }

    /** A run killed without a chance to clean up leaves a large folder (MariaDB alone unpacks 140 MB): reclaim it. */
    private static void deleteLeftoversOfDeadRuns(Path baseDir) throws IOException {
        if (!Files.isDirectory(baseDir)) {
            return;
        }
        try (Stream<Path> runs = Files.list(baseDir)) {
            for (Path run : runs.toList()) {
                String name = run.getFileName().toString();
                if (name.startsWith(RUN_PREFIX) && !isAlive(name.substring(RUN_PREFIX.length()))) {
                    deleteRecursively(run);
                }
            }
        }
    }

    private static boolean isAlive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not ours: leave it
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
