package s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import record.ConnectJson;
import record.Field;
import record.FieldType;
import record.RecordSchema;
import record.Row;
import sink.SinkRecord;

/** The aggregator's objects and the commit point they allow, with a fake clock and no Kafka or S3. */
class S3ObjectsTest {

    private static final RecordSchema USERS = new RecordSchema("P_USERS", List.of(
            Field.of("index", FieldType.INT64, false), Field.of("name", FieldType.STRING, true)));
    private static final TopicPartition P0 = new TopicPartition("P_USERS", 0);
    private static final String GROUP = "P_USERS-0/partition=0";

    @TempDir
    Path buffer;
    private final long[] now = {1_000_000};
    private CamelContext context;
    private S3Objects objects;

    @BeforeEach
    void start() {
        context = new DefaultCamelContext();
        // s3.flush.size 3, s3.rotate.schedule.interval.ms 10 s
        objects = new S3Objects(context, new S3SinkSettings("topics", 3, 0, 10_000, ObjectFormat.JSON, "snappy",
                5 * 1024 * 1024, buffer, true), () -> now[0]);
        objects.startPartition(P0, 0);
    }

    @AfterEach
    void stop() throws Exception {
        objects.close();
        context.close();
    }

    private static SinkRecord record(long offset) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("index", offset);
        values.put("name", "user " + offset);
        return SinkRecord.of(P0.topic(), 0, offset, 0, null, new ConnectJson(true).write(new Row(USERS, values)));
    }

    private Exchange piece(boolean endsObject, long writtenUpTo, SinkRecord... records) {
        ObjectPiece piece = new ObjectPiece(GROUP, P0, "partition=0");
        for (SinkRecord record : records) {
            piece.add(new ObjectPiece.Entry(record, null, 0));
        }
        if (endsObject) {
            piece.endObject();
        }
        piece.writtenUpTo(writtenUpTo);
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(piece);
        return exchange;
    }

    /** What the route's aggregate step does with a piece: aggregate, then keep the group open or complete it. */
    private Exchange aggregate(Exchange piece) {
        Exchange answer = objects.aggregate(objects.get(context, GROUP), piece);
        if (objects.isComplete(answer)) {
            objects.remove(context, GROUP, answer);
            objects.complete(answer);
        } else {
            objects.add(context, GROUP, answer);
        }
        return answer;
    }

    /** What route s3-uploads does with one complete object, up to the upload itself. */
    private Exchange prepareUpload(Object object) {
        Exchange upload = new DefaultExchange(context);
        upload.getMessage().setBody(object);
        objects.prepareUpload(upload);
        return upload;
    }

    private long committable() {
        OffsetAndMetadata commit = objects.offsetsToCommit().get(P0);
        return commit == null ? 0 : commit.offset();
    }

    @Test
    void anObjectIsCompleteAtTheFlushSizeAndTheCommitWaitsForItsUpload() throws Exception {
        Exchange group = aggregate(piece(false, 2, record(0), record(1)));
        assertThat(objects.isComplete(group)).isFalse();
        assertThat(committable()).as("records in an open object are not committed").isZero();

        group = aggregate(piece(false, 3, record(2)));
        assertThat(objects.isComplete(group)).as("s3.flush.size reached").isTrue();
        assertThat(objects.getKeys()).isEmpty();
        assertThat(objects.completeObjects()).hasSize(1);

        Exchange upload = prepareUpload(objects.completeObjects().get(0));
        File file = upload.getMessage().getBody(File.class);
        assertThat(upload.getMessage().getHeader(AWS2S3Constants.KEY)).isEqualTo("topics/P_USERS/partition=0/P_USERS+0+0000000000.json");
        assertThat(upload.getMessage().getHeader(AWS2S3Constants.METADATA)).isEqualTo(Map.of(UploadedObjects.LAST_OFFSET, "2"));
        assertThat(Files.readAllLines(file.toPath(), StandardCharsets.UTF_8)).containsExactly(
                "{\"index\":0,\"name\":\"user 0\"}", "{\"index\":1,\"name\":\"user 1\"}", "{\"index\":2,\"name\":\"user 2\"}");
        assertThat(committable()).as("complete but not in S3 yet").isZero();

        objects.uploaded(upload);
        assertThat(committable()).isEqualTo(3);
        assertThat(objects.completeObjects()).isEmpty();
        assertThat(file).as("the buffer file is removed once uploaded").doesNotExist();
    }

    @Test
    void aFailedUploadLeavesTheObjectForTheNextRoundAndHoldsTheCommitBack() {
        aggregate(piece(false, 3, record(0), record(1), record(2)));
        Exchange failed = prepareUpload(objects.completeObjects().get(0));
        failed.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("S3 is down"));
        objects.uploadFailed(failed);
        assertThat(objects.completeObjects()).hasSize(1);
        assertThat(committable()).isZero();
        Exchange again = prepareUpload(objects.completeObjects().get(0));
        assertThat(again.getMessage().getBody(File.class)).exists();
        objects.uploaded(again);
        assertThat(committable()).isEqualTo(3);
    }

    @Test
    void aPieceThatEndsItsObjectCompletesItEvenBelowTheFlushSize() {
        Exchange group = aggregate(piece(false, 1, record(0)));
        assertThat(objects.isComplete(group)).isFalse();
        // an empty piece: the next record of the group starts another object (s3.rotate.interval.ms, schema)
        group = aggregate(piece(true, 1));
        assertThat(objects.isComplete(group)).isTrue();
        assertThat(objects.completeObjects()).hasSize(1);
        assertThat(objects.getKeys()).isEmpty();
    }

    @Test
    void theScheduledRotationTimesOutWhatIsLeftOfTheIntervalSinceTheObjectOpened() {
        assertThat(objects.scheduledRotationIn(piece(false, 1, record(0)))).as("a new object").isEqualTo(10_000);
        aggregate(piece(false, 1, record(0)));
        now[0] += 4_000;
        assertThat(objects.scheduledRotationIn(piece(false, 2, record(1)))).as("more records do not postpone it").isEqualTo(6_000);
        now[0] += 7_000;
        assertThat(objects.scheduledRotationIn(piece(false, 3, record(2)))).isEqualTo(1);
    }

    @Test
    void theCommitNeverPassesAnOpenObjectOrAnUnsentDeadLetter() {
        // offsets 0-2 uploaded, 3 a dead letter not sent yet, 4 in an open object
        aggregate(piece(false, 3, record(0), record(1), record(2)));
        objects.uploaded(prepareUpload(objects.completeObjects().get(0)));
        objects.reject(record(3), "bad");
        objects.written(P0, 4);
        aggregate(piece(false, 5, record(4)));
        assertThat(committable()).isEqualTo(3);
        assertThat(objects.unsentDeadLetters()).hasSize(1);
        objects.deadLettersSent();
        assertThat(committable()).isEqualTo(4);
        objects.committed(objects.offsetsToCommit());
        assertThat(objects.offsetsToCommit()).as("nothing moved since the commit").isEmpty();
    }

    @Test
    void aPartitionThatMovesAwayLosesItsObjectsAndNothingOfItIsUploaded() {
        aggregate(piece(false, 3, record(0), record(1), record(2)));
        Object completeObject = objects.completeObjects().get(0);
        aggregate(piece(false, 4, record(3)));
        assertThat(objects.getKeys()).containsExactly(GROUP);
        objects.drop(List.of(P0));
        assertThat(objects.getKeys()).isEmpty();
        assertThat(objects.completeObjects()).isEmpty();
        assertThat(prepareUpload(completeObject).getMessage().getBody())
                .as("an upload round that had picked it up before the rebalance skips it").isNull();
        assertThat(objects.offsetsToCommit()).isEmpty();
        assertThat(buffer.toFile().list()).as("buffer files removed").isEmpty();
    }

    @Test
    void theUploadRouteIsWokenOnceUntilItsNextRoundStarts() {
        assertThat(objects.wakeUpNeeded()).isTrue();
        assertThat(objects.wakeUpNeeded()).as("one on its way already").isFalse();
        objects.completeObjects();
        assertThat(objects.wakeUpNeeded()).as("the round started: the next completion wakes the next round").isTrue();
    }

    @Test
    void aBatchWaitsWhileTheCompleteObjectsNotInS3HoldMoreThanTheReadAhead() throws Exception {
        objects.close();
        // a read-ahead of 100 bytes: two objects of three records are more
        objects = new S3Objects(context, new S3SinkSettings("topics", 3, 0, 10_000, ObjectFormat.JSON, "snappy",
                5 * 1024 * 1024, buffer, true), () -> now[0], 100);
        objects.startPartition(P0, 0);
        aggregate(piece(false, 3, record(0), record(1), record(2)));
        objects.waitForUploads(new DefaultExchange(context)); // one object: never waits, however large
        aggregate(piece(false, 6, record(3), record(4), record(5)));
        Exchange upload = prepareUpload(objects.completeObjects().get(0));
        Thread uploader = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            objects.uploaded(upload);
        });
        uploader.start();
        long start = System.nanoTime();
        objects.waitForUploads(new DefaultExchange(context)); // two, over 100 bytes: waits for the upload
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(250);
        assertThat(objects.completeObjects()).hasSize(1);
        uploader.join();
    }
}
