package sink;

import static config.SettingsDefinition.Type.INT;
import static config.SettingsDefinition.Type.STRING;

import config.Rules;
import config.SettingsDefinition;

/** What both sinks do with a record they cannot write and with a target that fails (routes.SinkErrorHandling). */
public final class SinkSettings {

    public static final SettingsDefinition SETTINGS = new SettingsDefinition("Errors (both sinks)")
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
            .define("sink.retry.max.delay.ms", INT, "30000", Rules.POSITIVE, "longest pause between retries");

    private SinkSettings() {
    }

    /** errors.tolerance=all: bad records go to the dead-letter topic instead of stopping the sink. */
    public static boolean toleratesBadRecords(config.ParsedSettings settings) {
        return settings.string("errors.tolerance").equals("all");
    }
}
