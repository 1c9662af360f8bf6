package s3;

import java.io.IOException;
import java.io.OutputStream;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import record.RecordSchema;

/**
 * A Parquet file, through parquet-avro with the same Avro schema the avro format uses. Parquet keeps a
 * row group in memory until it is full, so {@link #ROW_GROUP_BYTES} bounds the memory of each open
 * object (the file itself goes to the buffer file as row groups complete).
 */
final class ParquetEncoder extends AvroRecordEncoder {

    static final int ROW_GROUP_BYTES = 8 * 1024 * 1024;

    private final ParquetWriter<GenericRecord> writer;

    ParquetEncoder(OutputStream out, RecordSchema recordSchema, String codec) throws IOException {
        super(recordSchema);
        this.writer = AvroParquetWriter.<GenericRecord>builder(new StreamOutputFile(out))
                .withConf(new PlainParquetConfiguration())
                .withSchema(schema)
                .withDataModel(GenericData.get())
                .withCompressionCodec(CompressionCodecName.valueOf(codec.toUpperCase(java.util.Locale.ROOT)))
                .withRowGroupSize((long) ROW_GROUP_BYTES)
                .build();
    }

    @Override
    protected void append(GenericRecord record) throws IOException {
        writer.write(record);
    }

    @Override
    public void finish() throws IOException {
        writer.close();
    }

    /** Parquet writes to an OutputFile; this one is the object's buffer stream, counting its position. */
    private record StreamOutputFile(OutputStream out) implements OutputFile {

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            return new PositionOutputStream() {
                private long position;

                @Override
                public long getPos() {
                    return position;
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    position++;
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    out.write(bytes, offset, length);
                    position += length;
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    out.close();
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }
    }
}
