package s3;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import record.ConnectJson;
import record.Row;
import sink.SinkRecord;

/** One JSON object (the record's payload, without its schema) per line, optionally gzip compressed. */
final class JsonLinesEncoder implements ObjectFormat.RecordEncoder {

    private final OutputStream out;

    JsonLinesEncoder(OutputStream out, boolean gzip) throws IOException {
        this.out = gzip ? new GZIPOutputStream(out, 64 * 1024) : out;
    }

    @Override
    public boolean accepts(Row value) {
        return true; // a line needs no schema: records of any shape share an object
    }

    @Override
    public void write(SinkRecord record, Row value) throws IOException {
        // cut from the record text as it is: no tree, no re-serialization (RecordFormatException if not JSON); a value
        // the flow's transforms changed is written from what they made
        String payload = record.transformed() != null ? ConnectJson.payloadLine(value) : ConnectJson.payloadLine(record.value());
        byte[] line = payload.getBytes(StandardCharsets.UTF_8);
        out.write(line);
        out.write('\n');
    }

    @Override
    public void finish() throws IOException {
        out.close();
    }

    @Override
    public void abandon() {
        try {
            out.close();
        } catch (IOException ignored) {
            // the object is being thrown away
        }
    }
}
