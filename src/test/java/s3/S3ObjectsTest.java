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
import org.apache.camel.ExchangePropertyKey;
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

    private Exchange piece(boolean startsObject, long writtenUpTo, SinkRecord... records) {
        ObjectPiece piece = new ObjectPiece(GROUP, P0, "partition=0", startsObject);
        for (SinkRecord record : records) {
            piece.add(new ObjectPiece.Entry(record, null, 0));
        }
        piece.writtenUpTo(writtenUpTo);
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(piece);
        exchange.setProperty(ExchangePropertyKey.AGGREGATED_CORRELATION_KEY, GROUP);
        return exchange;
    }

    /** What the aggregator does with a piece: aggregate, then keep the group open unless it is full. */
    private Exchange aggregate(Exchange group, Exchange piece) {
        Exchange answer = objects.aggregate(group, piece);
        if (!objects.isFull(answer)) {
            objects.add(context, GROUP, answer);
        } else {
            objects.remove(context, GROUP, answer);
        }
        return answer;
    }

    private long committable() {
        OffsetAndMetadata commit = objects.offsetsToCommit().get(P0);
        return commit == null ? 0 : commit.offset();
    }

    @Test
    void aPieceThatFillsTheObjectCompletesItAndTheCommitWaitsForItsUpload() throws Exception {
        Exchange group = aggregate(null, piece(true, 2, record(0), record(1)));
        assertThat(objects.isFull(group)).isFalse();
        assertThat(committable()).as("records in an open object are not committed").isZero();

        group = aggregate(group, piece(false, 3, record(2)));
        assertThat(objects.isFull(group)).isTrue();
        assertThat(objects.getKeys()).isEmpty();

        objects.prepareUpload(group);
        File file = group.getMessage().getBody(File.class);
        assertThat(group.getMessage().getHeader(AWS2S3Constants.KEY)).isEqualTo("topics/P_USERS/partition=0/P_USERS+0+0000000000.json");
        assertThat(group.getMessage().getHeader(AWS2S3Constants.METADATA)).isEqualTo(Map.of(UploadedObjects.LAST_OFFSET, "2"));
        assertThat(Files.readAllLines(file.toPath(), StandardCharsets.UTF_8)).containsExactly(
                "{\"index\":0,\"name\":\"user 0\"}", "{\"index\":1,\"name\":\"user 1\"}", "{\"index\":2,\"name\":\"user 2\"}");
        assertThat(objects.scan(context)).as("kept until its upload is confirmed").containsExactly(group.getExchangeId());
        assertThat(committable()).as("complete but not in S3 yet").isZero();

        objects.uploaded(group);
        objects.confirm(context, group.getExchangeId());
        assertThat(committable()).isEqualTo(3);
        assertThat(objects.scan(context)).isEmpty();
        assertThat(file).as("the buffer file is removed once uploaded").doesNotExist();
    }

    @Test
    void aFailedUploadIsRecoveredWithItsFileAndHoldsTheCommitBackUntilThen() {
        Exchange group = aggregate(null, piece(true, 3, record(0), record(1), record(2)));
        objects.prepareUpload(group);
        // the upload failed: the aggregator does not confirm it, and its recovery task finds it
        assertThat(objects.scan(context)).containsExactly(group.getExchangeId());
        Exchange recovered = objects.recover(context, group.getExchangeId());
        objects.prepareUpload(recovered);
        assertThat(recovered.getMessage().getBody(File.class)).exists();
        assertThat(committable()).isZero();
        objects.uploaded(recovered);
        assertThat(committable()).isEqualTo(3);
    }

    @Test
    void aPieceThatStartsAnObjectCompletesTheOpenOneFirst() {
        Exchange group = aggregate(null, piece(true, 1, record(0)));
        assertThat(objects.preComplete(null, piece(true, 2, record(1)))).isFalse();
        assertThat(objects.preComplete(group, piece(false, 2, record(1)))).isFalse();
        assertThat(objects.preComplete(group, piece(true, 2, record(1)))).isTrue();
    }

    @Test
    void theScheduledRotationTimesOutWhatIsLeftOfTheIntervalSinceTheObjectOpened() {
        assertThat(objects.scheduledRotationIn(piece(true, 1, record(0)))).as("a new object").isEqualTo(10_000);
        aggregate(null, piece(true, 1, record(0)));
        now[0] += 4_000;
        assertThat(objects.scheduledRotationIn(piece(false, 2, record(1)))).as("more records do not postpone it").isEqualTo(6_000);
        now[0] += 7_000;
        assertThat(objects.scheduledRotationIn(piece(false, 3, record(2)))).isEqualTo(1);
    }

    @Test
    void theCommitNeverPassesAnOpenObjectOrAnUnsentDeadLetterAndNeverStopsInsideAnUploadedObject() {
        // offsets 0-2 uploaded, 3 a dead letter not sent yet, 4 in an open object, 5 not handled yet
        Exchange first = aggregate(null, piece(true, 3, record(0), record(1), record(2)));
        objects.prepareUpload(first);
        objects.uploaded(first);
        objects.reject(record(3), "bad");
        objects.written(P0, 4);
        aggregate(null, piece(true, 5, record(4)));
        assertThat(committable()).isEqualTo(3);
        assertThat(objects.unsentDeadLetters()).hasSize(1);
        objects.deadLettersSent();
        assertThat(committable()).isEqualTo(4);
        objects.committed(objects.offsetsToCommit());
        assertThat(objects.offsetsToCommit()).as("nothing moved since the commit").isEmpty();
    }

    @Test
    void aPartitionThatMovesAwayLosesItsObjectsAndNothingOfItIsUploaded() {
        Exchange complete = aggregate(null, piece(true, 3, record(0), record(1), record(2)));
        aggregate(null, piece(true, 4, record(3)));
        assertThat(objects.getKeys()).containsExactly(GROUP);
        objects.drop(List.of(P0));
        assertThat(objects.getKeys()).isEmpty();
        objects.prepareUpload(complete);
        assertThat(complete.getMessage().getBody()).as("no upload for a partition another instance owns now").isNull();
        assertThat(objects.offsetsToCommit()).isEmpty();
        assertThat(buffer.toFile().list()).as("buffer files removed").isEmpty();
    }
}
