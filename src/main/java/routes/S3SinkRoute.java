package routes;

import config.PipelineConfiguration;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import sink.KafkaBatch;
import sink.SinkEndpoints;

/**
 * Flow 3: Kafka -> S3. Records are grouped per topic partition into objects of s3.flush.size records,
 * or fewer when s3.rotate.schedule.interval.ms passes; each object is named from its first offset and
 * records its last one, so a retried upload overwrites rather than duplicates and records a crashed run
 * already uploaded are skipped; offsets are committed after every upload.
 */
public class S3SinkRoute extends RouteBuilder {

    public static final String ROUTE_ID = "s3-sink";

    @Override
    public void configure() {
        if (!Boolean.parseBoolean(getContext().resolvePropertyPlaceholders("{{s3.enabled}}"))) {
            return;
        }
        from(SinkEndpoints.kafkaBatches("s3", "s3.flush.size", "s3.rotate.schedule.interval.ms"))
                .routeId(ROUTE_ID)
                .routeConfigurationId(SinkErrorHandling.ID)
                .process(PipelineConfiguration.S3_OBJECT_BUILDER)
                .split(simple("${body.objects}")).stopOnException()
                    .setHeader(AWS2S3Constants.KEY, simple("${body.key}"))
                    .setHeader(AWS2S3Constants.METADATA, simple("${body.metadata}"))
                    .setBody(simple("${body.content}"))
                    .toF("aws2-s3://{{s3.bucket.name}}?amazonS3Client=#%s&autoCreateBucket=false", PipelineConfiguration.S3_CLIENT)
                .end()
                .toF("bean:%s?method=add('s3 records', ${body.recordCount})", PipelineConfiguration.PROGRESS)
                .filter(simple("${body.deadLetters.size} > 0"))
                    .setBody(simple("${body.deadLetters}"))
                    .to(SinkEndpoints.deadLetterTopic())
                .end()
                .process(KafkaBatch::commitOffsets);
    }
}
