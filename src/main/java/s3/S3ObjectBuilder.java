package s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
import sink.SinkHaltException;
import sink.SinkRecord;

/**
 * Turns a batch of records into data lake objects: per topic partition, runs of at most
 * {@code s3.flush.size} records, one JSON object (the record's payload) per line.
 */
public class S3ObjectBuilder implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(S3ObjectBuilder.class);

    private static final String SINK_NAME = "s3-sink";

    /** One object to upload. */
    public record S3Object(String key, byte[] content, int records) {
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

    public S3ObjectBuilder(String topicsDir, int flushSize, String compressionType, boolean tolerateBadRecords) {
        this.topicsDir = topicsDir;
        this.flushSize = flushSize;
        this.gzip = switch (compressionType.trim().toLowerCase(Locale.ROOT)) {
            case "none", "" -> false;
            case "gzip" -> true;
            default -> throw new IllegalArgumentException("s3.compression.type must be none or gzip, was '" + compressionType + "'");
        };
        this.tolerateBadRecords = tolerateBadRecords;
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
        for (List<SinkRecord> partitionRecords : byPartition.values()) {
            List<SinkRecord> pending = new ArrayList<>(flushSize);
            List<String> lines = new ArrayList<>(flushSize);
            for (SinkRecord record : partitionRecords) {
                if (record.value() == null) {
                    continue; // a tombstone has no payload to store
                }
                try {
                    lines.add(ConnectJson.payloadOf(record.value()).toString());
                    pending.add(record);
                } catch (RecordFormatException e) {
                    if (!tolerateBadRecords) {
                        throw new SinkHaltException("S3 sink stopped at record " + record.coordinates()
                                + " (errors.tolerance=none): " + e.getMessage());
                    }
                    LOG.warn("S3 sink: record {} goes to the dead-letter topic: {}", record.coordinates(), e.getMessage());
                    deadLetters.add(record, e.getMessage());
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

    private S3Object toObject(List<SinkRecord> records, List<String> lines) {
        SinkRecord first = records.get(0);
        String key = S3ObjectNames.key(topicsDir, first.topic(), first.partition(), first.offset(), gzip ? "json.gz" : "json");
        return new S3Object(key, encode(lines), records.size());
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
