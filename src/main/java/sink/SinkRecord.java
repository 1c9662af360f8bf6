package sink;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import record.RecordFormatException;

/**
 * One Kafka record as a sink sees it: where it came from, its timestamp (epoch milliseconds), and its key
 * and value as they were on Kafka (either may be null). The text of each is decoded once, strictly: bytes
 * that are not UTF-8 make {@link #key()} or {@link #value()} throw, never turn into replacement characters,
 * so a broken record goes to the dead-letter topic with its original bytes instead of becoming a column or
 * a line.
 */
public final class SinkRecord {

    private final String topic;
    private final int partition;
    private final long offset;
    private final long timestamp;
    private final byte[] keyBytes;
    private final byte[] valueBytes;
    private final Object key;   // the text, or the RecordFormatException that says why there is none
    private final Object value;

    public SinkRecord(String topic, int partition, long offset, long timestamp, byte[] keyBytes, byte[] valueBytes) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.keyBytes = keyBytes;
        this.valueBytes = valueBytes;
        this.key = decode(keyBytes, "key");
        this.value = decode(valueBytes, "value");
    }

    /** A record whose key and value are text (tests, and records made inside the pipeline). */
    public static SinkRecord of(String topic, int partition, long offset, long timestamp, String key, String value) {
        return new SinkRecord(topic, partition, offset, timestamp,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public long timestamp() {
        return timestamp;
    }

    /** The key's bytes as they were on Kafka (null for none). */
    public byte[] keyBytes() {
        return keyBytes;
    }

    /** The value's bytes as they were on Kafka (null for a tombstone). */
    public byte[] valueBytes() {
        return valueBytes;
    }

    /** The key's text (null for none); a RecordFormatException if its bytes are not UTF-8. */
    public String key() {
        return text(key);
    }

    /** The value's text (null for a tombstone); a RecordFormatException if its bytes are not UTF-8. */
    public String value() {
        return text(value);
    }

    public boolean isTombstone() {
        return valueBytes == null;
    }

    public String coordinates() {
        return topic + "-" + partition + "@" + offset;
    }

    private static String text(Object decoded) {
        if (decoded instanceof RecordFormatException problem) {
            throw problem;
        }
        return (String) decoded;
    }

    /**
     * Java's String constructor replaces malformed bytes with U+FFFD and is several times faster than a
     * reporting decoder (it has an intrinsic for ASCII): use it, and only when the text holds a U+FFFD,
     * which a record may also contain legitimately, decode again strictly to tell which it was.
     */
    static Object decode(byte[] bytes, String part) {
        if (bytes == null) {
            return null;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) {
            return text;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new RecordFormatException("the " + part + " is not valid UTF-8 (a malformed byte sequence at byte "
                    + firstMalformedByte(bytes) + " of " + bytes.length + ")");
        }
    }

    private static int firstMalformedByte(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        decoder.decode(in, out, true);
        return in.position();
    }
}
