package s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
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
import s3.OpenObject.ClosedObject;
import s3.UploadedObjects.StoredRange;
import sink.DeadLetters;
import sink.KafkaBatch;
import sink.PartitionOwnership;
import sink.SinkRecord;

/**
 * The S3 sink's state between batches: per Kafka partition, the objects being written (one per folder
 * of the partitioner), the objects complete but not yet uploaded, and how far the partition has been
 * read. Objects stay open across batches until s3.flush.size, s3.rotate.interval.ms or
 * s3.rotate.schedule.interval.ms closes them, so an object of a million records costs a file, not
 * memory.
 *
 * <p>Exactly once: an object is named from its first offset and carries its last one; the committed
 * offset of a partition never passes a record that is not in an uploaded object, and never falls inside
 * an uploaded object. A partition read again from its committed offset (restart, crash, rebalance) first
 * lists the objects starting at or after that offset, in each folder its records go to, and skips the
 * records they hold; new objects start after them.
 *
 * <p>Called by the consumer thread (batches, commits, rebalances) and by the rotation timer; every
 * method holds this object's lock, so an upload never races a rebalance.
 */
public class S3SinkWriter implements PartitionOwnership.Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(S3SinkWriter.class);
    private static final String SINK_NAME = "s3-sink";
    private static final String SINK_LABEL = "S3 sink";
    /** Commit metadata: the wall-clock time of the oldest object open at the commit (Wallclock partitioning). */
    private static final String OPEN_SINCE = "open-since=";

    /** An object this sink uploaded: for the console's list of the newest. */
    public record Uploaded(String key, long size, String uploadedAt) {
    }

    private static final int RECENT_UPLOADS = 10;

    /** What a batch or a rotation produced: records now in S3, and records for the dead-letter topic. */
    public record Written(int uploadedRecords, List<Message> deadLetters) {
    }

    /** What is known about one Kafka partition this sink owns. */
    private static final class PartitionState {
        final long readFrom;
        long nextOffset;
        long committed;
        final Map<String, OpenObject> open = new LinkedHashMap<>();
        final List<ClosedObject> toUpload = new ArrayList<>();
        // uploaded objects the committed offset has not passed yet: it must not stop inside one
        final List<StoredRange> uploadedSinceCommit = new ArrayList<>();
        // objects a previous run left beyond the committed offset, by folder (null key: any folder)
        final Map<String, List<StoredRange>> storedBefore = new HashMap<>();
        // rejected records whose dead letter is not sent yet: the commit must not pass them
        final Map<Long, Message> unsentDeadLetters = new LinkedHashMap<>();

        PartitionState(long readFrom) {
            this.readFrom = readFrom;
            this.nextOffset = readFrom;
            this.committed = readFrom;
        }
    }

    private final S3SinkSettings settings;
    private final Partitioner partitioner;
    private final TimestampExtractor rotationTime;
    private final UploadedObjects stored;
    private final S3Uploads uploads;
    private final LongSupplier clock;
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    // records polled before a partition was (re)assigned are stale: another owner may have written them
    private final Map<TopicPartition, Long> assignedAtMillis = new HashMap<>();
    private boolean lastUploadFailed;
    private final Deque<Uploaded> recentUploads = new ArrayDeque<>();
    // Offsets are committed by a transactional producer acting for the consumer's group membership, as
    // exactly-once Kafka apps do: the rotation timer must commit while no batch comes (the consumer thread
    // only runs this sink's code when records arrive), and a group that receives both consumer and
    // transactional commits makes the broker log a warning for every commit, so batches commit this way too
    private final Supplier<Producer<byte[], byte[]>> commitProducerFactory;
    private Producer<byte[], byte[]> commitProducer;
    private ConsumerGroupMetadata groupMembership;
    private boolean lastIdleCommitFailed;

    public S3SinkWriter(S3SinkSettings settings, Partitioner partitioner, TimestampExtractor rotationTime,
                        UploadedObjects stored, S3Uploads uploads, LongSupplier clock,
                        Supplier<Producer<byte[], byte[]>> commitProducerFactory) {
        this.commitProducerFactory = commitProducerFactory;
        this.settings = settings;
        this.partitioner = partitioner;
        this.rotationTime = rotationTime;
        this.stored = stored;
        this.uploads = uploads;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- the consumer thread: batches

    /** Writes a polled batch into open objects, closes and uploads those that are full. Body: {@link Written}. */
    public synchronized void writeBatch(Exchange batch) {
        List<SinkRecord> records = KafkaBatch.remember(batch);
        List<?> polled = batch.getProperty(KafkaBatch.POLLED, List.class);
        Consumer<?, ?> consumer = KafkaBatch.consumerOf(batch);
        groupMembership = consumer.groupMetadata();
        Set<TopicPartition> assigned = consumer.assignment();
        DeadLetters deadLetters = new DeadLetters(batch.getContext(), SINK_NAME);
        partitions.keySet().removeIf(partition -> {
            if (!assigned.contains(partition)) {
                discard(partitions.get(partition));
                return true;
            }
            return false;
        });
        for (int i = 0; i < records.size(); i++) {
            SinkRecord record = records.get(i);
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            long createdAt = ((Exchange) polled.get(i)).getClock().getCreated();
            if (!assigned.contains(partition) || createdAt < assignedAtMillis.getOrDefault(partition, 0L)) {
                continue; // polled before the last rebalance: this partition is read again from its committed offset
            }
            PartitionState state = partitions.get(partition);
            if (state == null) {
                state = startReading(consumer, partition, record.offset());
            }
            if (record.offset() < state.nextOffset) {
                continue; // already taken: a retried batch, or a re-read after an error
            }
            try {
                write(state, record, deadLetters);
            } catch (IOException e) {
                // the buffer file failed (disk full?): forget the partition and read it again from its commit
                discard(partitions.remove(partition));
                consumer.seek(partition, state.committed);
                assignedAtMillis.put(partition, clock.getAsLong());
                throw new UncheckedIOException("S3 sink: cannot write the buffer file in " + settings.bufferDir(), e);
            }
            state.nextOffset = record.offset() + 1;
        }
        int uploaded = uploadClosedObjects();
        // every dead letter not yet sent, including those of an earlier attempt at this batch
        List<Message> unsent = new ArrayList<>();
        partitions.values().forEach(state -> unsent.addAll(state.unsentDeadLetters.values()));
        batch.getMessage().setBody(new Written(uploaded, unsent));
    }

    /**
     * Commits, per partition, the lowest offset whose record is not yet in an uploaded object (or the
     * next to read if all are), after the batch's dead letters were sent. Never goes back.
     */
    public synchronized void commitOffsets(Exchange batch) {
        partitions.values().forEach(state -> state.unsentDeadLetters.clear());
        Map<TopicPartition, OffsetAndMetadata> commits = offsetsToCommit();
        if (!commits.isEmpty()) {
            commit(commits); // a failure fails the batch: the consumer reads it again from the last commit
        }
    }

    /** Commits in one transaction for the group membership seen last; the broker refuses it after a rebalance. */
    private void commit(Map<TopicPartition, OffsetAndMetadata> commits) {
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
        committed(commits);
    }

    /** Per partition whose commit point moved: the new point, with the wall-clock time Wallclock recovery needs. */
    private Map<TopicPartition, OffsetAndMetadata> offsetsToCommit() {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (Map.Entry<TopicPartition, PartitionState> entry : partitions.entrySet()) {
            PartitionState state = entry.getValue();
            long point = commitPoint(state);
            if (point > state.committed) {
                long openSince = state.open.values().stream().mapToLong(o -> o.openedAtMillis).min().orElse(clock.getAsLong());
                commits.put(entry.getKey(), new OffsetAndMetadata(point, OPEN_SINCE + openSince));
            }
        }
        return commits;
    }

    private void committed(Map<TopicPartition, OffsetAndMetadata> commits) {
        commits.forEach((partition, offset) -> {
            PartitionState state = partitions.get(partition);
            state.committed = offset.offset();
            state.uploadedSinceCommit.removeIf(range -> range.last() < state.committed);
        });
    }

    /**
     * Commits from the timer what its uploads made safe, through a transactional producer acting for the
     * consumer's current group membership; the broker refuses it if a rebalance changed the generation
     * since, and the next batch commits instead.
     */
    private void commitWhileIdle() {
        Map<TopicPartition, OffsetAndMetadata> commits = offsetsToCommit();
        if (commits.isEmpty() || groupMembership == null) {
            return;
        }
        try {
            commit(commits);
            lastIdleCommitFailed = false;
        } catch (KafkaException e) {
            if (!lastIdleCommitFailed) {
                LOG.info("S3 sink: offsets of uploaded objects not committed yet ({}); the next batch or tick commits them", e.getMessage());
            }
            lastIdleCommitFailed = true;
        }
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

    /** The commit point of a partition (see {@link #commitPoint(long, List, List)}). */
    private static long commitPoint(PartitionState state) {
        List<Long> unfinishedStarts = new ArrayList<>();
        state.open.values().forEach(o -> unfinishedStarts.add(o.startOffset));
        state.toUpload.forEach(o -> unfinishedStarts.add(o.startOffset()));
        unfinishedStarts.addAll(state.unsentDeadLetters.keySet());
        return commitPoint(state.nextOffset, unfinishedStarts, state.uploadedSinceCommit);
    }

    /**
     * The offset to commit: below the first record of every object not yet uploaded (and every dead
     * letter not yet sent), and never inside an uploaded object, so that after a crash the objects
     * holding records at or after it all start at or after it, where a listing from it finds them.
     */
    static long commitPoint(long nextOffset, Collection<Long> unfinishedStarts, Collection<StoredRange> uploaded) {
        long point = nextOffset;
        for (long start : unfinishedStarts) {
            point = Math.min(point, start);
        }
        boolean lowered = true;
        while (lowered) {
            lowered = false;
            for (StoredRange range : uploaded) {
                if (range.first() < point && range.last() >= point) {
                    point = range.first();
                    lowered = true;
                }
            }
        }
        return point;
    }

    // ---------------------------------------------------------------- the timer: scheduled rotation

    /**
     * Closes and uploads the objects open longer than s3.rotate.schedule.interval.ms, even when no record
     * arrives, and retries uploads that failed. Offsets are committed with the next batch; until then a
     * restart meanwhile finds these objects by listing. Body: {@link Written}.
     */
    public synchronized void closeDueObjects(Exchange tick) {
        long now = clock.getAsLong();
        if (settings.rotateScheduleMs() > 0) {
            for (PartitionState state : partitions.values()) {
                for (Iterator<OpenObject> it = state.open.values().iterator(); it.hasNext(); ) {
                    OpenObject object = it.next();
                    if (now - object.openedAtMillis >= settings.rotateScheduleMs()) {
                        it.remove();
                        closeInto(state, object);
                    }
                }
            }
        }
        int uploaded;
        try {
            uploaded = uploadClosedObjects();
        } catch (RuntimeException e) {
            if (!lastUploadFailed) {
                LOG.warn("S3 sink: upload failed, retrying every tick and with every batch: {}", e.getMessage());
            }
            lastUploadFailed = true;
            uploaded = 0;
        }
        commitWhileIdle();
        tick.getMessage().setBody(new Written(uploaded, List.of()));
    }

    // ---------------------------------------------------------------- rebalances

    @Override
    public synchronized void partitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
        long now = clock.getAsLong();
        for (TopicPartition partition : revoked) {
            PartitionState state = partitions.remove(partition);
            if (state != null) {
                discard(state);
                LOG.info("S3 sink: {} moved away; its unfinished objects are dropped (the next owner re-reads them)", partition);
            }
            assignedAtMillis.put(partition, now);
        }
    }

    @Override
    public synchronized void partitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> assigned) {
        groupMembership = consumer.groupMetadata();
        long now = clock.getAsLong();
        assigned.forEach(partition -> assignedAtMillis.put(partition, now));
    }

    // ---------------------------------------------------------------- writing

    private PartitionState startReading(Consumer<?, ?> consumer, TopicPartition partition, long firstOffset) {
        PartitionState state = new PartitionState(firstOffset);
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
            state.storedBefore.put(null, anyFolder);
        }
        partitions.put(partition, state);
        return state;
    }

    private static OptionalLong openSince(OffsetAndMetadata committed) {
        if (committed == null || committed.metadata() == null || !committed.metadata().startsWith(OPEN_SINCE)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(committed.metadata().substring(OPEN_SINCE.length())));
    }

    private void write(PartitionState state, SinkRecord record, DeadLetters deadLetters) throws IOException {
        if (record.isTombstone()) {
            return; // a tombstone has no payload to store
        }
        try {
            record.requireUtf8Key(); // the key is not stored, but bytes that are not UTF-8 make a bad record, as in Connect
            Row value = needsValue() ? (settings.format().needsValue() ? ConnectJson.readWithSchema(record.value())
                    : ConnectJson.read(record.value())) : null;
            String folder = partitioner.encodedPartition(record, value);
            if (alreadyStored(state, record, folder)) {
                return;
            }
            long time = settings.rotateIntervalMs() > 0 ? rotationTime.timestamp(record, value) : 0;
            OpenObject object = state.open.get(folder);
            if (object != null && (!object.accepts(value)
                    || (settings.rotateIntervalMs() > 0 && time - object.firstRecordTime >= settings.rotateIntervalMs()))) {
                state.open.remove(folder);
                closeInto(state, object);
                object = null;
            }
            boolean opened = object == null;
            if (opened) {
                object = new OpenObject(settings, record, value, folder, time, clock.getAsLong());
            }
            try {
                object.write(record, value);
            } catch (RecordFormatException | org.apache.avro.AvroRuntimeException e) {
                if (opened) {
                    object.discard(); // an object is named after its first record: it cannot start with a bad one
                }
                throw e;
            }
            if (opened) {
                state.open.put(folder, object);
            }
            if (object.records() >= settings.flushSize()) {
                state.open.remove(folder);
                closeInto(state, object);
            }
        } catch (RecordFormatException | org.apache.avro.AvroRuntimeException e) {
            deadLetters.reject(record, e.getMessage(), settings.tolerateBadRecords(), SINK_LABEL);
            state.unsentDeadLetters.put(record.offset(), deadLetters.messages().get(deadLetters.messages().size() - 1));
        }
    }

    private boolean needsValue() {
        return settings.format().needsValue() || partitioner.needsValue() || (settings.rotateIntervalMs() > 0 && rotationTime.needsValue());
    }

    /** Whether an object a previous run uploaded (and could not commit) already holds this record. */
    private boolean alreadyStored(PartitionState state, SinkRecord record, String folder) {
        List<StoredRange> ranges = state.storedBefore.get(partitioner.deterministic() ? folder : null);
        if (ranges == null) {
            ranges = stored.storedFrom(record.topic(), record.partition(), folder, state.readFrom, settings.format().extension());
            state.storedBefore.put(folder, ranges);
            if (!ranges.isEmpty()) {
                LOG.info("S3 sink: {} objects of {}-{} in {} were uploaded by an earlier run after its last commit; their records are not written again",
                        ranges.size(), record.topic(), record.partition(), folder);
            }
        }
        for (StoredRange range : ranges) {
            if (range.holds(record.offset())) {
                return true;
            }
        }
        return false;
    }

    private void closeInto(PartitionState state, OpenObject object) {
        try {
            state.toUpload.add(object.close());
        } catch (IOException e) {
            object.discard();
            throw new UncheckedIOException("S3 sink: cannot finish the buffer file of " + object.key, e);
        }
    }

    /** Uploads every closed object, oldest first; one that fails stays for the next try. */
    private int uploadClosedObjects() {
        int uploaded = 0;
        for (PartitionState state : partitions.values()) {
            for (Iterator<ClosedObject> it = state.toUpload.iterator(); it.hasNext(); ) {
                ClosedObject object = it.next();
                long size = fileSize(object);
                uploads.upload(object.key(), object.file(), Map.of(UploadedObjects.LAST_OFFSET, Long.toString(object.lastOffset())));
                lastUploadFailed = false;
                recentUploads.addFirst(new Uploaded(object.key(), size, Instant.ofEpochMilli(clock.getAsLong()).toString()));
                if (recentUploads.size() > RECENT_UPLOADS) {
                    recentUploads.removeLast();
                }
                it.remove();
                object.discard();
                state.uploadedSinceCommit.add(new StoredRange(object.key(), object.startOffset(), object.lastOffset()));
                uploaded += object.records();
            }
        }
        return uploaded;
    }

    private static long fileSize(ClosedObject object) {
        try {
            return Files.size(object.file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objects this sink uploaded last, newest first. */
    public synchronized List<Uploaded> recentUploads() {
        return List.copyOf(recentUploads);
    }

    private static void discard(PartitionState state) {
        if (state != null) {
            state.open.values().forEach(OpenObject::discard);
            state.toUpload.forEach(ClosedObject::discard);
        }
    }

    /** Drops every unfinished object (a stop commits nothing: their records are read again on start). */
    @Override
    public synchronized void close() {
        partitions.values().forEach(S3SinkWriter::discard);
        partitions.clear();
        closeCommitProducer();
    }
}
