package s3;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

import record.Row;
import sink.SinkRecord;

/** What an object's bytes are: JSON lines (optionally gzip), an Avro container file or a Parquet file. */
public enum ObjectFormat {
    JSON("json", false),
    JSON_GZIP("json.gz", false),
    AVRO("avro", true),
    PARQUET("parquet", true);

    private final String extension;
    private final boolean needsValue;

    ObjectFormat(String extension, boolean needsValue) {
        this.extension = extension;
        this.needsValue = needsValue;
    }

    /** From s3.format and s3.compression.type (gzip applies to json; Avro files are compressed per block). */
    public static ObjectFormat of(String format, String compression) {
        boolean gzip = switch (compression.trim().toLowerCase(Locale.ROOT)) {
            case "none", "" -> false;
            case "gzip" -> true;
            default -> throw new IllegalArgumentException("s3.compression.type must be none or gzip, was '" + compression + "'");
        };
        return switch (format.trim().toLowerCase(Locale.ROOT)) {
            case "json" -> gzip ? JSON_GZIP : JSON;
            case "avro" -> AVRO;
            case "parquet" -> PARQUET;
            default -> throw new IllegalArgumentException("s3.format must be json, avro or parquet, was '" + format + "'");
        };
    }

    public String extension() {
        return extension;
    }

    /** Whether each record's value must be parsed into typed fields (Avro) rather than copied as text (JSON). */
    public boolean needsValue() {
        return needsValue;
    }

    /**
     * Starts writing one object to {@code out}; {@code first} is the value of its first record (null for
     * JSON); {@code parquetCodec} is Parquet's column compression.
     */
    public RecordEncoder open(OutputStream out, Row first, String parquetCodec) throws IOException {
        return switch (this) {
            case JSON -> new JsonLinesEncoder(out, false);
            case JSON_GZIP -> new JsonLinesEncoder(out, true);
            case AVRO -> new AvroEncoder(out, first.schema());
            case PARQUET -> new ParquetEncoder(out, first.schema(), parquetCodec);
        };
    }

    /** Parquet needs jars the default build leaves out (see pom.xml): whether they are here. */
    public static boolean parquetAvailable() {
        try {
            Class.forName("org.apache.parquet.avro.AvroParquetWriter", false, ObjectFormat.class.getClassLoader());
            Class.forName("org.apache.hadoop.conf.Configuration", false, ObjectFormat.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Writes the records of one object, in order. */
    public interface RecordEncoder {

        /**
         * Whether this record can go into this object; false when its schema differs from the object's
         * (Avro keeps one schema per file), which closes the object and opens another.
         */
        boolean accepts(Row value);

        /** Writes one record; a RecordFormatException, with nothing written, if it does not fit the format. */
        void write(SinkRecord record, Row value) throws IOException;

        /** Writes what the format puts at the end and closes the stream. */
        void finish() throws IOException;

        /** Closes the stream without finishing (the object is thrown away). */
        void abandon();
    }
}
