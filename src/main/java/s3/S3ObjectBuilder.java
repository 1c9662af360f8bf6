package s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import record.ConnectJson;
import record.RecordFormatException;
import sink.DeadLetters;
import sink.KafkaBatch;
import sink.SinkRecord;

/**
 * Turns a batch of records into data lake objects: per topic partition, runs of at most
 * {@code s3.flush.size} records, one JSON object (the record's payload) per line.
 */
public class S3ObjectBuilder implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(S3ObjectBuilder.class);

    private static final String SINK_NAME = "s3-sink";
    // shorter than any consumer session timeout: a partition cannot move to a crashed owner and back faster
    private static final java.time.Duration PARTITION_AWAY = java.time.Duration.ofSeconds(5);

    /** One object to upload; {@code metadata} records the offset of its last record. */
    public record S3Object(String key, byte[] content, int records, Map<String, String> metadata) {
    }

    /** Where the objects already in S3 end, for a partition read again from its committed offset. */
    public interface StoredOffsets {
        /** The offset of the last record already stored at or after {@code fromOffset}, or -1. */
        long lastStoredOffset(String topic, int partition, long fromOffset, String extension);
    }

    /** What one polled batch becomes: objects to upload and records for the dead-letter topic. */
    public record S3Batch(List<S3Object> objects, List<Message> deadLetters) {

        public int recordCount() {
            return objects.stream().mapToInt(S3Object::records).sum();
        }
    }

    private final String topicsDir;
    private final int flushSize;
    private final boolean gzip;
    private final boolean tolerateBadRecords;
    private final StoredOffsets stored;
    // per topic partition: the offset this sink expects next; any other start means the partition was
    // read again from its committed offset (restart, rebalance, retry), so S3 must be asked what it has
    private final Map<String, Long> expectedNext = new HashMap<>();
    private final Map<String, Long> storedUpTo = new HashMap<>();
    private final Map<String, Long> lastSeenNanos = new HashMap<>();

    public S3ObjectBuilder(String topicsDir, int flushSize, String compressionType, boolean tolerateBadRecords,
                           StoredOffsets stored) {
        this.topicsDir = topicsDir;
        this.flushSize = flushSize;
        this.gzip = switch (compressionType.trim().toLowerCase(Locale.ROOT)) {
            case "none", "" -> false;
            case "gzip" -> true;
            default -> throw new IllegalArgumentException("s3.compression.type must be none or gzip, was '" + compressionType + "'");
        };
        this.tolerateBadRecords = tolerateBadRecords;
        this.stored = stored;
    }

    @Override
    public void process(Exchange exchange) {
        DeadLetters deadLetters = new DeadLetters(exchange.getContext(), SINK_NAME);
        List<S3Object> objects = build(KafkaBatch.remember(exchange), deadLetters);
        exchange.getMessage().setBody(new S3Batch(objects, deadLetters.messages()));
    }

    public List<S3Object> build(List<SinkRecord> records, DeadLetters deadLetters) {
        Map<String, List<SinkRecord>> byPartition = new LinkedHashMap<>();
        for (SinkRecord record : records) {
            byPartition.computeIfAbsent(record.topic() + "\u0000" + record.partition(), k -> new ArrayList<>()).add(record);
        }
        List<S3Object> objects = new ArrayList<>();
        for (Map.Entry<String, List<SinkRecord>> entry : byPartition.entrySet()) {
            List<SinkRecord> partitionRecords = skipAlreadyStored(entry.getKey(), entry.getValue());
            List<SinkRecord> pending = new ArrayList<>(flushSize);
            List<String> lines = new ArrayList<>(flushSize);
            for (SinkRecord record : partitionRecords) {
                if (record.value() == null) {
                    continue; // a tombstone has no payload to store
                }
                try {
                    lines.add(ConnectJson.payloadLine(record.value()));
                    pending.add(record);
                } catch (RecordFormatException e) {
                    deadLetters.reject(record, e.getMessage(), tolerateBadRecords, "S3 sink");
                }
                if (pending.size() == flushSize) {
                    objects.add(toObject(pending, lines));
                    pending.clear();
                    lines.clear();
                }
            }
            if (!pending.isEmpty()) {
                objects.add(toObject(pending, lines));
            }
        }
        return objects;
    }

    /**
     * Drops the records a previous run already stored in objects it uploaded but could not commit (a
     * crash between upload and commit). Those objects stay as they are; new objects start after them, so
     * whatever rotation cut them, every record is in exactly one object.
     */
    private List<SinkRecord> skipAlreadyStored(String partitionKey, List<SinkRecord> records) {
        SinkRecord first = records.get(0);
        Long expected = expectedNext.get(partitionKey);
        long now = System.nanoTime();
        Long lastSeen = lastSeenNanos.put(partitionKey, now);
        // a partition away for a while may have been owned by another instance that crashed after uploading:
        // its objects are beyond our own expectation, so S3 is asked again
        boolean away = lastSeen == null || now - lastSeen > PARTITION_AWAY.toNanos();
        if (expected == null || expected != first.offset() || away) {
            storedUpTo.put(partitionKey, stored.lastStoredOffset(first.topic(), first.partition(), first.offset(), extension()));
        }
        expectedNext.put(partitionKey, records.get(records.size() - 1).offset() + 1);
        long upTo = storedUpTo.getOrDefault(partitionKey, -1L);
        if (upTo < first.offset()) {
            return records;
        }
        List<SinkRecord> remaining = records.stream().filter(r -> r.offset() > upTo).toList();
        LOG.info("S3 sink: {} records of {}-{} up to offset {} are already in S3 (uploaded before a restart), not written again",
                records.size() - remaining.size(), first.topic(), first.partition(), upTo);
        return remaining;
    }

    private String extension() {
        return gzip ? "json.gz" : "json";
    }

    private S3Object toObject(List<SinkRecord> records, List<String> lines) {
        SinkRecord first = records.get(0);
        String key = S3ObjectNames.key(topicsDir, first.topic(), first.partition(), first.offset(), extension());
        return new S3Object(key, encode(lines), records.size(),
                Map.of(UploadedObjects.LAST_OFFSET, Long.toString(records.get(records.size() - 1).offset())));
    }

    private byte[] encode(List<String> lines) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(lines.size() * 256);
        try (OutputStream out = gzip ? new GZIPOutputStream(bytes) : bytes) {
            for (String line : lines) {
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
