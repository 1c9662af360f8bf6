package s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommitFactory;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import record.ConnectJson;
import record.Field;
import record.FieldType;
import record.RecordSchema;
import record.Row;
import s3.UploadedObjects.StoredRange;
import sink.SinkRecord;

/**
 * How the S3 route's batches are cut into pieces and committed: Kafka's MockConsumer and MockProducer
 * stand in for the consumer and the commit producer, a map for what S3 holds, a fake clock for time.
 */
class S3BatchesTest {

    private static final RecordSchema USERS = new RecordSchema("P_USERS", List.of(
            Field.of("index", FieldType.INT64, false), Field.of("name", FieldType.STRING, true)));
    private static final TopicPartition P0 = new TopicPartition("P_USERS", 0);
    private static final TopicPartition P1 = new TopicPartition("P_USERS", 1);

    @TempDir
    Path buffer;
    private final long[] now = {System.currentTimeMillis()};
    private final Map<String, List<StoredRange>> inS3 = new HashMap<>();
    private int failListings;
    private UploadedObjects stored;
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
    private final MockProducer<byte[], byte[]> commits = new MockProducer<>(true, new ByteArraySerializer(), new ByteArraySerializer());
    private CamelContext context;
    private S3Objects objects;
    private S3Batches batches;

    @BeforeEach
    void start() {
        context = new DefaultCamelContext();
        // s3.flush.size 3, json, default partitioner
        S3SinkSettings settings = new S3SinkSettings("topics", 3, 0, 0, ObjectFormat.JSON, "snappy", 5 * 1024 * 1024, buffer, true);
        stored = new UploadedObjects(null, "bucket", "topics") {
            @Override
            public List<StoredRange> storedFrom(String topic, int partition, String folder, long fromOffset, String extension) {
                if (failListings > 0) {
                    failListings--;
                    throw new IllegalStateException("S3 is down");
                }
                return inS3.getOrDefault(topic + "-" + partition, List.of()).stream().filter(r -> r.first() >= fromOffset).toList();
            }
        };
        objects = new S3Objects(context, settings, () -> now[0]);
        batches = new S3Batches(settings, new DefaultPartitioner(), TimestampExtractor.of("record", "", () -> now[0]), stored,
                objects, () -> now[0], () -> commits);
        consumer.assign(List.of(P0, P1));
    }

    @AfterEach
    void stop() throws Exception {
        batches.close();
        context.close();
    }

