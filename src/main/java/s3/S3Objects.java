package s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Message;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.spi.RecoverableAggregationRepository;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import record.RecordFormatException;
import s3.OpenObject.ClosedObject;
import s3.UploadedObjects.StoredRange;
import sink.DeadLetters;
import sink.KafkaBatch;

/**
 * The objects of the S3 route's {@code aggregate} step, and how far each Kafka partition is safely in S3.
 *
 * <p>As the aggregator's {@link AggregationStrategy} it appends each {@link ObjectPiece} to its group's
 * object, a buffer file (so an object of a million records costs a file, not memory); as its
 * {@link RecoverableAggregationRepository} it holds the open objects, and the complete ones until their
 * upload is confirmed: an upload that fails is sent again by the aggregator's recovery task every
 * {@code recoveryInterval}. Camel's stock repositories could not do two things the sink's guarantees need:
 * drop the objects of a partition the consumer group moved to another instance (the next owner re-reads
 * those records), and tell the offset commit where the first record not yet in S3 is.
 *
 * <p>Exactly once: an object is named from its first offset and carries its last one (user metadata
 * {@value UploadedObjects#LAST_OFFSET}); the committed offset of a partition never passes a record that
 * is not in an uploaded object (or sent to the dead-letter topic), and never falls inside an uploaded
 * object, so a restart that lists the objects from the committed offset finds every one it must skip.
 *
 * <p>Called by the consumer thread (pieces, commits, rebalances), the aggregator's timeout checker and
 * recovery task, and whichever of them completes an object (the upload steps). It never calls out to
 * {@link S3Batches} (which calls it holding its own lock).
 */
public class S3Objects implements AggregationStrategy, RecoverableAggregationRepository {

    private static final Logger LOG = LoggerFactory.getLogger(S3Objects.class);
    private static final String SINK_NAME = "s3-sink";
    private static final String SINK_LABEL = "S3 sink";
    /** Exchange property of a complete object on its way to S3: how many records it holds. */
    public static final String RECORDS = "s3ObjectRecords";
    /** Exchange property of a complete object on its way to S3: the object (its body becomes the file). */
    private static final String OBJECT = "s3Object";
    private static final int RECENT_UPLOADS = 10;

    /** An object this sink uploaded: for the console's list of the newest. */
    public record Uploaded(String key, long size, String uploadedAt) {
    }

    /** An object of the aggregator: open until complete, then closed into a file until it is in S3. */
    static final class ObjectInProgress {
        final TopicPartition partition;
        final String folder;
        final long openedAtMillis;
        OpenObject open;        // null until its first record that fits the format
        ClosedObject closed;    // once complete
        boolean dropped;        // its partition moved to another instance

        ObjectInProgress(TopicPartition partition, String folder, long openedAtMillis) {
            this.partition = partition;
            this.folder = folder;
            this.openedAtMillis = openedAtMillis;
        }

        int records() {
            return closed != null ? closed.records() : open == null ? 0 : open.records();
        }

        long startOffset() {
            return closed != null ? closed.startOffset() : open.startOffset;
        }

        boolean hasRecords() {
            return records() > 0;
        }

        void discard() {
            if (open != null) {
                open.discard();
            }
            if (closed != null) {
                closed.discard();
            }
        }
    }

    /** What is known about one Kafka partition this sink owns. */
    private static final class PartitionObjects {
        long writtenUpTo;       // every record below is in an object, skipped, or a dead letter
        long committed;
        final Set<ObjectInProgress> unfinished = new LinkedHashSet<>();
        // uploaded objects the committed offset has not passed yet: it must not stop inside one
        final List<StoredRange> uploadedSinceCommit = new ArrayList<>();
        // rejected records whose dead letter is not sent yet: the commit must not pass them
        final Map<Long, Message> unsentDeadLetters = new LinkedHashMap<>();
        boolean bufferFailed;

        PartitionObjects(long readFrom) {
            this.writtenUpTo = readFrom;
            this.committed = readFrom;
        }
    }

