package s3;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import record.Row;
import sink.SinkRecord;

/**
 * An object being written: records go to a buffer file as they arrive, so memory stays the same whatever
 * s3.flush.size is; it is uploaded whole once closed.
 */
final class OpenObject {

    final String encodedPartition;
    final String key;
    final long startOffset;
    final long openedAtMillis;
    final long firstRecordTime;
    /** The schema of the first record's value (null for JSON, which reads no value): Avro and Parquet keep one per file. */
    final record.RecordSchema firstSchema;
    private final Path file;
    private final ObjectFormat.RecordEncoder encoder;
    private long lastOffset = -1;
    private int records;

    OpenObject(S3SinkSettings settings, SinkRecord first, Row firstValue, String encodedPartition, long firstRecordTime,
               long nowMillis) throws IOException {
        this.encodedPartition = encodedPartition;
        this.key = S3ObjectNames.key(settings.topicsDir(), first.topic(), encodedPartition, first.partition(), first.offset(),
                settings.format().extension());
        this.startOffset = first.offset();
        this.openedAtMillis = nowMillis;
        this.firstRecordTime = firstRecordTime;
        this.firstSchema = firstValue == null ? null : firstValue.schema();
        this.file = Files.createTempFile(settings.bufferDir(), "object-", ".part");
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
        ObjectFormat.RecordEncoder opened;
        try {
            opened = settings.format().open(out, firstValue, settings.parquetCodec());
        } catch (IOException | RuntimeException e) {
            out.close();
            Files.deleteIfExists(file);
            throw e;
        }
        this.encoder = opened;
    }

    boolean accepts(Row value) {
        return encoder.accepts(value);
    }

    /** Appends one record; a RecordFormatException leaves the object as it was. */
    void write(SinkRecord record, Row value) throws IOException {
        encoder.write(record, value);
        lastOffset = record.offset();
        records++;
    }

    int records() {
        return records;
    }

    /** Finishes the file; what remains is to upload it. */
    ClosedObject close() throws IOException {
        encoder.finish();
        return new ClosedObject(key, file, startOffset, lastOffset, records);
    }

    void discard() {
        encoder.abandon();
        ClosedObject.delete(file);
    }

    /** A complete object waiting for its upload. */
    record ClosedObject(String key, Path file, long startOffset, long lastOffset, int records) {

        void discard() {
            delete(file);
        }

        static void delete(Path file) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the buffer folder is removed when the pipeline stops
            }
        }
    }
}
