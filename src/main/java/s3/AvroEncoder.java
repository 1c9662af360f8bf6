package s3;

import java.io.IOException;
import java.io.OutputStream;

import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import record.RecordSchema;

/** An Avro object container file: the schema in its header, records in deflate-compressed blocks. */
final class AvroEncoder extends AvroRecordEncoder {

    private final DataFileWriter<GenericRecord> writer;

    AvroEncoder(OutputStream out, RecordSchema recordSchema) throws IOException {
        super(recordSchema);
        this.writer = new DataFileWriter<GenericRecord>(new GenericDatumWriter<>(schema))
                .setCodec(CodecFactory.deflateCodec(CodecFactory.DEFAULT_DEFLATE_LEVEL))
                .create(schema, out);
    }

    @Override
    protected void append(GenericRecord record) throws IOException {
        writer.append(record);
    }

    @Override
    public void finish() throws IOException {
        writer.close();
    }
}