    private final S3SinkSettings settings;
    private final LongSupplier clock;
    private final CamelContext camelContext;
    private final Map<TopicPartition, PartitionObjects> partitions = new HashMap<>();
    // the aggregator's open groups, by correlation key (partition and folder)
    private final Map<String, Exchange> openGroups = new HashMap<>();
    // complete objects whose upload is not confirmed yet, by exchange id (the recovery task sends them again)
    private final Map<String, Exchange> notConfirmed = new LinkedHashMap<>();
    // objects being uploaded right now: a rebalance waits for them before another instance takes the partition
    private final Map<ObjectInProgress, Thread> uploading = new HashMap<>();
    private final Deque<Uploaded> recentUploads = new ArrayDeque<>();
    private long recoveryInterval = 5_000;

    public S3Objects(CamelContext camelContext, S3SinkSettings settings, LongSupplier clock) {
        this.camelContext = camelContext;
        this.settings = settings;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- partitions (called by S3Batches)

    /** A partition read from {@code readFrom} on: its earlier state, if any, is gone. */
    synchronized void startPartition(TopicPartition partition, long readFrom) {
        drop(List.of(partition));
        partitions.put(partition, new PartitionObjects(readFrom));
    }

    /** Every record of the partition below {@code offset} is handled (a batch with nothing for the objects). */
    synchronized void written(TopicPartition partition, long offset) {
        PartitionObjects state = partitions.get(partition);
        if (state != null) {
            state.writtenUpTo = Math.max(state.writtenUpTo, offset);
        }
    }

    /** A record that becomes a dead letter (or, with errors.tolerance=none, halts the sink: SinkHaltException). */
    synchronized void reject(sink.SinkRecord record, String reason) {
        DeadLetters deadLetters = new DeadLetters(camelContext, SINK_NAME);
        deadLetters.reject(record, reason, settings.tolerateBadRecords(), SINK_LABEL);
        PartitionObjects state = partitions.get(new TopicPartition(record.topic(), record.partition()));
        if (state != null) {
            state.unsentDeadLetters.put(record.offset(), deadLetters.messages().get(0));
        }
    }

    /** The dead letters not sent yet, including those of an earlier attempt at a batch. */
    public synchronized List<Message> unsentDeadLetters() {
        List<Message> unsent = new ArrayList<>();
        partitions.values().forEach(state -> unsent.addAll(state.unsentDeadLetters.values()));
        return unsent;
    }

    synchronized void deadLettersSent() {
        partitions.values().forEach(state -> state.unsentDeadLetters.clear());
    }

    /** Partitions whose buffer file failed (disk full?): they are read again from their committed offset. */
    synchronized List<TopicPartition> takeFailedPartitions() {
        List<TopicPartition> failed = new ArrayList<>();
        partitions.forEach((partition, state) -> {
            if (state.bufferFailed) {
                failed.add(partition);
            }
        });
        return failed;
    }

    /** How an open object of a group stands, for cutting a batch into pieces. */
    record OpenView(int records, long firstRecordTime, record.RecordSchema schema) {
        static final OpenView NONE = new OpenView(0, 0, null);
    }

    synchronized OpenView openView(String group) {
        Exchange exchange = openGroups.get(group);
        if (exchange == null) {
            return OpenView.NONE;
        }
        OpenObject open = exchange.getMessage().getBody(ObjectInProgress.class).open;
        return open == null ? OpenView.NONE : new OpenView(open.records(), open.firstRecordTime, open.firstSchema);
    }

    /**
     * Drops everything of partitions this instance no longer owns (their next owner reads them again from
     * the committed offset), after any upload of theirs under way has ended: an object landing in S3 after
     * the next owner listed the folder would hold records that owner writes again.
     */
    synchronized void drop(Collection<TopicPartition> revoked) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (uploading.keySet().stream().anyMatch(o -> revoked.contains(o.partition)) && System.currentTimeMillis() < deadline) {
            try {
                wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        openGroups.values().removeIf(exchange -> dropIfIn(exchange, revoked));
        notConfirmed.values().removeIf(exchange -> dropIfIn(exchange, revoked));
        revoked.forEach(partitions::remove);
    }

    private static boolean dropIfIn(Exchange exchange, Collection<TopicPartition> revoked) {
        ObjectInProgress object = objectOf(exchange);
        if (object == null || !revoked.contains(object.partition)) {
            return false;
        }
        object.dropped = true;
        object.discard();
        return true;
    }

    // ---------------------------------------------------------------- the aggregator: pieces into objects

    /** Appends a piece to its group's object; records that do not fit the format become dead letters. */
    @Override
    public Exchange aggregate(Exchange group, Exchange pieceExchange) {
        ObjectPiece piece = pieceExchange.getMessage().getBody(ObjectPiece.class);
        if (group == null) {
            // a fresh exchange for the object: a copy of the piece's would keep the whole Kafka batch alive
            group = pieceExchange.copy();
            group.removeProperty(KafkaBatch.POLLED);
            group.getMessage().setBody(new ObjectInProgress(piece.partition(), piece.folder(), clock.getAsLong()));
        }
        ObjectInProgress object = group.getMessage().getBody(ObjectInProgress.class);
        synchronized (this) {
            PartitionObjects state = partitions.get(piece.partition());
            if (state == null || state.bufferFailed || object.dropped) {
                return group; // moved away, or waiting to be read again: nothing of it is kept
            }
            state.unfinished.add(object);
            try {
                for (ObjectPiece.Entry entry : piece.entries()) {
                    append(object, entry);
                }
            } catch (IOException e) {
                LOG.error("S3 sink: cannot write the buffer file in {} ({}); partition {} is read again from its committed offset",
                        settings.bufferDir(), e.getMessage(), piece.partition());
                state.bufferFailed = true;
                drop(List.of(piece.partition()));
                partitions.put(piece.partition(), state);
                return group;
            }
            state.writtenUpTo = Math.max(state.writtenUpTo, piece.writtenUpTo());
        }
        return group;
    }

    private void append(ObjectInProgress object, ObjectPiece.Entry entry) throws IOException {
        boolean opened = object.open == null;
        try {
            if (opened) {
                object.open = new OpenObject(settings, entry.record(), entry.value(), object.folder, entry.time(), object.openedAtMillis);
            }
            object.open.write(entry.record(), entry.value());
        } catch (RecordFormatException | org.apache.avro.AvroRuntimeException e) {
            if (opened && object.open != null) {
                object.open.discard(); // an object is named after its first record: it cannot start with a bad one
                object.open = null;
            }
            reject(entry.record(), e.getMessage());
        }
    }

    /** A piece that starts a new object completes the group's open one first (another schema, or s3.rotate.interval.ms). */
    @Override
    public boolean canPreComplete() {
        return true;
    }

    @Override
    public boolean preComplete(Exchange group, Exchange pieceExchange) {
        return group != null && pieceExchange.getMessage().getBody(ObjectPiece.class).startsObject();
    }

    /** Completion predicate: the object holds s3.flush.size records. */
    public boolean isFull(Exchange group) {
        return group.getMessage().getBody(ObjectInProgress.class).records() >= settings.flushSize();
    }

    /**
     * Completion timeout of a group, evaluated for each piece: what is left of s3.rotate.schedule.interval.ms
     * since its object was opened (an object closes that long after it opened, even if no record comes).
     */
    public long scheduledRotationIn(Exchange pieceExchange) {
        if (settings.rotateScheduleMs() <= 0) {
            return 0; // no timeout
        }
        String group = pieceExchange.getProperty(ExchangePropertyKey.AGGREGATED_CORRELATION_KEY, String.class);
        synchronized (this) {
            Exchange open = group == null ? null : openGroups.get(group);
            if (open == null) {
                return settings.rotateScheduleMs();
            }
            long openFor = clock.getAsLong() - open.getMessage().getBody(ObjectInProgress.class).openedAtMillis;
            return Math.max(1, settings.rotateScheduleMs() - openFor);
        }
    }

    @Override
    public synchronized Exchange add(CamelContext context, String key, Exchange exchange) {
        return openGroups.put(key, exchange);
    }

    @Override
    public synchronized Exchange get(CamelContext context, String key) {
        return openGroups.get(key);
    }

    @Override
    public synchronized void remove(CamelContext context, String key, Exchange exchange) {
        openGroups.remove(key);
    }

    @Override
    public synchronized Set<String> getKeys() {
        return Set.copyOf(openGroups.keySet());
    }

    // ---------------------------------------------------------------- complete objects: to S3

    /**
     * First step of a complete object: finishes its file and sets what {@code aws2-s3} needs: the file as
     * the body, the key, the {@value UploadedObjects#LAST_OFFSET} metadata. A null body when there is
     * nothing to upload: no record fitted the format, or its partition moved to another instance.
     */
    public void prepareUpload(Exchange exchange) {
        ObjectInProgress object = exchange.getProperty(OBJECT, ObjectInProgress.class);
        if (object == null) { // the first attempt; one the recovery task sends again has its file already
            object = exchange.getMessage().getBody(ObjectInProgress.class);
            exchange.setProperty(OBJECT, object);
        }
        exchange.getMessage().setBody(null);
        synchronized (this) {
            PartitionObjects state = partitions.get(object.partition);
            if (object.dropped || state == null) {
                object.discard();
                notConfirmed.remove(exchange.getExchangeId());
                return;
            }
            if (object.closed == null) {
                if (object.open == null) {
                    state.unfinished.remove(object);
                    return;
                }
                try {
                    object.closed = object.open.close();
                } catch (IOException e) {
                    object.discard();
                    state.bufferFailed = true;
                    throw new UncheckedIOException("S3 sink: cannot finish the buffer file of " + object.open.key, e);
                }
            }
            notConfirmed.put(exchange.getExchangeId(), exchange);
            uploading.put(object, Thread.currentThread());
        }
        ObjectInProgress uploadingObject = object;
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                synchronized (S3Objects.this) {
                    uploading.remove(uploadingObject);
                    S3Objects.this.notifyAll();
                }
            }
        });
        ClosedObject closed = object.closed;
        Message message = exchange.getMessage();
        message.setBody(closed.file().toFile());
        message.setHeader(AWS2S3Constants.KEY, closed.key());
        message.setHeader(AWS2S3Constants.METADATA, Map.of(UploadedObjects.LAST_OFFSET, Long.toString(closed.lastOffset())));
        message.setHeader(AWS2S3Constants.CONTENT_LENGTH, fileSize(closed));
        exchange.setProperty(RECORDS, closed.records());
    }

    /** Last step of an upload: the object is in S3; the commit may pass its records. */
    public synchronized void uploaded(Exchange exchange) {
        ObjectInProgress object = exchange.getProperty(OBJECT, ObjectInProgress.class);
        ClosedObject closed = object.closed;
        notConfirmed.remove(exchange.getExchangeId());
        // no longer under way: a rebalance waiting for it goes on (before this thread commits)
        uploading.remove(object);
        notifyAll();
        recentUploads.addFirst(new Uploaded(closed.key(), fileSize(closed), Instant.ofEpochMilli(clock.getAsLong()).toString()));
        if (recentUploads.size() > RECENT_UPLOADS) {
            recentUploads.removeLast();
        }
        closed.discard();
        PartitionObjects state = partitions.get(object.partition);
        if (state != null && !object.dropped) {
            state.unfinished.remove(object);
            state.uploadedSinceCommit.add(new StoredRange(closed.key(), closed.startOffset(), closed.lastOffset()));
        }
    }

    private static long fileSize(ClosedObject object) {
        try {
            return Files.size(object.file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The object of an aggregator exchange: its body until the upload steps make the file the body. */
    private static ObjectInProgress objectOf(Exchange exchange) {
        ObjectInProgress object = exchange.getProperty(OBJECT, ObjectInProgress.class);
        return object != null ? object : (ObjectInProgress) exchange.getMessage().getBody();
    }

    /** The objects this sink uploaded last, newest first. */
    public synchronized List<Uploaded> recentUploads() {
        return List.copyOf(recentUploads);
    }

    @Override
    public synchronized void confirm(CamelContext context, String exchangeId) {
        notConfirmed.remove(exchangeId);
    }

    @Override
    public synchronized Set<String> scan(CamelContext context) {
        return Set.copyOf(notConfirmed.keySet());
    }

    @Override
    public synchronized Exchange recover(CamelContext context, String exchangeId) {
        return notConfirmed.get(exchangeId);
    }

    @Override
    public void setRecoveryInterval(long interval, java.util.concurrent.TimeUnit timeUnit) {
        setRecoveryInterval(timeUnit.toMillis(interval));
    }

    @Override
    public void setRecoveryInterval(long interval) {
        this.recoveryInterval = interval;
    }

    @Override
    public long getRecoveryInterval() {
        return recoveryInterval;
    }

    @Override
    public void setUseRecovery(boolean useRecovery) {
        if (!useRecovery) {
            throw new IllegalArgumentException("the S3 sink's objects are always sent again until they are in S3");
        }
    }

    @Override
    public boolean isUseRecovery() {
        return true;
    }

    @Override
    public void setDeadLetterUri(String deadLetterUri) {
        throw new IllegalArgumentException("an object is never given up: its records are not committed until it is in S3");
    }

    @Override
    public String getDeadLetterUri() {
        return null;
    }

    @Override
    public void setMaximumRedeliveries(int maximumRedeliveries) {
        throw new IllegalArgumentException("an object is sent again until it is in S3");
    }

    @Override
    public int getMaximumRedeliveries() {
        return 0; // no limit
    }

    // ---------------------------------------------------------------- commit points

    /**
     * Per partition whose commit point moved: the new point, with the wall-clock time of its oldest
     * object not yet in S3 (what Wallclock partitioning needs to find its folders after a restart).
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> offsetsToCommit() {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (Map.Entry<TopicPartition, PartitionObjects> entry : partitions.entrySet()) {
            PartitionObjects state = entry.getValue();
            if (state.bufferFailed) {
                continue;
            }
            List<Long> unfinishedStarts = new ArrayList<>(state.unsentDeadLetters.keySet());
            long openSince = clock.getAsLong();
            for (ObjectInProgress object : state.unfinished) {
                if (object.hasRecords()) {
                    unfinishedStarts.add(object.startOffset());
                }
                openSince = Math.min(openSince, object.openedAtMillis);
            }
            long point = commitPoint(state.writtenUpTo, unfinishedStarts, state.uploadedSinceCommit);
            if (point > state.committed) {
                commits.put(entry.getKey(), new OffsetAndMetadata(point, S3Batches.OPEN_SINCE + openSince));
            }
        }
        return commits;
    }

    synchronized void committed(Map<TopicPartition, OffsetAndMetadata> commits) {
        commits.forEach((partition, offset) -> {
            PartitionObjects state = partitions.get(partition);
            if (state != null) {
                state.committed = Math.max(state.committed, offset.offset());
                state.uploadedSinceCommit.removeIf(range -> range.last() < state.committed);
            }
        });
    }

    /**
     * The offset to commit: below the first record of every object not yet uploaded (and every dead
     * letter not yet sent), and never inside an uploaded object, so that after a crash the objects
     * holding records at or after it all start at or after it, where a listing from it finds them.
     */
    static long commitPoint(long writtenUpTo, Collection<Long> unfinishedStarts, Collection<StoredRange> uploaded) {
        long point = writtenUpTo;
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

    /** Drops every unfinished object (a stop commits nothing: their records are read again on start). */
    public synchronized void close() {
        openGroups.values().forEach(exchange -> dropIfIn(exchange, partitions.keySet()));
        notConfirmed.values().forEach(exchange -> dropIfIn(exchange, partitions.keySet()));
        openGroups.clear();
        notConfirmed.clear();
        partitions.clear();
    }
}
