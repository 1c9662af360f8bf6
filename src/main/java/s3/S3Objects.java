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
import org.apache.camel.Message;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.spi.AggregationRepository;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import record.RecordFormatException;
import s3.OpenObject.ClosedObject;
import s3.UploadedObjects.StoredRange;
import sink.DeadLetters;
import org.apache.camel.support.DefaultExchange;

/**
 * The objects of the S3 route's {@code aggregate} step, and how far each Kafka partition is safely in S3.
 *
 * <p>As the aggregator's {@link AggregationStrategy} it appends each {@link ObjectPiece} to its group's
 * object, a buffer file (so an object of a million records costs a file, not memory); as its
 * {@link AggregationRepository} it holds the open objects. A complete object waits here until the route
 * {@code s3-uploads} has put it in S3. Camel's stock repositories could not do two things the sink's
 * guarantees need: drop the objects of a partition the consumer group moved to another instance (the next
 * owner re-reads those records), and tell the offset commit where the first record not yet in S3 is.
 *
 * <p>Exactly once: an object is named from its first offset and carries its last one (user metadata
 * {@value UploadedObjects#LAST_OFFSET}); the committed offset of a partition never passes a record that
 * is not in an uploaded object (or sent to the dead-letter topic), and never falls inside an uploaded
 * object, so a restart that lists the objects from the committed offset finds every one it must skip.
 *
 * <p>Called by the consumer thread (pieces, commits, rebalances), the aggregator's timeout checker
 * (completions) and the upload route's thread. It never calls out to {@link S3Batches} (which calls it
 * holding its own lock).
 */
public class S3Objects implements AggregationStrategy, AggregationRepository {

    private static final Logger LOG = LoggerFactory.getLogger(S3Objects.class);
    private static final String SINK_LABEL = "S3 sink";
    /** Exchange property of a complete object on its way to S3: how many records it holds. */
    public static final String RECORDS = "s3ObjectRecords";
    /** Exchange property of an object on its way to S3 (its body becomes the file). */
    private static final String OBJECT = "s3Object";
    private static final int RECENT_UPLOADS = 10;
    /** How far reading may run ahead of the uploads, in bytes of complete objects (see {@link #waitForUploads}). */
    static final long READ_AHEAD_BYTES = 64L * 1024 * 1024;
    private final long readAheadBytes;
    private final String sinkName;

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
        boolean endRequested;   // a piece ended it (s3.flush.size, s3.rotate.interval.ms, another schema)
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
    // complete objects not in S3 yet, oldest first, each with the size of its file
    private final Map<ObjectInProgress, Long> complete = new LinkedHashMap<>();
    private long completeBytes;
    // the object being uploaded right now: a rebalance waits for it before another instance takes the partition
    private ObjectInProgress uploading;
    private boolean lastUploadFailed;
    // a wake-up of route s3-uploads is on its way: one is enough, as a round uploads every complete object
    private boolean wakeUpSent;
    private final Deque<Uploaded> recentUploads = new ArrayDeque<>();

    public S3Objects(CamelContext camelContext, S3SinkSettings settings, LongSupplier clock) {
        this(camelContext, "s3-sink", settings, clock);
    }

    /** @param sinkName the sink's route id, as its dead letters name it ({@code s3-sink}) */
    public S3Objects(CamelContext camelContext, String sinkName, S3SinkSettings settings, LongSupplier clock) {
        this(camelContext, sinkName, settings, clock, READ_AHEAD_BYTES);
    }

    S3Objects(CamelContext camelContext, S3SinkSettings settings, LongSupplier clock, long readAheadBytes) {
        this(camelContext, "s3-sink", settings, clock, readAheadBytes);
    }

