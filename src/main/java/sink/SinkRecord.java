package sink;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import record.RecordFormatException;

/**
 * One Kafka record as a sink sees it: where it came from, its timestamp (epoch milliseconds), and its key
 * and value as they were on Kafka (either may be null). Their text is decoded strictly when asked for:
 * bytes that are not UTF-8 make {@link #key()} or {@link #value()} throw, never turn into replacement
 * characters, so a broken record goes to the dead-letter topic with its original bytes instead of becoming
 * a column or a line. The text is not kept: a batch holds each record once, as bytes (keeping both made the
 * S3 sink's heap peak at 150 MB instead of 80 MB in the benchmark), and each sink reads it once.
 *
 * @param keyBytes    the key's bytes as they were on Kafka (null for none)
 * @param valueBytes  the value's bytes as they were on Kafka (null for a tombstone); a dead letter carries these
 * @param transformed what the flow's transforms made of the value, or null when none ran on it (the sink reads the
 *                    value itself)
 */
public record SinkRecord(String topic, int partition, long offset, long timestamp, byte[] keyBytes, byte[] valueBytes,
                         Transformed transformed) {

    /**
     * The value after the flow's transforms ({@code transform.Transforms}).
     *
     * @param value   the changed value (schema and payload), when the record is kept
     * @param dropped a Filter dropped the record: nothing of it is written, and its offset is committed
     * @param failure why a transform could not handle the record: it becomes a dead letter with its original bytes
     */
    public record Transformed(record.Row value, boolean dropped, String failure) {
    }

    public SinkRecord(String topic, int partition, long offset, long timestamp, byte[] keyBytes, byte[] valueBytes) {
        this(topic, partition, offset, timestamp, keyBytes, valueBytes, null);
    }

    /** A record whose key and value are text (tests, and records made inside the pipeline). */
    public static SinkRecord of(String topic, int partition, long offset, long timestamp, String key, String value) {
        return new SinkRecord(topic, partition, offset, timestamp,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** The key's text (null for none); a RecordFormatException if its bytes are not UTF-8. */
    public String key() {
        return decode(keyBytes, "key");
    }

    /** The value's text (null for a tombstone); a RecordFormatException if its bytes are not UTF-8. */
    public String value() {
        return decode(valueBytes, "value");
    }

    /** Throws like {@link #key()} when the key is not UTF-8, without building its text (the S3 sink stores no key). */
    public void requireUtf8Key() {
        if (keyBytes != null && !isAscii(keyBytes)) {
            decode(keyBytes, "key");
        }
    }

    public boolean isTombstone() {
        return valueBytes == null;
    }

    public String coordinates() {
        return topic + "-" + partition + "@" + offset;
    }

    /**
     * Java's String constructor replaces malformed bytes with U+FFFD and is several times faster than a
     * reporting decoder (it has an intrinsic for ASCII): use it, and only when the text holds a U+FFFD,
     * which a record may also contain legitimately, decode again strictly to tell which it was.
     */
    public static String decode(byte[] bytes, String part) {
        if (bytes == null) {
            return null;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) {
            return text;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(in, out, true);
        if (result.isError()) {
            throw new RecordFormatException("the " + part + " is not valid UTF-8 (a malformed byte sequence at byte "
                    + in.position() + " of " + bytes.length + ")");
        }
        return text; // every U+FFFD was in the record itself: the lenient text is the strict one
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }
}