    private static SinkRecord record(TopicPartition partition, long offset) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("index", offset);
        values.put("name", "user " + offset);
        return SinkRecord.of(partition.topic(), partition.partition(), offset, 0, null, new ConnectJson(true).write(new Row(USERS, values)));
    }

    /** A polled batch as camel-kafka hands it over: one exchange per record, each with its manual commit. */
    private Exchange batch(SinkRecord... records) {
        List<Exchange> polled = new ArrayList<>();
        for (SinkRecord record : records) {
            Exchange exchange = new DefaultExchange(context);
            exchange.getMessage().setBody(record.valueBytes());
            exchange.getMessage().setHeader(KafkaConstants.TIMESTAMP, record.timestamp());
            exchange.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, new DefaultKafkaManualCommitFactory().newInstance(
                    new KafkaManualCommitFactory.CamelExchangePayload(exchange, consumer, "test", null),
                    new KafkaManualCommitFactory.KafkaRecordPayload(new TopicPartition(record.topic(), record.partition()), record.offset(), 1000),
                    null));
            polled.add(exchange);
        }
        Exchange batch = new DefaultExchange(context);
        batch.getMessage().setBody(polled);
        return batch;
    }

    private static List<String> describe(List<ObjectPiece> pieces) {
        return pieces.stream().map(piece -> piece.partition().partition() + ":" + piece.entries().stream()
                .map(e -> Long.toString(e.record().offset())).toList() + (piece.endsObject() ? " end" : "") + " upTo " + piece.writtenUpTo()).toList();
    }

    /** What the route's aggregate step does with the pieces, then route s3-uploads with the complete objects. */
    private void aggregateAndUpload(List<ObjectPiece> pieces) {
        for (ObjectPiece piece : pieces) {
            Exchange exchange = new DefaultExchange(context);
            exchange.getMessage().setBody(piece);
            Exchange group = objects.aggregate(objects.get(context, piece.group()), exchange);
            if (objects.isComplete(group)) {
                objects.remove(context, piece.group(), group);
                objects.complete(group);
            } else {
                objects.add(context, piece.group(), group);
            }
        }
        uploadCompleteObjects();
    }

    private void uploadCompleteObjects() {
        for (Object object : objects.completeObjects()) {
            Exchange upload = new DefaultExchange(context);
            upload.getMessage().setBody(object);
            objects.prepareUpload(upload);
            if (upload.getMessage().getBody() != null) {
                objects.uploaded(upload);
            }
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> lastCommit() {
        List<Map<String, Map<TopicPartition, OffsetAndMetadata>>> history = commits.consumerGroupOffsetsHistory();
        return history.isEmpty() ? Map.of() : history.get(history.size() - 1).values().iterator().next();
    }

    @Test
    void aBatchIsCutWhereObjectsFillUpAndEachPieceSaysHowFarItsPartitionIsWritten() {
        List<ObjectPiece> first = batches.cut(batch(record(P0, 0)));
        assertThat(describe(first)).containsExactly("0:[0] upTo 1");
        aggregateAndUpload(first);

        // the open object holds one record: two more fill it, then objects of three
        List<ObjectPiece> pieces = batches.cut(batch(record(P0, 1), record(P1, 0), record(P0, 2), record(P0, 3), record(P1, 1),
                record(P0, 4), record(P0, 5), record(P0, 6)));
        assertThat(describe(pieces)).containsExactly(
                "0:[1, 2] end upTo 3", "1:[0, 1] upTo 2", "0:[3, 4, 5] end upTo 6", "0:[6] upTo 7");
    }

    @Test
    void theCommitFollowsUploadsOnlyAndNeverPassesAnOpenObject() {
        aggregateAndUpload(batches.cut(batch(record(P0, 0), record(P0, 1), record(P0, 2), record(P0, 3), record(P1, 0))));
        batches.commitOffsets(null);
        assertThat(lastCommit()).as("0-2 are in S3; 3 and P1's 0 are in open objects")
                .containsEntry(P0, new OffsetAndMetadata(3, S3Batches.OPEN_SINCE + now[0])).doesNotContainKey(P1);
    }

    @Test
    void aBatchReadAgainAfterAFailureAddsNothingTwice() {
        Exchange batch = batch(record(P0, 0), record(P0, 1));
        aggregateAndUpload(batches.cut(batch));
        assertThat(batches.cut(batch(record(P0, 0), record(P0, 1), record(P0, 2)))).extracting(ObjectPiece::firstOffset).containsExactly(2L);
    }

    @Test
    void recordsACrashedRunUploadedAfterItsLastCommitAreSkipped() {
        inS3.put("P_USERS-0", List.of(new StoredRange("topics/P_USERS/partition=0/P_USERS+0+0000000000.json", 0, 2)));
        List<ObjectPiece> pieces = batches.cut(batch(record(P0, 0), record(P0, 1), record(P0, 2), record(P0, 3)));
        assertThat(describe(pieces)).containsExactly("0:[3] upTo 4");
    }

    @Test
    void theCommitNeverStopsInsideAnObjectARunThatCrashedLeftInS3() {
        inS3.put("P_USERS-0", List.of(new StoredRange("topics/P_USERS/partition=0/P_USERS+0+0000000000.json", 0, 2)));
        aggregateAndUpload(batches.cut(batch(record(P0, 0), record(P0, 1))));
        batches.commitOffsets(null);
        assertThat(commits.consumerGroupOffsetsHistory()).as("2 would be inside the stored object 0-2: a restart from 2 "
                + "would not list it and would write 2 again").isEmpty();
        aggregateAndUpload(batches.cut(batch(record(P0, 2), record(P0, 3))));
        batches.commitOffsets(null);
        assertThat(lastCommit().get(P0).offset()).as("past the stored object; 3 is in an open object").isEqualTo(3);
    }

    @Test
    void aRecordThatIsNotAConnectRecordIsADeadLetterAndHoldsTheCommitUntilSent() {
        SinkRecord bad = SinkRecord.of(P0.topic(), 0, 0, 0, null, "not json");
        aggregateAndUpload(batches.cut(batch(bad, record(P0, 1), record(P0, 2), record(P0, 3))));
        assertThat(batches.deadLetters()).hasSize(1);
        batches.commitOffsets(null);
        // the bad record counted towards the first object, which the piece of 3 then completes with two records
        assertThat(lastCommit().get(P0).offset()).as("the dead letter sent, 1-2 in S3, 3 in an open object").isEqualTo(3);
        assertThat(batches.deadLetters()).isEmpty();
    }

    @Test
    void aPartitionTakenAwayLosesItsOpenObjectsAndItsRecordsPolledBeforeAreIgnored() {
        aggregateAndUpload(batches.cut(batch(record(P0, 0))));
        assertThat(objects.getKeys()).hasSize(1);
        batches.partitionsRevoked(consumer, List.of(P0));
        assertThat(objects.getKeys()).isEmpty();
        Exchange stale = batch(record(P0, 1));
        now[0] = System.currentTimeMillis() + 60_000;
        batches.partitionsAssigned(consumer, List.of(P0));
        assertThat(batches.cut(stale)).as("polled before the partition came back").isEmpty();
    }

    @Test
    void anUploadRoundCommitsWhatItsUploadsMadeSafeWithNoBatchComing() {
        List<ObjectPiece> pieces = batches.cut(batch(record(P0, 0), record(P0, 1)));
        aggregateAndUpload(pieces);
        assertThat(commits.consumerGroupOffsetsHistory()).isEmpty();
        // s3.rotate.schedule.interval.ms later, the aggregator's timeout completes the object
        Exchange group = objects.get(context, pieces.get(0).group());
        objects.remove(context, pieces.get(0).group(), group);
        objects.complete(group);
        uploadCompleteObjects();
        batches.commitUploaded();
        assertThat(lastCommit().get(P0).offset()).isEqualTo(2);
        assertThat(commits.consumerGroupOffsetsHistory().get(0).keySet()).containsExactly(consumer.groupMetadata().groupId());
    }

    @Test
    void aFailureHalfWayThroughCuttingLeavesTheWholeBatchForTheNextTry() {
        failListings = 1;
        Exchange batch = batch(record(P0, 0), record(P0, 1));
        assertThatThrownBy(() -> batches.cut(batch)).hasMessageContaining("S3 is down");
        assertThat(describe(batches.cut(batch))).containsExactly("0:[0, 1] upTo 2");
    }

    @Test
    void anObjectEndsWhereARecordsTimeIsTheRotateIntervalPastItsFirstAcrossBatches() throws Exception {
        batches.close();
        S3SinkSettings rotating = new S3SinkSettings("topics", 100, 1_000, 0, ObjectFormat.JSON, "snappy", 5 * 1024 * 1024, buffer, true);
        objects = new S3Objects(context, rotating, () -> now[0]);
        batches = new S3Batches(rotating, new DefaultPartitioner(), TimestampExtractor.of("record", "", () -> now[0]), stored,
                objects, () -> now[0], () -> commits);
        List<ObjectPiece> first = batches.cut(batch(timed(0, 0), timed(1, 500), timed(2, 1_000), timed(3, 1_200)));
        assertThat(describe(first)).containsExactly("0:[0, 1] end upTo 2", "0:[2, 3] upTo 4");
        aggregateAndUpload(first);
        // the object of 2 and 3 began at 1,000: a record at 2,000 starts the next, an empty piece ends this one
        assertThat(describe(batches.cut(batch(timed(4, 2_000))))).containsExactly("0:[] end upTo 4", "0:[4] upTo 5");
    }

    private static SinkRecord timed(long offset, long timestamp) {
        SinkRecord record = record(P0, offset);
        return new SinkRecord(record.topic(), record.partition(), offset, timestamp, null, record.valueBytes());
    }
}
