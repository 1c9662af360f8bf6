package sink;

import static config.SettingsDefinition.Type.INT;
import static config.SettingsDefinition.Type.STRING;

import java.util.Map;

import config.Rules;
import config.SettingsDefinition;

/** What both sinks do with a record they cannot write and with a target that fails (routes.SinkErrorHandling). */
public final class SinkSettings {

    public static final SettingsDefinition SETTINGS = new SettingsDefinition("Both sinks: errors, retries, group membership")
            .define("errors.tolerance", STRING, "all", Rules.oneOf("none", "all"),
                    "all: a record a sink cannot write goes to the dead-letter topic and the sink goes on; "
                            + "none: the sink stops at the first such record (it retries it, logging the reason)")
            .define("errors.deadletterqueue.topic.name", STRING, "kafka-pipeline-dlq", Rules.NOT_EMPTY,
                    "dead-letter topic; the reason and the original topic/partition/offset are in the record headers")
            .define("sink.retry.max", INT, "8", Rules.POSITIVE,
                    "retries of a batch whose target fails (MySQL; for S3, a batch that waited 10 s for 64 MiB of complete "
                            + "objects to get into S3), before re-reading it from Kafka (nothing is skipped); a failed S3 upload "
                            + "itself is tried again every second")
            .define("sink.retry.initial.delay.ms", INT, "500", Rules.POSITIVE, "first pause between retries, doubling each time")
            .define("sink.retry.max.delay.ms", INT, "30000", Rules.POSITIVE, "longest pause between retries")
            .define("sink.session.timeout.ms", INT, "10000", Rules.atLeast(6000),
                    "how long the partitions of a sink instance that stopped answering Kafka (killed, hung, cut off) wait "
                            + "before the other instances take them over (Kafka's session.timeout.ms, 45 s by default there; "
                            + "an instance that stops normally hands them over at once). Shorter moves work sooner after a "
                            + "crash; too short, and a long GC pause or a slow network makes the group rebalance for nothing. "
                            + "The broker accepts 6,000 to 1,800,000 by default")
            .define("sink.heartbeat.interval.ms", INT, "1000", Rules.POSITIVE,
                    "how often a sink instance tells Kafka it is alive; the others learn of a rebalance at their next "
                            + "heartbeat, so this is part of every hand-over (Kafka's heartbeat.interval.ms, 3 s there). Less "
                            + "than a third of sink.session.timeout.ms")
            .check(SinkSettings::heartbeatWithinSession);

    private SinkSettings() {
    }

    /** Kafka refuses a heartbeat that is not well inside the session. */
    private static void heartbeatWithinSession(config.ParsedSettings settings) {
        int session = settings.intValue("sink.session.timeout.ms");
        int heartbeat = settings.intValue("sink.heartbeat.interval.ms");
        if (heartbeat * 3L > session) {
            throw new config.ConfigurationException("sink.heartbeat.interval.ms", Integer.toString(heartbeat),
                    "must be at most a third of sink.session.timeout.ms (" + session + ")");
        }
    }

    /** errors.tolerance=all: bad records go to the dead-letter topic instead of stopping the sink. */
    public static boolean toleratesBadRecords(config.ParsedSettings settings) {
        return settings.string("errors.tolerance").equals("all");
    }

    /**
     * What a second sink flow named {@code flowName} never takes from the first one of its kind: it runs unless
     * switched off, and reads with a consumer group of its own, the first flow's with the name added
     * ({@code kafka-pipeline-mysql-archive}; one group would split the partitions between them).
     */
    public static Map<String, String> ownSettingsOfASecondSink(String flowName, Object firstGroupId) {
        return Map.of("enabled", "true", "group.id", (firstGroupId == null ? "kafka-pipeline" : firstGroupId) + "-" + flowName);
    }
}
