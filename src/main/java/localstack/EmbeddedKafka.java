package localstack;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/** A single-node Kafka broker in KRaft mode (broker and controller in one), running in this JVM. */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaConfig config;
    private final String bootstrapServers;
    private KafkaRaftServer server;

    private EmbeddedKafka(KafkaConfig config, KafkaRaftServer server, String bootstrapServers) {
        this.config = config;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    public static EmbeddedKafka start(Path logDir) throws Exception {
        int brokerPort = FreePorts.next();
        int controllerPort = FreePorts.next();
        String dir = logDir.toAbsolutePath().toString();

        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dir);
        // one node: every internal topic has one replica, and few partitions start faster
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "true");
        // the cleaner's default 128 MB dedupe buffer would dominate the heap of a dev run
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        props.put("log.cleaner.io.buffer.size", String.valueOf(256 * 1024));

        KafkaConfig config = new KafkaConfig(props, false);
        new Formatter()
                .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .setClusterId(Uuid.randomUuid().toString())
                .setNodeId(1)
                .setDirectories(List.of(dir))
                .setMetadataLogDirectory(dir)
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setIgnoreFormatted(true)
                .run();
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new EmbeddedKafka(config, server, "127.0.0.1:" + brokerPort);
    }

    /** Stops the broker, waits, and starts it again on the same ports and data (tests of a broker restart). */
    public synchronized void restart(java.time.Duration down) throws InterruptedException {
        server.shutdown();
        server.awaitShutdown();
        Thread.sleep(down.toMillis());
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public synchronized void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
