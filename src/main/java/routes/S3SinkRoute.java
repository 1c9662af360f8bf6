package routes;

import config.PipelineConfiguration;
import org.apache.camel.builder.RouteBuilder;
import console.PipelineConsole;
import sink.SinkEndpoints;

/**
 * Flow 3: Kafka -> S3. Records go into objects kept open across batches, one per Kafka partition and
 * partitioner folder, buffered in files; an object is closed and uploaded when it holds s3.flush.size
 * records, when a record's time passes s3.rotate.interval.ms, or by the timer when it has been open for
 * s3.rotate.schedule.interval.ms. Each object is named from its first offset and records its last, so
 * a retried upload overwrites rather than duplicates, and records a crashed run already uploaded are
 * skipped. A partition's offset is committed only up to the first record not yet in S3.
 */
public class S3SinkRoute extends RouteBuilder {

    public static final String ROUTE_ID = "s3-sink";
    public static final String ROTATION_ROUTE_ID = "s3-rotation";

    @Override
    public void configure() {
        if (!Boolean.parseBoolean(getContext().resolvePropertyPlaceholders("{{s3.enabled}}"))) {
            return;
        }
        String writer = PipelineConfiguration.S3_WRITER;
        String countUploaded = "bean:" + PipelineConfiguration.PROGRESS + "?method=add('s3-sink written', ${body.uploadedRecords})";

        from(SinkEndpoints.kafkaBatches("s3", "s3.batch.max.records", "s3.batch.max.wait.ms"))
                .routeId(ROUTE_ID)
                .group(PipelineConsole.FLOW_GROUP)
                .routeConfigurationId(SinkErrorHandling.ID)
                .bean(writer, "writeBatch")             // into open objects; full ones closed and uploaded
                .to(countUploaded)
                .filter(simple("${body.deadLetters.size} > 0"))
                    .setBody(simple("${body.deadLetters}"))
                    .to(SinkEndpoints.deadLetterTopic())
                    .to("bean:" + PipelineConfiguration.PROGRESS + "?method=add('s3-sink dead letters', ${body.size})")
                .end()
                .bean(writer, "commitOffsets");         // up to the first record not yet in S3

        from("timer:" + ROTATION_ROUTE_ID + "?period=" + rotationCheckMillis())
                .routeId(ROTATION_ROUTE_ID)
                .bean(writer, "closeDueObjects")        // s3.rotate.schedule.interval.ms, even with no new records
                .to(countUploaded);
    }

    /** Often enough that an object closes within a quarter of its interval of being due, at most once a second. */
    private long rotationCheckMillis() {
        long schedule = Long.parseLong(getContext().resolvePropertyPlaceholders("{{s3.rotate.schedule.interval.ms}}").trim());
        return schedule <= 0 ? 1_000 : Math.max(50, Math.min(1_000, schedule / 4));
    }
}
