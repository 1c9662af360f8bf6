package bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import localstack.EmbeddedMariaDb;
import localstack.EmbeddedPostgreSql;
import localstack.LocalStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import pipeline.ChildPipeline;
import pipeline.HeadlessChromium;

/**
 * Measures the pipeline on the embedded stack, stage by stage, next to the limits of the same machine
 * measured in the same run with the same rows. The pipeline runs in its own JVM, so its CPU time and
 * peak memory are its own, not the embedded servers'. Run with {@code mvn -Pbench verify}; options
 * {@code -Dbench.rows=1000000 -Dbench.latency.seconds=60} and more (README, "Benchmark"). Writes
 * target/bench/results.md and .json.
 */
public final class PipelineBenchmark {

    // A million rows: a drain of 200,000 lasts 2-3 s per stage, most of it the fresh JVM compiling its hot code
    // (the C2 compiler thread alone used 8 s of CPU in the first 30 s of the end-to-end stage)
    private static final int DEFAULT_ROWS = 1_000_000;
    // the pipeline JVM as README and docker-compose.yml recommend for production
    private static final String DEFAULT_XMX = "160m";
    private static final String DEFAULT_JVM_ARGS = "-XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m -Xss512k";
    private static final String DEFAULT_MALLOC_ARENAS = "2";

    private static final String TABLE = "BENCH_USERS";
    private static final String TOPIC = "P_" + TABLE;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final int rows;
    // -Dbench.stages=source,mysql,s3,e2e,scale,latency,console (all by default): run a part while working on it
    private final java.util.Set<String> stages = new java.util.LinkedHashSet<>(
            List.of(System.getProperty("bench.stages", "source,mysql,s3,e2e,scale,latency,console").split("\\s*,\\s*")));
    private final int latencySeconds;
    private final LocalStack stack;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final List<String[]> table = new ArrayList<>();
    // the progress probes run every 100 ms: one client for all of them
    private final Admin admin;

    private PipelineBenchmark(int rows, int latencySeconds, LocalStack stack, Admin admin) {
        this.rows = rows;
        this.latencySeconds = latencySeconds;
        this.stack = stack;
        this.admin = admin;
    }