    private S3Objects(CamelContext camelContext, String sinkName, S3SinkSettings settings, LongSupplier clock, long readAheadBytes) {
        this.sinkName = sinkName;
        this.readAheadBytes = readAheadBytes;
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
        DeadLetters deadLetters = new DeadLetters(camelContext, sinkName);
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

    /**
     * Partitions whose buffer file failed (disk full?), each with its committed offset: they are read again
     * from there.
     */
    synchronized Map<TopicPartition, Long> takeFailedPartitions() {
        Map<TopicPartition, Long> failed = new HashMap<>();
        partitions.forEach((partition, state) -> {
            if (state.bufferFailed) {
                failed.put(partition, state.committed);
            }
        });
        return failed;
    }

    /**
     * Records of an object a previous run uploaded (and could not commit) were skipped: the commit must not
     * stop inside that object either, or a restart from there would not find it when it lists.
     */
    synchronized void storedBefore(TopicPartition partition, StoredRange range) {
        PartitionObjects state = partitions.get(partition);
        if (state != null && !state.uploadedSinceCommit.contains(range) && range.last() >= state.committed) {
            state.uploadedSinceCommit.add(range);
        }
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
     * the committed offset), after an upload of theirs under way has ended: an object landing in S3 after
     * the next owner listed the folder would hold records that owner writes again.
     */
    synchronized void drop(Collection<TopicPartition> revoked) {
        long waitingSince = System.currentTimeMillis();
        boolean told = false;
        while (uploading != null && revoked.contains(uploading.partition)) {
            if (!told && System.currentTimeMillis() - waitingSince > 30_000) {
                LOG.warn("S3 sink: {} moves to another instance once the upload of one of its objects ends", uploading.partition);
                told = true;
            }
            try {
                wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (TopicPartition partition : revoked) {
            PartitionObjects state = partitions.remove(partition);
            if (state != null) {
                discardUnfinished(state);
            }
        }
        openGroups.values().removeIf(exchange -> revoked.contains(objectOf(exchange).partition));
        complete.keySet().stream().filter(object -> revoked.contains(object.partition)).toList().forEach(this::forgetComplete);
        notifyAll();
    }

    // ---------------------------------------------------------------- the aggregator: pieces into objects

    /**
     * Appends a piece to its group's object; records that do not fit the format become dead letters. Any
     * other failure (the buffer file: disk full?) drops the partition's objects, and it is read again from
     * its committed offset, so that nothing fails half-way inside the route's split.
     */
    @Override
    public Exchange aggregate(Exchange group, Exchange pieceExchange) {
        ObjectPiece piece = pieceExchange.getMessage().getBody(ObjectPiece.class);
        if (group == null) {
            // a fresh exchange for the object: a copy of the piece's would keep its batch alive as long as the
            // object is open (through the split's parent unit of work and the polled records)
            group = new DefaultExchange(pieceExchange.getContext());
            group.getExchangeExtension().setFromEndpoint(pieceExchange.getFromEndpoint());
            group.getExchangeExtension().setFromRouteId(pieceExchange.getFromRouteId());
            group.getMessage().setBody(new ObjectInProgress(piece.partition(), piece.folder(), clock.getAsLong()));
        }
        ObjectInProgress object = objectOf(group);
        synchronized (this) {
            PartitionObjects state = partitions.get(piece.partition());
            if (state == null || state.bufferFailed || object.dropped) {
                object.endRequested = true; // moved away, or to be read again: nothing of it is kept
                return group;
            }
            state.unfinished.add(object);
            try {
                for (ObjectPiece.Entry entry : piece.entries()) {
                    append(object, entry);
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof sink.SinkHaltException halt) {
                    throw halt;
                }
                LOG.error("S3 sink: cannot write the buffer file in {} ({}); partition {} is read again from its committed offset",
                        settings.bufferDir(), e, piece.partition());
                drop(List.of(piece.partition()));
                state.bufferFailed = true;
                partitions.put(piece.partition(), state);
                object.endRequested = true;
                return group;
            }
            object.endRequested |= piece.endsObject();
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

    /**
     * Completion predicate: the object holds s3.flush.size records, or a piece ended it (the cut found the
     * next record of its group starts another object: s3.rotate.interval.ms passed, or another schema).
     */
    public boolean isComplete(Exchange group) {
        ObjectInProgress object = objectOf(group);
        return object.endRequested || object.records() >= settings.flushSize();
    }

    /**
     * Completion timeout of a group, evaluated for each piece: what is left of s3.rotate.schedule.interval.ms
     * since its object was opened (an object closes that long after it opened, even if no record comes).
     */
    public long scheduledRotationIn(Exchange pieceExchange) {
        if (settings.rotateScheduleMs() <= 0) {
            return 0; // no timeout
        }
        ObjectPiece piece = pieceExchange.getMessage().getBody(ObjectPiece.class);
        synchronized (this) {
            Exchange open = openGroups.get(piece.group());
            if (open == null) {
                return settings.rotateScheduleMs(); // a new object
            }
            long openFor = clock.getAsLong() - objectOf(open).openedAtMillis;
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
    public void confirm(CamelContext context, String exchangeId) {
        // a complete object stays here until it is in S3 (uploaded), not until the aggregator is done with it
    }

    @Override
    public synchronized Set<String> getKeys() {
        return Set.copyOf(openGroups.keySet());
    }

    /**
     * The aggregate's completion step: finishes the object's file, which then waits for the upload route.
     * Runs on the thread that completed it: the consumer's, or the aggregator's timeout checker.
     */
    public void complete(Exchange group) {
        ObjectInProgress object = objectOf(group);
        synchronized (this) {
            PartitionObjects state = partitions.get(object.partition);
            if (object.dropped || state == null) {
                object.discard();
                return;
            }
            if (object.open == null) { // no record fitted the format
                state.unfinished.remove(object);
                return;
            }
            try {
                object.closed = object.open.close();
            } catch (IOException e) {
                object.discard();
                LOG.error("S3 sink: cannot finish the buffer file of {} ({}); partition {} is read again from its committed offset",
                        object.open.key, e, object.partition);
                state.bufferFailed = true;
                return;
            }
            long size = fileSize(object.closed);
            complete.put(object, size);
            completeBytes += size;
        }
    }

    // ---------------------------------------------------------------- complete objects: to S3 (route s3-uploads)

    /**
     * Whether route s3-uploads must be woken (filter before the send): not when a wake-up is on its way
     * already. Camel's seda queue could drop extra wake-ups itself (discardWhenFull), but the aggregator
     * then never hears that its exchange is done and keeps its id forever.
     */
    public synchronized boolean wakeUpNeeded() {
        boolean needed = !wakeUpSent;
        wakeUpSent = true;
        return needed;
    }

    /** A round of route s3-uploads starts: the complete objects waiting for S3, oldest first. */
    public synchronized List<ObjectInProgress> completeObjects() {
        wakeUpSent = false; // a completion from now on wakes the next round
        return List.copyOf(complete.keySet());
    }

    /**
     * First step of an upload: the object's file as the body, with what {@code aws2-s3} needs as headers: the
     * key and the {@value UploadedObjects#LAST_OFFSET} metadata. A null body when its partition has moved to
     * another instance meanwhile.
     */
    public void prepareUpload(Exchange exchange) {
        ObjectInProgress object = exchange.getMessage().getBody(ObjectInProgress.class);
        exchange.setProperty(OBJECT, object);
        exchange.getMessage().setBody(null);
        long size;
        synchronized (this) {
            if (object.dropped || !complete.containsKey(object)) {
                return;
            }
            uploading = object;
            size = complete.get(object);
        }
        ClosedObject closed = object.closed;
        Message message = exchange.getMessage();
        message.setBody(closed.file().toFile());
        message.setHeader(AWS2S3Constants.KEY, closed.key());
        message.setHeader(AWS2S3Constants.METADATA, Map.of(UploadedObjects.LAST_OFFSET, Long.toString(closed.lastOffset())));
        message.setHeader(AWS2S3Constants.CONTENT_LENGTH, size);
        exchange.setProperty(RECORDS, closed.records());
    }

    /** Last step of an upload: the object is in S3; the commit may pass its records. */
    public synchronized void uploaded(Exchange exchange) {
        ObjectInProgress object = exchange.getProperty(OBJECT, ObjectInProgress.class);
        ClosedObject closed = object.closed;
        // no longer under way: a rebalance waiting for it goes on (before this thread commits)
        uploading = null;
        notifyAll();
        if (lastUploadFailed) {
            LOG.info("S3 sink: uploads work again");
            lastUploadFailed = false;
        }
        long size = forgetComplete(object);
        recentUploads.addFirst(new Uploaded(closed.key(), size, Instant.ofEpochMilli(clock.getAsLong()).toString()));
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

    /** An upload failed: the object stays, and the next round tries it again. One WARN line per outage. */
    public synchronized void uploadFailed(Exchange exchange) {
        uploading = null;
        notifyAll();
        if (!lastUploadFailed) {
            Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            LOG.warn("S3 sink: upload failed, trying again every second; nothing is committed past it: {}",
                    e == null ? "unknown" : e.getMessage());
            lastUploadFailed = true;
        }
    }

    /**
     * The end of a batch waits while the complete objects not yet in S3 hold more than
     * {@value #READ_AHEAD_BYTES} bytes (and are more than one): the consumer reads ahead of the uploads by
     * that much, not more, so a slow or unreachable S3 slows the reading down and the buffer files stay
     * bounded. After 10 s it fails the batch, which the sink's error handling retries. When the pipeline
     * stops, it does not wait (the upload route may be stopped already; nothing is committed past an object
     * not in S3 either way).
     */
    public synchronized void waitForUploads(Exchange batch) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (complete.size() > 1 && completeBytes > readAheadBytes && !batch.getContext().isStopping()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new IllegalStateException("S3 sink: " + complete.size() + " objects (" + completeBytes / 1_048_576
                        + " MiB) are waiting for S3; the batch is tried again");
            }
            wait(Math.min(left, 100));
        }
    }

    /** Forgets a complete object; returns the size of its file (0 if it was not there). */
    private long forgetComplete(ObjectInProgress object) {
        Long size = complete.remove(object);
        if (size == null) {
            return 0;
        }
        completeBytes -= size;
        return size;
    }

    private static long fileSize(ClosedObject object) {
        try {
            return Files.size(object.file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A partition's objects are of no use any more: an upload or completion under way skips them. */
    private static void discardUnfinished(PartitionObjects state) {
        state.unfinished.forEach(object -> {
            object.dropped = true;
            object.discard();
        });
    }

    /** The object of an aggregator exchange. */
    private static ObjectInProgress objectOf(Exchange exchange) {
        return (ObjectInProgress) exchange.getMessage().getBody();
    }

    /** The objects this sink uploaded last, newest first. */
    public synchronized List<Uploaded> recentUploads() {
        return List.copyOf(recentUploads);
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
        partitions.values().forEach(S3Objects::discardUnfinished);
        partitions.clear();
        openGroups.clear();
        complete.clear();
        completeBytes = 0;
    }
}
