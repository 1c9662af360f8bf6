package s3;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.apache.camel.Exchange;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import record.ConnectJson;
import record.RecordFormatException;
import record.Row;
import s3.UploadedObjects.StoredRange;
import sink.KafkaBatch;
import sink.PartitionOwnership;
import sink.SinkRecord;

/**
 * The S3 route's Kafka side: cuts each polled batch into {@link ObjectPiece}s for the aggregator, knows
 * which partitions this instance owns and from where it reads them, and commits their offsets.
 *
 * <p>Reading a partition from its committed offset (start, crash, rebalance) first lists the objects a
 * previous run uploaded from that offset on, in each folder its records go to, and skips the records
 * they hold: they are in S3 already, and new objects start after them.
 *
 * <p>Offsets are committed by a transactional producer acting for the consumer's group membership, as
 * exactly-once Kafka apps do: objects are uploaded by the route {@code s3-uploads} on its own thread, which
 * cannot use the consumer (a Kafka consumer is single-threaded); and a group that receives both
 * consumer and transactional commits makes the broker log a warning for every commit, so batches commit
 * this way too. The broker refuses a commit from a generation a rebalance has ended, which fences an
 * instance that lost its partitions.
 */
public class S3Batches implements PartitionOwnership.Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(S3Batches.class);
    /** Commit metadata: the wall-clock time of the oldest object open at the commit (Wallclock partitioning). */
    static final String OPEN_SINCE = "open-since=";

    /** Where this instance reads one partition. */
    private static final class Reading {
        final long readFrom;
        long nextOffset;
        // objects a previous run left beyond the committed offset, by folder (null key: any folder)
        final Map<String, List<StoredRange>> storedBefore = new HashMap<>();

        Reading(long readFrom) {
            this.readFrom = readFrom;
            this.nextOffset = readFrom;
        }
    }

    /** A group's object as the cut so far leaves it. */
    private static final class Planned {
        int records;
        long firstRecordTime;
        record.RecordSchema schema;
        ObjectPiece piece; // the piece the group's next record goes into, in this batch

        Planned(S3Objects.OpenView open) {
            this.records = open.records();
            this.firstRecordTime = open.firstRecordTime();
            this.schema = open.schema();
        }

        /** The group's piece of this batch, started (and listed in {@code pieces}) if there is none yet. */
        ObjectPiece piece(List<ObjectPiece> pieces, String group, TopicPartition partition, String folder) {
            if (piece == null) {
                piece = new ObjectPiece(group, partition, folder);
                pieces.add(piece);
            }
            return piece;
        }

        /** Ends the group's object with its piece of this batch; the next record starts a new object and piece. */
        void endObject(List<ObjectPiece> pieces, String group, TopicPartition partition, String folder) {
            piece(pieces, group, partition, folder).endObject();
            records = 0;
            piece = null;
        }
    }

    private final S3SinkSettings settings;
    private final Partitioner partitioner;
    private final TimestampExtractor rotationTime;
    private final UploadedObjects stored;
    private final S3Objects objects;
    private final LongSupplier clock;
    private final Supplier<Producer<byte[], byte[]>> commitProducerFactory;
    private final Map<TopicPartition, Reading> partitions = new HashMap<>();
    // records polled before a partition was (re)assigned are stale: another owner may have written them
    private final Map<TopicPartition, Long> assignedAtMillis = new HashMap<>();
    private Consumer<?, ?> consumer;
    private ConsumerGroupMetadata groupMembership;
    private Producer<byte[], byte[]> commitProducer;
    private boolean lastUploadCommitFailed;

    public S3Batches(S3SinkSettings settings, Partitioner partitioner, TimestampExtractor rotationTime, UploadedObjects stored,
                     S3Objects objects, LongSupplier clock, Supplier<Producer<byte[], byte[]>> commitProducerFactory) {
        this.settings = settings;
        this.partitioner = partitioner;
        this.rotationTime = rotationTime;
        this.stored = stored;
        this.objects = objects;
        this.clock = clock;
        this.commitProducerFactory = commitProducerFactory;
    }

    // ---------------------------------------------------------------- the consumer thread: batches

    /**
     * The batch as pieces, in the order of their first records: each piece holds records of one partition
     * for one folder that go into one object. Records already taken (a batch read again), already in S3
     * (uploaded by a run that crashed before its commit) or polled before the last rebalance are left out;
     * a record that cannot be read becomes a dead letter.
     */
    public synchronized List<ObjectPiece> cut(Exchange batch) {
        List<SinkRecord> records = KafkaBatch.remember(batch);
        List<?> polled = batch.getProperty(KafkaBatch.POLLED, List.class);
        consumer = KafkaBatch.consumerOf(batch);
        groupMembership = consumer.groupMetadata();
        Set<TopicPartition> assigned = consumer.assignment();
        List<TopicPartition> gone = partitions.keySet().stream().filter(p -> !assigned.contains(p)).toList();
        if (!gone.isEmpty()) {
            gone.forEach(partitions::remove);
            objects.drop(gone);
        }
        Map<String, Planned> groups = new HashMap<>();
        List<ObjectPiece> pieces = new ArrayList<>();
        Set<TopicPartition> touched = new java.util.LinkedHashSet<>();
        // where each partition stood: a failure half-way (S3 unreachable while listing) leaves the batch untaken,
        // so that the step, tried again, takes all of it
        Map<Reading, Long> before = new HashMap<>();
        try {
            cutInto(records, polled, assigned, groups, pieces, touched, before);
        } catch (RuntimeException e) {
            before.forEach((reading, nextOffset) -> reading.nextOffset = nextOffset);
            throw e;
        }
        markWrittenUpTo(pieces, touched);
        return pieces;
    }

    private void cutInto(List<SinkRecord> records, List<?> polled, Set<TopicPartition> assigned, Map<String, Planned> groups,
                         List<ObjectPiece> pieces, Set<TopicPartition> touched, Map<Reading, Long> before) {
        for (int i = 0; i < records.size(); i++) {
            SinkRecord record = records.get(i);
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            long createdAt = ((Exchange) polled.get(i)).getClock().getCreated();
            if (!assigned.contains(partition) || createdAt < assignedAtMillis.getOrDefault(partition, 0L)) {
                continue; // polled before the last rebalance: this partition is read again from its committed offset
            }
            Reading reading = partitions.get(partition);
            if (reading == null) {
                reading = startReading(partition, record.offset());
            }
            if (record.offset() < reading.nextOffset) {
                continue; // already taken: a retried batch, or a re-read after an error
            }
            before.putIfAbsent(reading, reading.nextOffset);
            reading.nextOffset = record.offset() + 1;
            touched.add(partition);
            if (record.isTombstone()) {
                continue; // a tombstone has no payload to store
            }
            Row value;
            String folder;
            long time;
            SinkRecord.Transformed transformed = record.transformed();
            if (transformed != null && transformed.dropped()) {
                continue; // a Filter of the flow's transforms dropped it: handled, nothing stored
            }
            try {
                record.requireUtf8Key(); // the key is not stored, but bytes that are not UTF-8 make a bad record, as in Connect
                if (transformed != null && transformed.failure() != null) {
                    throw new RecordFormatException(transformed.failure());
                }
                value = transformed != null ? transformed.value() : needsValue() ? (settings.format().needsValue()
                        ? ConnectJson.readWithSchema(record.value()) : ConnectJson.read(record.value())) : null;
                folder = partitioner.encodedPartition(record, value);
                time = settings.rotateIntervalMs() > 0 ? rotationTime.timestamp(record, value) : 0;
            } catch (RecordFormatException e) {
                objects.reject(record, e.getMessage());
                continue;
            }
            if (alreadyStored(reading, record, folder)) {
                continue;
            }
            String group = partition.topic() + "-" + partition.partition() + "/" + folder;
            Planned planned = groups.computeIfAbsent(group, g -> new Planned(objects.openView(g)));
            boolean otherSchema = planned.records > 0 && settings.format().needsValue() && !Objects.equals(planned.schema, value.schema());
            boolean rotated = planned.records > 0 && settings.rotateIntervalMs() > 0 && time - planned.firstRecordTime >= settings.rotateIntervalMs();
            if (otherSchema || rotated) {
                // the open object ends before this record: with the group's piece of this batch, or with an
                // empty piece when a previous batch left it open
                planned.endObject(pieces, group, partition, folder);
            }
            if (planned.records == 0) {
                planned.firstRecordTime = time;
                planned.schema = value == null ? null : value.schema();
            }
            planned.piece(pieces, group, partition, folder).add(new ObjectPiece.Entry(record, value, time));
            if (++planned.records >= settings.flushSize()) {
                planned.endObject(pieces, group, partition, folder);
            }
        }
    }

    /**
     * After each piece, the records of its partition still unwritten are those of its later pieces: its
     * commit may move up to the first of them (or to the end of the batch). A partition with no piece is
     * handled as soon as it is cut (its records were skipped or are dead letters).
     */
    private void markWrittenUpTo(List<ObjectPiece> pieces, Set<TopicPartition> touched) {
        Map<TopicPartition, Long> firstUnwritten = new HashMap<>();
        touched.forEach(partition -> firstUnwritten.put(partition, partitions.get(partition).nextOffset));
        for (int i = pieces.size() - 1; i >= 0; i--) {
            ObjectPiece piece = pieces.get(i);
            long next = firstUnwritten.get(piece.partition());
            piece.writtenUpTo(next);
            firstUnwritten.put(piece.partition(), Math.min(next, piece.firstOffset()));
        }
        Set<TopicPartition> withPieces = new java.util.HashSet<>();
        pieces.forEach(piece -> withPieces.add(piece.partition()));
        touched.stream().filter(p -> !withPieces.contains(p)).forEach(p -> objects.written(p, partitions.get(p).nextOffset));
    }

    /**
     * After the pieces: a partition whose buffer file failed (disk full?) is read again from its committed
     * offset, its objects dropped.
     */
    public synchronized void readAgainWhereBufferFailed() {
        objects.takeFailedPartitions().forEach((partition, committed) -> {
            consumer.seek(partition, committed);
            partitions.remove(partition);
            objects.drop(List.of(partition));
            assignedAtMillis.put(partition, clock.getAsLong());
        });
    }

    /** The dead letters to send (those of earlier attempts at this batch too). */
    public List<org.apache.camel.Message> deadLetters() {
        return objects.unsentDeadLetters();
    }

    /**
     * Commits, per partition, the lowest offset whose record is not yet in an uploaded object (or the
     * next to read if all are), after the batch's dead letters were sent. Never goes back; a failure fails
     * the batch, and the consumer reads it again from the last commit.
     */
    public synchronized void commitOffsets(Exchange batch) {
        objects.deadLettersSent();
        commit();
    }

    /**
     * After the upload route's round: commits what its uploads made safe, as no batch may come to do it (an
     * object completed by s3.rotate.schedule.interval.ms while no record arrives). A refusal (a rebalance
     * since) is left to the next batch or round.
     */
    public synchronized void commitUploaded() {
        if (groupMembership == null) {
            return;
        }
        try {
            commit();
            lastUploadCommitFailed = false;
        } catch (KafkaException e) {
            if (!lastUploadCommitFailed) {
                LOG.info("S3 sink: offsets of uploaded objects not committed yet ({}); the next batch commits them", e.getMessage());
            }
            lastUploadCommitFailed = true;
        }
    }

    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> commits = objects.offsetsToCommit();
        if (commits.isEmpty()) {
            return;
        }
        try {
            if (commitProducer == null) {
                commitProducer = commitProducerFactory.get();
                commitProducer.initTransactions();
            }
            commitProducer.beginTransaction();
            commitProducer.sendOffsetsToTransaction(commits, groupMembership);
            commitProducer.commitTransaction();
        } catch (KafkaException e) {
            closeCommitProducer(); // a fresh producer next time, whatever state the transaction is in
            throw e;
        }
        objects.committed(commits);
    }

    private void closeCommitProducer() {
        if (commitProducer != null) {
            try {
                commitProducer.close(Duration.ofSeconds(5));
            } catch (KafkaException ignored) {
                // closing anyway
            }
            commitProducer = null;
        }
    }

    // ---------------------------------------------------------------- rebalances

    @Override
    public synchronized void partitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
        long now = clock.getAsLong();
        List<TopicPartition> owned = revoked.stream().filter(partitions::containsKey).toList();
        owned.forEach(partitions::remove);
        objects.drop(revoked);
        owned.forEach(partition -> LOG.info("S3 sink: {} moved away; its unfinished objects are dropped (the next owner re-reads them)", partition));
        revoked.forEach(partition -> assignedAtMillis.put(partition, now));
    }

    @Override
    public synchronized void partitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> assigned) {
        groupMembership = consumer.groupMetadata();
        long now = clock.getAsLong();
        assigned.forEach(partition -> assignedAtMillis.put(partition, now));
    }

    // ---------------------------------------------------------------- reading

    private Reading startReading(TopicPartition partition, long firstOffset) {
        Reading reading = new Reading(firstOffset);
        if (!partitioner.deterministic()) {
            // a replayed record gets another folder than the first time: look in every folder used since the
            // oldest object that was open at the last commit
            OffsetAndMetadata committed = consumer.committed(Set.of(partition)).get(partition);
            long since = openSince(committed).orElse(clock.getAsLong() - 86_400_000L);
            List<StoredRange> anyFolder = new ArrayList<>();
            for (String folder : partitioner.foldersBetween(since, clock.getAsLong())) {
                anyFolder.addAll(stored.storedFrom(partition.topic(), partition.partition(), folder, firstOffset,
                        settings.format().extension()));
            }
            reading.storedBefore.put(null, anyFolder);
        }
        partitions.put(partition, reading);
        objects.startPartition(partition, firstOffset);
        return reading;
    }

    private static OptionalLong openSince(OffsetAndMetadata committed) {
        if (committed == null || committed.metadata() == null || !committed.metadata().startsWith(OPEN_SINCE)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(committed.metadata().substring(OPEN_SINCE.length())));
    }

    private boolean needsValue() {
        return settings.format().needsValue() || partitioner.needsValue() || (settings.rotateIntervalMs() > 0 && rotationTime.needsValue());
    }

    /** Whether an object a previous run uploaded (and could not commit) already holds this record. */
    private boolean alreadyStored(Reading reading, SinkRecord record, String folder) {
        List<StoredRange> ranges = reading.storedBefore.get(partitioner.deterministic() ? folder : null);
        if (ranges == null) {
            ranges = stored.storedFrom(record.topic(), record.partition(), folder, reading.readFrom, settings.format().extension());
            reading.storedBefore.put(folder, ranges);
            if (!ranges.isEmpty()) {
                LOG.info("S3 sink: {} objects of {}-{} in {} were uploaded by an earlier run after its last commit; their records are not written again",
                        ranges.size(), record.topic(), record.partition(), folder);
            }
        }
        for (StoredRange range : ranges) {
            if (range.holds(record.offset())) {
                objects.storedBefore(new TopicPartition(record.topic(), record.partition()), range);
                return true;
            }
        }
        return false;
    }

    /** Drops every unfinished object (a stop commits nothing: their records are read again on start). */
    @Override
    public synchronized void close() {
        partitions.clear();
        objects.close();
        closeCommitProducer();
    }
}