    public static void main(String[] args) throws Exception {
        int rows = Integer.getInteger("bench.rows", DEFAULT_ROWS);
        int latencySeconds = Integer.getInteger("bench.latency.seconds", 60);
        try (LocalStack stack = LocalStack.start(Path.of("target", "bench-stack"), "bench");
             Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafka().bootstrapServers()))) {
            stack.exposeS3Credentials();
            new PipelineBenchmark(rows, latencySeconds, stack, admin).run();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        results.put("date", LocalDateTime.now(ZoneOffset.UTC).withNano(0).toString() + "Z");
        results.put("machine", Runtime.getRuntime().availableProcessors() + " cores, "
                + (Runtime.getRuntime().maxMemory() / (1024 * 1024)) + " MB max heap of the benchmark JVM, Java "
                + System.getProperty("java.version"));
        results.put("rows", rows);
        results.put("pipeline_jvm_xmx", pipelineXmx());
        results.put("pipeline_jvm_args", System.getProperty("bench.pipeline.jvm.args", DEFAULT_JVM_ARGS));
        results.put("pipeline_malloc_arenas", System.getProperty("bench.pipeline.malloc.arenas", DEFAULT_MALLOC_ARENAS));
        results.put("pipeline_properties", System.getProperty("bench.pipeline.properties", ""));
        if (!stages.contains("source") && (stages.contains("mysql") || stages.contains("s3"))) {
            stages.add("source"); // the sink stages drain the topic the source stage fills
        }
        results.put("stages", String.join(",", stages));
        if (stages.contains("source")) {
            runSourceAndSinkStages();
        }
        if (stages.contains("e2e")) {
            runEndToEndStage();
        }
        if (stages.contains("scale")) {
            runScaleStages();
        }
        if (stages.contains("latency")) {
            measureLatency();
        }
        if (stages.contains("console")) {
            measureConsoleCost();
        }
        write();
    }

    private void runSourceAndSinkStages() throws Exception {
        progress("loading %,d rows into PostgreSQL", rows);
        loadRows(TABLE);

        double jdbcRead = measureJdbcRead();
        record("PostgreSQL plain JDBC read (limit)", jdbcRead, null);

        // stage 1: source alone, PostgreSQL -> Kafka
        Stage source = runStage("source", Map.of("mysql.enabled", "false", "s3.enabled", "false"),
                () -> sourceOffset(TABLE) > 0, () -> sourceOffset(TABLE), () -> sourceOffset(TABLE) >= rows);
        double recordBytes = averageRecordBytes(TOPIC);
        results.put("record_value_bytes_avg", Math.round(recordBytes));
        double producerLimit = measureProducerLimit((int) recordBytes);
        record("Kafka producer alone, same record size (limit)", producerLimit, null);
        record("source: PostgreSQL -> Kafka", source, Math.min(jdbcRead, producerLimit));

        if (stages.contains("mysql")) {
            runMySqlStage();
        }
        if (stages.contains("s3")) {
            runS3Stages();
        }
    }

    private void runMySqlStage() throws Exception {
        // stage 2: MySQL sink alone, from the backlog on the topic
        double mysqlLimit = mysqlLimit(TABLE);
        Stage mysql = runStage("mysql", Map.of("source.enabled", "false", "s3.enabled", "false"),
                () -> mysqlRows("P_" + TABLE) > 0, () -> mysqlRows("P_" + TABLE), () -> mysqlRows("P_" + TABLE) >= rows);
        record("mysql sink: Kafka -> MySQL", mysql, mysqlLimit);
    }

    private void runS3Stages() throws Exception {

        // stage 3: S3 sink alone, json then gzip
        Stage s3 = runStage("s3-json", Map.of("source.enabled", "false", "mysql.enabled", "false", "s3.flush.size", "10000",
                "s3.group.id", "bench-s3-json", "s3.topics.dir", "json"), () -> committed("bench-s3-json") > 0, () -> committed("bench-s3-json"),
                () -> committed("bench-s3-json") >= lastRecordEnd(TOPIC));
        record("s3 sink json: Kafka -> S3", s3, null);
        Stage s3gzip = runStage("s3-gzip", Map.of("source.enabled", "false", "mysql.enabled", "false", "s3.flush.size", "10000",
                "s3.compression.type", "gzip", "s3.group.id", "bench-s3-gzip", "s3.topics.dir", "gzip"),
                () -> committed("bench-s3-gzip") > 0, () -> committed("bench-s3-gzip"), () -> committed("bench-s3-gzip") >= lastRecordEnd(TOPIC));
        record("s3 sink gzip: Kafka -> S3", s3gzip, null);
        // memory with huge objects: every record of the backlog in one object (s3.flush.size 1,000,000, some
        // 330 MB of JSON for a million rows), closed when full or by the timer 20 s after it opened, in a heap
        // far smaller than the object: the buffer file grows, the heap must not
        String hugeXmx = System.getProperty("bench.flush1m.xmx", "64m");
        Stage s3Huge = runStage("s3-flush-1m", Map.of("source.enabled", "false", "mysql.enabled", "false", "s3.flush.size", "1000000",
                "s3.rotate.schedule.interval.ms", "20000", "s3.group.id", "bench-s3-1m", "s3.topics.dir", "huge"), hugeXmx,
                () -> committed("bench-s3-1m") > 0, () -> committed("bench-s3-1m"), () -> committed("bench-s3-1m") >= lastRecordEnd(TOPIC));
        progress("s3 sink with s3.flush.size=1,000,000 and -Xmx%s: one object of %,d records; peak heap %d MB, live heap (after full GCs) %d MB",
                hugeXmx, rows, s3Huge.peakHeapMb(), s3Huge.maxLiveHeapMb());
        results.put("s3_flush_1m", Map.of("xmx", hugeXmx, "peak_heap_mb", s3Huge.peakHeapMb(), "live_heap_after_full_gc_mb", s3Huge.maxLiveHeapMb()));

    }

    // stages scale-*: several instances (README "Running several instances")

    /**
     * A topic of six partitions, drained into MySQL by one instance, then by three instances with identical
     * settings sharing the sink's consumer group (each in its own JVM, started together): the total rate next to
     * one instance's, and each instance's rows and partitions, read from its own /metrics at the end.
     */
    private void runScaleStages() throws Exception {
        String table = "BENCH_SCALE";
        String topic = "P_" + table;
        admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 6, (short) 1))).all().get();
        progress("loading %,d rows into PostgreSQL for the six-partition topic %s", rows, topic);
        loadRows(table);
        runStage("scale-source", Map.of("source.table.whitelist", table, "mysql.enabled", "false", "s3.enabled", "false"),
                () -> sourceOffset(table) > 0, () -> sourceOffset(table), () -> sourceOffset(table) >= rows);
        Stage one = runStage("scale-mysql-1", scaleSink(topic, "bench-scale-1", "scale1_${topic}"), () -> mysqlRows("scale1_" + topic) > 0,
                () -> mysqlRows("scale1_" + topic), () -> mysqlRows("scale1_" + topic) >= rows);
        record("scale: mysql sink, 6 partitions, 1 instance", one, null);

        int instances = Integer.getInteger("bench.scale.instances", 3);
        String target = "scale" + instances + "_" + topic;
        List<Process> children = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try {
            for (int i = 1; i <= instances; i++) {
                int port = freePort();
                Map<String, String> settings = baseSettings();
                settings.putAll(scaleSink(topic, "bench-scale-" + instances, "scale" + instances + "_${topic}"));
                // its own /metrics says what it wrote and which partitions it held
                settings.putAll(Map.of("console.enabled", "true", "console.port", Integer.toString(port)));
                ports.add(port);
                children.add(startPipeline(settings, "scale-mysql-" + instances + "-" + i, pipelineXmx()));
            }
            progress("stage scale-mysql-%d: %d pipeline JVMs started", instances, instances);
            long start = System.nanoTime();
            long first = 0;
            while (mysqlRows(target) < rows) {
                if (first == 0 && mysqlRows(target) > 0) {
                    first = System.nanoTime();
                }
                for (Process child : children) {
                    if (!child.isAlive()) {
                        throw new IllegalStateException("a pipeline JVM of stage scale-mysql-" + instances + " died: see target/bench/");
                    }
                }
                Thread.sleep(100);
            }
            double seconds = (System.nanoTime() - (first == 0 ? start : first)) / 1e9;
            List<Map<String, Object>> each = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                String metrics = http("http://127.0.0.1:" + ports.get(i) + "/metrics");
                long written = Math.round(metricValue(metrics, "pipeline_records_out_total{flow=\"mysql-sink\"}"));
                long partitions = metrics.lines().filter(line -> line.startsWith("pipeline_partition_held{flow=\"mysql-sink\"")
                        && line.endsWith(" 1.0")).count();
                double cpu = cpuSeconds(children.get(i).pid());
                each.add(Map.of("instance", i + 1, "rows", written, "rows_per_second", Math.round(written / seconds),
                        "partitions_held_at_end", partitions, "cpu_seconds", cpu, "peak_rss_mb", peakRssMb(children.get(i).pid())));
                progress("stage scale-mysql-%d: instance %d wrote %,d rows = %,.0f rows/s, held %d partitions at the end, CPU %.1f s",
                        instances, i + 1, written, written / seconds, partitions, cpu);
            }
            progress("stage scale-mysql-%d: %,d rows drained in %.1f s = %,.0f rows/s together (one instance: %,.0f rows/s)",
                    instances, rows, seconds, rows / seconds, one.rate());
            results.put("scale_mysql_instances", Map.of("instances", instances, "drain_seconds", seconds,
                    "rows_per_second", Math.round(rows / seconds), "each", each));
            record("scale: mysql sink, 6 partitions, " + instances + " instances together", rows / seconds, null);
        } finally {
            for (Process child : children) {
                child.destroy();
            }
            for (Process child : children) {
                child.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** A MySQL sink alone on the six-partition topic, in its own group and table. */
    private static Map<String, String> scaleSink(String topic, String group, String tableFormat) {
        return Map.of("source.enabled", "false", "s3.enabled", "false", "mysql.topics", topic, "mysql.group.id", group,
                "mysql.table.name.format", tableFormat);
    }

    /** A port no one listens on now, for a pipeline JVM's console. */
    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String http(String url) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of one Prometheus sample whose line starts with {@code sample}, or NaN. */
    private static double metricValue(String metrics, String sample) {
        return metrics.lines().filter(line -> line.startsWith(sample + " ")).mapToDouble(line -> Double.parseDouble(line.substring(sample.length() + 1)))
                .findFirst().orElse(Double.NaN);
    }

    private void runEndToEndStage() throws Exception {
        // stage 4: everything at once from a fresh backlog, until the last row is in MySQL and in S3
        String e2eTable = "BENCH_E2E";
        loadRows(e2eTable);
        double mysqlLimit = mysqlLimit(e2eTable);
        Stage endToEnd = runStage("end-to-end", Map.of("source.table.whitelist", e2eTable, "mysql.topics", "P_" + e2eTable,
                "s3.topics", "P_" + e2eTable, "s3.flush.size", "10000", "mysql.group.id", "bench-e2e-mysql", "s3.group.id", "bench-e2e-s3",
                "source.offsets.topic", "bench_e2e_offsets", "source.transactional.id.prefix", "bench-e2e"),
                () -> endOffset("P_" + e2eTable) > 0 && endOffset("P_" + e2eTable) != Long.MAX_VALUE,
                // no second-half rate here: the source finishes first and leaves the sinks the whole machine,
                // so the second half is not the three flows at work together (the warm stage below is)
                () -> -1L,
                () -> mysqlRows("P_" + e2eTable) >= rows && committed("bench-e2e-s3") >= lastRecordEnd("P_" + e2eTable)
                        && endOffset("P_" + e2eTable) > rows);
        record("end to end: PostgreSQL -> MySQL and S3", endToEnd, mysqlLimit);
        results.put("pipeline_jvm_end_to_end", Map.of("cpu_seconds", endToEnd.cpuSeconds(), "peak_rss_mb", endToEnd.peakRssMb(),
                "seconds", endToEnd.seconds()));
        runWarmEndToEndStage(mysqlLimit);
    }

    /**
     * End to end in a pipeline that has already moved a fifth as many rows (its hot code compiled, as in a
     * pipeline that runs for days): the measured rows are inserted in one transaction once the warm-up rows
     * are in MySQL and S3, and the clock runs from that commit until the last of them is in both.
     */
    private void runWarmEndToEndStage(double mysqlLimit) throws Exception {
        String table = "BENCH_E2E_WARM";
        String topic = "P_" + table;
        long warmUpRows = Math.max(20_000, rows / 5);
        long total = warmUpRows + rows;
        loadRows(table, 1, warmUpRows);
        Stage warm = runStage("end-to-end-warm", Map.of("source.table.whitelist", table, "mysql.topics", topic, "s3.topics", topic,
                        "s3.flush.size", "10000", "mysql.group.id", "bench-e2e-warm-mysql", "s3.group.id", "bench-e2e-warm-s3",
                        "source.offsets.topic", "bench_e2e_warm_offsets", "source.transactional.id.prefix", "bench-e2e-warm"),
                pipelineXmx(),
                child -> {
                    progress("stage end-to-end-warm: warming up with %,d rows", warmUpRows);
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                    while (!(mysqlRows(topic, warmUpRows) >= warmUpRows && committed("bench-e2e-warm-s3") >= lastRecordEnd(topic))) {
                        if (!child.isAlive() || System.nanoTime() > deadline) {
                            throw new IllegalStateException("the warm-up of end-to-end-warm did not finish: see target/bench/end-to-end-warm.log");
                        }
                        Thread.sleep(100);
                    }
                    progress("stage end-to-end-warm: warm; inserting the %,d measured rows", rows);
                    loadRows(table, warmUpRows + 1, total);
                },
                () -> true,
                () -> -1L,
                () -> mysqlRows(topic, total) >= total && committed("bench-e2e-warm-s3") >= lastRecordEnd(topic) && endOffset(topic) > total);
        record("end to end, warm JVM (after " + String.format("%,d", warmUpRows) + " rows)", warm, mysqlLimit);
    }

    // ---------------------------------------------------------------------------------------------
    // the pipeline in a child JVM, one stage at a time

    /** secondHalfRate: rows/s over the drain's second half, when the JVM is warm (NaN if not seen). */
    private record Stage(String name, double seconds, double rate, double secondHalfRate, double cpuSeconds, long peakRssMb,
                         long peakHeapMb, long maxLiveHeapMb) {
    }

    private Stage runStage(String name, Map<String, String> overrides, BooleanSupplier started, LongSupplier rowsDone,
                           BooleanSupplier done) throws Exception {
        return runStage(name, overrides, pipelineXmx(), null, started, rowsDone, done);
    }

    private Stage runStage(String name, Map<String, String> overrides, String xmx, BooleanSupplier started, LongSupplier rowsDone,
                           BooleanSupplier done) throws Exception {
        return runStage(name, overrides, xmx, null, started, rowsDone, done);
    }

    /** What happens between the pipeline JVM's start and the stage's clock: a warm-up (null: none). */
    private interface Preparation {
        void run(Process child) throws Exception;
    }

    /**
     * Runs one stage in a fresh pipeline JVM until {@code done}; {@code rowsDone} (probed with the others)
     * marks when half the rows are through, for the rate over the second half: the first half includes the
     * JVM compiling its hot code, which a pipeline that runs for days pays once.
     */
    private Stage runStage(String name, Map<String, String> overrides, String xmx, Preparation prepare, BooleanSupplier started,
                           LongSupplier rowsDone, BooleanSupplier done) throws Exception {
        Map<String, String> settings = baseSettings();
        settings.putAll(overrides);
        progress("stage %s: starting the pipeline JVM (%s)", name, xmx.isBlank() ? "the JVM's default heap" : "-Xmx" + xmx);
        Map<Long, Double> serversCpuBefore = serverCpuByPid();
        Process child = startPipeline(settings, name, xmx);
        try {
            double cpuBefore = 0;
            if (prepare != null) {
                prepare.run(child);
                // a warmed-up stage counts the CPU of its measured drain only
                cpuBefore = cpuSeconds(child.pid());
                serversCpuBefore = serverCpuByPid();
            }
            long start = System.nanoTime();
            long firstProgress = 0;
            long halfway = 0;
            long lastReport = start;
            while (!done.getAsBoolean()) {
                if (firstProgress == 0 && started.getAsBoolean()) {
                    firstProgress = System.nanoTime();
                }
                if (halfway == 0 && firstProgress != 0 && rowsDone.getAsLong() >= rows / 2) {
                    halfway = System.nanoTime();
                }
                if (!child.isAlive()) {
                    throw new IllegalStateException("the pipeline JVM of stage " + name + " died: see target/bench/" + name + ".log");
                }
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
                    progress("stage %s: running for %d s", name, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
                    lastReport = System.nanoTime();
                }
                Thread.sleep(100);
            }
            long end = System.nanoTime();
            double seconds = (end - (firstProgress == 0 ? start : firstProgress)) / 1e9;
            double withStart = (end - start) / 1e9;
            double cpu = cpuSeconds(child.pid()) - cpuBefore;
            Map<String, Double> serversCpu = serverCpuSince(serversCpuBefore, child.pid());
            long rss = peakRssMb(child.pid());
            long[] heap = heapFromGcLog(gcLog(name));
            double secondHalf = halfway == 0 ? Double.NaN : (rows - rows / 2) / ((end - halfway) / 1e9);
            Stage stage = new Stage(name, seconds, rows / seconds, secondHalf, cpu, rss, heap[0], heap[1]);
            progress("stage %s: %,d rows drained in %.1f s = %,.0f rows/s%s (%.1f s with the JVM start); "
                            + "CPU %.1f s, peak RSS %d MB, peak heap %d MB, live heap (after full GCs) %d MB",
                    name, rows, seconds, stage.rate(), Double.isNaN(secondHalf) ? "" : String.format(", second half %,.0f rows/s", secondHalf),
                    withStart, cpu, rss, heap[0], heap[1]);
            progress("stage %s: CPU of the servers meanwhile (s): %s", name, serversCpu);
            results.put("stage_" + name, Map.of("drain_seconds", seconds, "seconds_with_start", withStart,
                    "rows_per_second", Math.round(stage.rate()), "second_half_rows_per_second", Double.isNaN(secondHalf) ? -1 : Math.round(secondHalf),
                    "cpu_seconds", cpu, "peak_rss_mb", rss,
                    "peak_heap_mb", heap[0], "live_heap_after_full_gc_mb", heap[1], "servers_cpu_seconds", serversCpu));
            return stage;
        } finally {
            child.destroy();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Map<String, String> baseSettings() {
        Map<String, String> settings = new LinkedHashMap<>(stack.connectionProperties());
        settings.put("s3.bucket.name", "bench");
        settings.put("source.table.whitelist", TABLE);
        settings.put("mysql.topics", TOPIC);
        settings.put("s3.topics", TOPIC);
        settings.put("mysql.group.id", "bench-mysql");
        settings.put("s3.group.id", "bench-s3");
        settings.put("source.offsets.topic", "bench_offsets");
        settings.put("source.transactional.id.prefix", "bench");
        settings.put("generator.enabled", "false");
        settings.put("console.enabled", "false");
        settings.put("progress.log.interval.ms", "5000");
        // -Dbench.pipeline.properties=s3.batch.max.records=1000,mysql.batch.size=500: measure other settings
        for (String setting : System.getProperty("bench.pipeline.properties", "").split(",")) {
            int equals = setting.indexOf('=');
            if (equals > 0) {
                settings.put(setting.substring(0, equals).trim(), setting.substring(equals + 1).trim());
            }
        }
        return settings;
    }

    /** The heap a production deployment would give the pipeline JVM (-Dbench.pipeline.xmx). */
    private static String pipelineXmx() {
        return System.getProperty("bench.pipeline.xmx", DEFAULT_XMX);
    }

    private Process startPipeline(Map<String, String> settings, String name, String xmx) throws IOException {
        List<String> jvmOptions = new ArrayList<>();
        // the heap a production deployment would give it; the report shows what the JVM then really takes
        if (!xmx.isBlank()) {
            jvmOptions.add("-Xmx" + xmx); // empty: the JVM's default heap (a quarter of the machine's memory)
        }
        // extra JVM flags to try, e.g. -Dbench.pipeline.jvm.args="-XX:+UseSerialGC"
        for (String flag : System.getProperty("bench.pipeline.jvm.args", DEFAULT_JVM_ARGS).trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                jvmOptions.add(flag);
            }
        }
        // every collection's heap before and after: the peak heap and the largest live set of the stage
        jvmOptions.add("-Xlog:gc:file=" + gcLog(name));
        if (Boolean.getBoolean("bench.jfr")) {
            // -Dbench.jfr=true: a flight recording per stage, to see where the pipeline's CPU goes
            jvmOptions.add("-XX:StartFlightRecording=filename=target/bench/" + name + ".jfr,settings=profile");
        }
        List<String> command = ChildPipeline.command(settings, jvmOptions);
        Path log = Path.of("target", "bench", name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        String arenas = System.getProperty("bench.pipeline.malloc.arenas", DEFAULT_MALLOC_ARENAS);
        if (!arenas.isBlank()) {
            // glibc gives each thread its own malloc arena; capping them is a common way to cut a JVM's RSS
            builder.environment().put("MALLOC_ARENA_MAX", arenas);
        }
        return builder.start();
    }

    private static Path gcLog(String stage) {
        return Path.of("target", "bench", stage + ".gc.log");
    }

    private static final java.util.regex.Pattern GC_HEAP = java.util.regex.Pattern.compile("(\\d+)M->(\\d+)M\\(\\d+M\\)");

    /**
     * From lines like {@code GC(3) Pause Young (Allocation Failure) 45M->12M(160M)}: the largest heap before a
     * collection, and the largest left after a full collection: what a young collection leaves includes the
     * old generation's garbage, so only a full one shows the live set (if none ran: after any collection).
     */
    private static long[] heapFromGcLog(Path log) throws IOException {
        long before = 0;
        long afterAny = 0;
        long afterFull = 0;
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                java.util.regex.Matcher heap = GC_HEAP.matcher(line);
                if (heap.find()) {
                    before = Math.max(before, Long.parseLong(heap.group(1)));
                    afterAny = Math.max(afterAny, Long.parseLong(heap.group(2)));
                    if (line.contains("Pause Full")) {
                        afterFull = Math.max(afterFull, Long.parseLong(heap.group(2)));
                    }
                }
            }
        }
        return new long[] {before, afterFull > 0 ? afterFull : afterAny};
    }

    /**
     * CPU seconds of the embedded servers' processes (MariaDB; PostgreSQL and its backends) and of this JVM
     * (which hosts the Kafka broker, S3Proxy and the progress probes), by pid: the two cores are shared,
     * and where they go explains a stage's rate. Processes that ended during the stage are not counted.
     */
    private static Map<Long, Double> serverCpuByPid() {
        Map<Long, Double> cpu = new LinkedHashMap<>();
        cpu.put(ProcessHandle.current().pid(), cpuSecondsOrZero(ProcessHandle.current().pid()));
        ProcessHandle.current().descendants().forEach(process -> cpu.put(process.pid(), cpuSecondsOrZero(process.pid())));
        // PostgreSQL detaches from the benchmark (pg_ctl starts it as a daemon): its processes are found by name
        ProcessHandle.allProcesses().filter(process -> serverName(process.pid()).equals("PostgreSQL"))
                .forEach(process -> cpu.put(process.pid(), cpuSecondsOrZero(process.pid())));
        return cpu;
    }

    private static Map<String, Double> serverCpuSince(Map<Long, Double> before, long pipelinePid) {
        java.util.Set<Long> pipeline = new java.util.HashSet<>();
        pipeline.add(pipelinePid);
        ProcessHandle.of(pipelinePid).ifPresent(p -> p.descendants().forEach(d -> pipeline.add(d.pid())));
        Map<String, Double> byServer = new java.util.TreeMap<>();
        serverCpuByPid().forEach((pid, seconds) -> {
            if (pipeline.contains(pid)) {
                return;
            }
            String server = pid == ProcessHandle.current().pid() ? "benchmark JVM: Kafka, S3Proxy, probes" : serverName(pid);
            double used = seconds - before.getOrDefault(pid, 0.0);
            byServer.merge(server, Math.round(used * 10) / 10.0, (a, b) -> Math.round((a + b) * 10) / 10.0);
        });
        return byServer;
    }

    private static String serverName(long pid) {
        try {
            String command = Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
            return command.startsWith("mysqld") || command.startsWith("mariadb") ? "MariaDB"
                    : command.startsWith("postgres") ? "PostgreSQL" : "other (" + command + ")";
        } catch (IOException e) {
            return "other";
        }
    }

    private static double cpuSecondsOrZero(long pid) {
        try {
            return cpuSeconds(pid);
        } catch (IOException | RuntimeException e) {
            return 0; // ended meanwhile
        }
    }

    private static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
        return ticks / 100.0;
    }

    private static long peakRssMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------------------------------------
    // data and limits

    private Connection postgres() throws SQLException {
        return DriverManager.getConnection(stack.postgres().jdbcUrl(), EmbeddedPostgreSql.USER, "");
    }

    private Connection mysql() throws SQLException {
        return DriverManager.getConnection(stack.mariaDb().jdbcUrl() + "?rewriteBatchedStatements=true", EmbeddedMariaDb.USER, "");
    }

    /** Users rows of about 300 bytes, made by PostgreSQL itself in one statement. */
    private void loadRows(String name) throws SQLException {
        loadRows(name, 1, rows);
    }

    /** Creates the table if needed and inserts rows {@code first} to {@code last} in one statement (one transaction). */
    private void loadRows(String name, long first, long last) throws SQLException {
        try (Connection connection = postgres(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS \"" + name + "\" (\"index\" BIGSERIAL PRIMARY KEY, \"job\" TEXT, \"company\" TEXT, "
                    + "\"ssn\" TEXT, \"residence\" TEXT, \"username\" TEXT, \"name\" TEXT, \"sex\" TEXT, \"address\" TEXT, "
                    + "\"mail\" TEXT, \"birthdate\" DATE, \"timestamp\" TIMESTAMP NOT NULL)");
            statement.execute("INSERT INTO \"" + name + "\" (\"job\", \"company\", \"ssn\", \"residence\", \"username\", \"name\", "
                    + "\"sex\", \"address\", \"mail\", \"birthdate\", \"timestamp\") SELECT "
                    + "'Engineer ' || (g % 97), 'Company ' || md5(g::text), lpad((g % 1000000000)::text, 9, '0'), "
                    + "(g % 9999) || ' Main Street, Springfield', 'user' || g, 'Name ' || substr(md5((g * 7)::text), 1, 12), "
                    + "CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END, (g % 777) || ' Elm Road, ' || substr(md5((g * 3)::text), 1, 10), "
                    + "'user' || g || '@example.com', DATE '1950-01-01' + (g % 20000), "
                    + "TIMESTAMP '2026-01-01' + g * INTERVAL '1 millisecond' FROM generate_series(" + first + ", " + last + ") g");
        }
    }

    private double measureJdbcRead() throws SQLException {
        try (Connection connection = postgres()) {
            connection.setAutoCommit(false);
            long start = System.nanoTime();
            long count = 0;
            try (Statement statement = connection.createStatement()) {
                statement.setFetchSize(5_000);
                try (ResultSet rs = statement.executeQuery("SELECT * FROM \"" + TABLE + "\" ORDER BY \"index\"")) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            rs.getObject(i);
                        }
                        count++;
                    }
                }
            }
            return count / ((System.nanoTime() - start) / 1e9);
        }
    }

    private double measureProducerLimit(int valueBytes) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", stack.kafka().bootstrapServers());
        props.put("compression.type", "lz4");
        props.put("linger.ms", "5");
        props.put("batch.size", String.valueOf(256 * 1024));
        props.put("acks", "all");
        String value = "{\"payload\":\"" + "x".repeat(Math.max(0, valueBytes - 14)) + "\"}";
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < rows; i++) {
                producer.send(new ProducerRecord<>("bench_producer_limit", "{\"index\":" + i + "}", value));
            }
            producer.flush();
            return rows / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The same rows into MySQL with nothing but JDBC: batches of 1,000 rows, one transaction each. */
    private Double mysqlLimit;

    /** Measured once per run (from whichever table is loaded first), shared by the MySQL and end-to-end stages. */
    private double mysqlLimit(String sourceTable) throws SQLException {
        if (mysqlLimit == null) {
            mysqlLimit = measureMySqlBatchInsert(sourceTable);
            record("MySQL plain JDBC batch insert, same rows (limit)", mysqlLimit, null);
        }
        return mysqlLimit;
    }

    private double measureMySqlBatchInsert(String sourceTable) throws SQLException {
        try (Connection source = postgres(); Connection target = mysql()) {
            try (Statement ddl = target.createStatement()) {
                ddl.execute("CREATE TABLE bench_limit (`index` BIGINT PRIMARY KEY, job TEXT, company TEXT, ssn TEXT, residence TEXT, "
                        + "username TEXT, name TEXT, sex TEXT, address TEXT, mail TEXT, birthdate DATE, `timestamp` DATETIME(3)) "
                        + "DEFAULT CHARSET=utf8mb4");
            }
            List<Object[]> data = new ArrayList<>(rows);
            source.setAutoCommit(false);
            try (Statement statement = source.createStatement()) {
                statement.setFetchSize(5_000);
                try (ResultSet rs = statement.executeQuery("SELECT * FROM \"" + sourceTable + "\" ORDER BY \"index\"")) {
                    ResultSetMetaData meta = rs.getMetaData();
                    while (rs.next()) {
                        Object[] row = new Object[meta.getColumnCount()];
                        for (int i = 0; i < row.length; i++) {
                            row[i] = rs.getObject(i + 1);
                        }
                        data.add(row);
                    }
                }
            }
            target.setAutoCommit(false);
            long start = System.nanoTime();
            try (PreparedStatement insert = target.prepareStatement("INSERT INTO bench_limit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                int inBatch = 0;
                for (Object[] row : data) {
                    for (int i = 0; i < row.length; i++) {
                        insert.setObject(i + 1, row[i]);
                    }
                    insert.addBatch();
                    if (++inBatch == 1_000) {
                        insert.executeBatch();
                        target.commit();
                        inBatch = 0;
                    }
                }
                insert.executeBatch();
                target.commit();
            }
            return data.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // progress probes

    private long sourceOffset(String table) {
        try (KafkaConsumer<String, String> consumer = consumer()) {
            TopicPartition partition = new TopicPartition("bench_offsets", 0);
            if (consumer.partitionsFor("bench_offsets").isEmpty()) {
                return 0;
            }
            consumer.assign(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            if (end == 0) {
                return 0;
            }
            consumer.seek(partition, Math.max(0, end - 3));
            long last = 0;
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(2))) {
                if (record.key().equals("table:" + table)) {
                    last = MAPPER.readTree(record.value()).path("incrementing").asLong();
                }
            }
            return last;
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * Rows in the MySQL table, probed every 100 ms while a stage runs. A COUNT(*) scans the whole table (tens of
     * milliseconds at 200,000 rows, ten times a second, on the two cores the pipeline is measured on), so the
     * probe reads the largest primary key, one index lookup, and counts only once that reaches the last row.
     */
    private long mysqlRows(String table) {
        return mysqlRows(table, rows);
    }

    private long mysqlRows(String table, long expected) {
        try (Statement statement = mysqlProbe().createStatement()) {
            long largestIndex;
            try (ResultSet rs = statement.executeQuery("SELECT COALESCE(MAX(`index`), 0) FROM `" + table + "`")) {
                rs.next();
                largestIndex = rs.getLong(1);
            }
            if (largestIndex < expected) {
                return largestIndex;
            }
            try (ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM `" + table + "`")) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            closeMySqlProbe();
            return 0;
        }
    }

    private Connection mysqlProbe;

    private Connection mysqlProbe() throws SQLException {
        if (mysqlProbe == null) {
            mysqlProbe = mysql();
        }
        return mysqlProbe;
    }

    private void closeMySqlProbe() {
        try {
            if (mysqlProbe != null) {
                mysqlProbe.close();
            }
        } catch (SQLException ignored) {
            // a probe connection that broke is replaced by the next probe
        }
        mysqlProbe = null;
    }

    private long endOffset(String topic) {
        try {
            ListOffsetsResult result = admin.listOffsets(Map.of(new TopicPartition(topic, 0), OffsetSpec.latest()));
            return result.all().get().values().iterator().next().offset();
        } catch (Exception e) {
            return Long.MAX_VALUE;
        }
    }

    /** The offset after the last record: every source transaction ends with one commit marker after its records. */
    private long lastRecordEnd(String topic) {
        return endOffset(topic) - 1;
    }

    private long committed(String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).max().orElse(0);
        } catch (Exception e) {
            return 0;
        }
    }

    private double averageRecordBytes(String topic) {
        try (KafkaConsumer<String, String> consumer = consumer()) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long bytes = 0;
            int count = 0;
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(5))) {
                bytes += record.value().getBytes(StandardCharsets.UTF_8).length;
                count++;
            }
            return count == 0 ? 0 : (double) bytes / count;
        }
    }

    private KafkaConsumer<String, String> consumer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", stack.kafka().bootstrapServers());
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        props.put("max.poll.records", "1000");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    // ---------------------------------------------------------------------------------------------
    // latency at a steady 1 row/s

    /**
     * What the open console page costs the pipeline: its JVM's CPU over a minute at 10 rows/s with no page,
     * then over a minute with the page open in headless Chromium (refreshing every 2 s). Skipped without
     * Debian's chromium and chromium-driver.
     */
    private void measureConsoleCost() throws Exception {
        if (!HeadlessChromium.installed()) {
            progress("console cost: skipped, no /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)");
            return;
        }
        int seconds = Integer.getInteger("bench.console.seconds", 60);
        int port = freePort();
        Map<String, String> settings = baseSettings();
        settings.putAll(Map.of("generator.enabled", "true", "generator.table", "BENCH_CONSOLE", "generator.rate.per.second", "10",
                "source.table.whitelist", "BENCH_CONSOLE", "mysql.topics", "P_BENCH_CONSOLE", "s3.topics", "P_BENCH_CONSOLE",
                "console.enabled", "true", "console.port", Integer.toString(port)));
        settings.putAll(Map.of("mysql.group.id", "bench-console-mysql", "s3.group.id", "bench-console-s3",
                "source.offsets.topic", "bench_console_offsets", "source.transactional.id.prefix", "bench-console"));
        Process child = startPipeline(settings, "console", pipelineXmx());
        try {
            Thread.sleep(15_000); // started, and the first minute's JIT work mostly done
            progress("console cost: %d s without the page", seconds);
            double before = cpuSeconds(child.pid());
            Thread.sleep(seconds * 1000L);
            double closed = cpuSeconds(child.pid()) - before;
            org.openqa.selenium.WebDriver browser = HeadlessChromium.start();
            try {
                browser.get("http://127.0.0.1:" + port + "/");
                progress("console cost: %d s with the page open", seconds);
                double start = cpuSeconds(child.pid());
                Thread.sleep(seconds * 1000L);
                double open = cpuSeconds(child.pid()) - start;
                results.put("console_cost", Map.of("seconds", seconds, "cpu_seconds_page_closed", closed, "cpu_seconds_page_open", open,
                        "cpu_percent_page_closed", Math.round(closed * 1000 / seconds) / 10.0,
                        "cpu_percent_page_open", Math.round(open * 1000 / seconds) / 10.0));
                progress("console cost: pipeline JVM CPU %.1f s per %d s without the page, %.1f s with it open", closed, seconds, open);
            } finally {
                browser.quit();
            }
        } finally {
            child.destroy();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private void measureLatency() throws Exception {
        String name = "BENCH_LAT";
        try (Connection connection = postgres(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE \"" + name + "\" (\"index\" BIGSERIAL PRIMARY KEY, \"name\" TEXT, \"timestamp\" TIMESTAMP NOT NULL)");
        }
        Map<String, String> settings = baseSettings();
        settings.putAll(Map.of("source.table.whitelist", name, "mysql.topics", "P_" + name, "s3.enabled", "false",
                "mysql.group.id", "bench-lat", "source.offsets.topic", "bench_lat_offsets", "source.transactional.id.prefix", "bench-lat"));
        Process child = startPipeline(settings, "latency", pipelineXmx());
        Map<Long, Long> inserted = new ConcurrentHashMap<>();
        Map<Long, Long> inKafka = new ConcurrentHashMap<>();
        Map<Long, Long> inMySql = new ConcurrentHashMap<>();
        Thread kafkaWatcher = new Thread(() -> watchKafka("P_" + name, inKafka), "kafka-watcher");
        Thread mysqlWatcher = new Thread(() -> watchMySql("P_" + name, inMySql), "mysql-watcher");
        kafkaWatcher.setDaemon(true);
        mysqlWatcher.setDaemon(true);
        try {
            Thread.sleep(8_000); // let the pipeline start
            kafkaWatcher.start();
            mysqlWatcher.start();
            progress("latency: inserting 1 row/s for %d s", latencySeconds);
            try (Connection connection = postgres();
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO \"" + name
                         + "\" (\"name\", \"timestamp\") VALUES ('latency probe', now() AT TIME ZONE 'utc') RETURNING \"index\"")) {
                // one row in each second, at a random moment of it: a fixed 1 s beat would always meet the 1 s poll
                // timer at the same phase and measure one point of the wait instead of its spread
                java.util.Random phase = new java.util.Random(42);
                long start = System.nanoTime();
                for (int i = 0; i < latencySeconds; i++) {
                    long at = start + TimeUnit.MILLISECONDS.toNanos(i * 1_000L + phase.nextInt(1_000));
                    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(at - System.nanoTime())));
                    long before = System.nanoTime();
                    try (ResultSet rs = insert.executeQuery()) {
                        rs.next();
                        inserted.put(rs.getLong(1), before);
                    }
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((inMySql.size() < inserted.size() || inKafka.size() < inserted.size()) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            child.destroy();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        results.put("latency_insert_to_kafka_ms", percentiles(inserted, inKafka));
        results.put("latency_insert_to_mysql_ms", percentiles(inserted, inMySql));
        progress("latency insert -> Kafka: %s", results.get("latency_insert_to_kafka_ms"));
        progress("latency insert -> MySQL: %s", results.get("latency_insert_to_mysql_ms"));
    }

    private void watchKafka(String topic, Map<Long, Long> seen) {
        try (KafkaConsumer<String, String> consumer = consumer()) {
            TopicPartition partition = new TopicPartition(topic, 0);
            while (consumer.partitionsFor(topic).isEmpty()) {
                Thread.sleep(100);
            }
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(20))) {
                    seen.putIfAbsent(MAPPER.readTree(record.value()).path("payload").path("index").asLong(), System.nanoTime());
                }
            }
        } catch (Exception e) {
            // the benchmark is over
        }
    }

    private void watchMySql(String table, Map<Long, Long> seen) {
        long known = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try (Connection connection = mysql(); Statement statement = connection.createStatement()) {
                while (!Thread.currentThread().isInterrupted()) {
                    try (ResultSet rs = statement.executeQuery("SELECT `index` FROM `" + table + "` WHERE `index` > " + known)) {
                        long now = System.nanoTime();
                        while (rs.next()) {
                            seen.putIfAbsent(rs.getLong(1), now);
                            known = Math.max(known, rs.getLong(1));
                        }
                    }
                    Thread.sleep(10);
                }
            } catch (Exception e) {
                try {
                    Thread.sleep(200); // the table may not exist yet
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private static Map<String, Object> percentiles(Map<Long, Long> start, Map<Long, Long> end) {
        List<Double> latencies = new ArrayList<>();
        start.forEach((index, begin) -> {
            Long arrived = end.get(index);
            if (arrived != null) {
                latencies.add((arrived - begin) / 1e6);
            }
        });
        Collections.sort(latencies);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("samples", latencies.size());
        result.put("missing", start.size() - latencies.size());
        if (!latencies.isEmpty()) {
            result.put("p50", Math.round(at(latencies, 0.50)));
            result.put("p90", Math.round(at(latencies, 0.90)));
            result.put("p99", Math.round(at(latencies, 0.99)));
            result.put("max", Math.round(latencies.get(latencies.size() - 1)));
        }
        return result;
    }

    private static double at(List<Double> sorted, double quantile) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1));
    }

    // ---------------------------------------------------------------------------------------------
    // report

    private void record(String what, Stage stage, Double limit) {
        record(what, stage.rate(), stage.secondHalfRate(), limit);
    }

    private void record(String what, double rate, Double limit) {
        record(what, rate, Double.NaN, limit);
    }

    private void record(String what, double rate, double secondHalfRate, Double limit) {
        String ofLimit = limit == null ? "" : String.format("%.0f%%", 100 * rate / limit);
        String secondHalf = Double.isNaN(secondHalfRate) ? "" : String.format("%,.0f", secondHalfRate);
        table.add(new String[] {what, String.format("%,.0f", rate), secondHalf, ofLimit});
        results.put(what, limit == null ? Map.of("per_second", Math.round(rate))
                : Map.of("per_second", Math.round(rate), "fraction_of_limit", Math.round(1000 * rate / limit) / 1000.0));
    }

    private void write() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("Benchmark of ").append(results.get("date")).append(", ").append(results.get("machine")).append(", ")
                .append(String.format("%,d", rows)).append(" rows of about ").append(results.get("record_value_bytes_avg"))
                .append(" bytes on the topic\n\n");
        md.append("| stage | rows/s | second half, rows/s | of its limit |\n|---|---:|---:|---:|\n");
        for (String[] row : table) {
            md.append("| ").append(row[0]).append(" | ").append(row[1]).append(" | ").append(row[2]).append(" | ").append(row[3]).append(" |\n");
        }
        if (results.containsKey("latency_insert_to_mysql_ms")) {
            md.append("\nLatency at 1 row/s (ms): insert -> Kafka ").append(results.get("latency_insert_to_kafka_ms"))
                    .append("; insert -> MySQL ").append(results.get("latency_insert_to_mysql_ms")).append('\n');
        }
        if (results.containsKey("pipeline_jvm_end_to_end")) {
            md.append("\nPipeline JVM during the end-to-end stage: ").append(results.get("pipeline_jvm_end_to_end")).append('\n');
        }
        if (results.get("scale_mysql_instances") instanceof Map<?, ?> scale) {
            md.append("\nSeveral instances on the six-partition topic, each one's share: ").append(scale.get("each")).append('\n');
        }
        if (results.containsKey("console_cost")) {
            md.append("\nConsole page's cost at 10 rows/s (pipeline JVM CPU): ").append(results.get("console_cost")).append('\n');
        }
        md.append("\nPipeline JVM per stage (memory in MB");
        if (results.get("s3_flush_1m") instanceof Map<?, ?> huge) {
            md.append("; s3-flush-1m: s3.flush.size=1,000,000, all rows in one object, -Xmx").append(huge.get("xmx"));
        }
        md.append("; CPU in seconds during the stage, the servers' as measured from their processes):\n\n")
                .append("| stage | drain s | pipeline CPU s | servers CPU s | peak RSS | peak heap | live heap (largest after a full GC) |\n")
                .append("|---|---:|---:|---|---:|---:|---:|\n");
        results.forEach((key, value) -> {
            if (key.startsWith("stage_") && value instanceof Map<?, ?> stage) {
                md.append("| ").append(key.substring("stage_".length()))
                        .append(" | ").append(String.format("%.1f", (Double) stage.get("drain_seconds")))
                        .append(" | ").append(stage.get("cpu_seconds"))
                        .append(" | ").append(stage.get("servers_cpu_seconds"))
                        .append(" | ").append(stage.get("peak_rss_mb")).append(" | ")
                        .append(stage.get("peak_heap_mb")).append(" | ").append(stage.get("live_heap_after_full_gc_mb")).append(" |\n");
            }
        });
        Path dir = Path.of("target", "bench");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.md"), md);
        Files.writeString(dir.resolve("results.json"), MAPPER.writeValueAsString(results));
        System.out.println();
        System.out.println(md);
        System.out.println("Written to " + dir.toAbsolutePath().resolve("results.md") + " and results.json");
    }

    private static void progress(String format, Object... args) {
        System.out.printf("[bench %tT] %s%n", System.currentTimeMillis(), String.format(format, args));
    }
}
