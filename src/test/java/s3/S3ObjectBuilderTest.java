package s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import sink.DeadLetters;
import sink.SinkRecord;

class S3ObjectBuilderTest {

    private static final S3ObjectBuilder.StoredOffsets NOTHING_STORED = (topic, partition, from, extension) -> -1;

    private static SinkRecord record(int partition, long offset, String value) {
        return new SinkRecord("P_USERS", partition, offset, "{\"index\":" + offset + "}", value);
    }

    private static String envelope(long index) {
        return "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"index\"}]},"
                + "\"payload\":{\"index\":" + index + "}}";
    }

    @Test
    void cutsEachPartitionIntoObjectsOfFlushSizeNamedByTheirFirstOffset() {
        List<SinkRecord> records = new ArrayList<>();
        for (long offset = 10; offset < 17; offset++) {
            records.add(record(0, offset, envelope(offset)));
        }
        records.add(record(1, 3, envelope(1003)));
        DeadLetters deadLetters = new DeadLetters(new DefaultCamelContext(), "s3-sink");

        List<S3ObjectBuilder.S3Object> objects = new S3ObjectBuilder("topics", 5, "none", true, NOTHING_STORED).build(records, deadLetters);

        assertThat(objects).extracting(S3ObjectBuilder.S3Object::key).containsExactly(
                "topics/P_USERS/partition=0/P_USERS+0+0000000010.json",
                "topics/P_USERS/partition=0/P_USERS+0+0000000015.json",
                "topics/P_USERS/partition=1/P_USERS+1+0000000003.json");
        assertThat(objects).extracting(S3ObjectBuilder.S3Object::records).containsExactly(5, 2, 1);
        assertThat(new String(objects.get(1).content(), StandardCharsets.UTF_8)).isEqualTo("{\"index\":15}\n{\"index\":16}\n");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aRecordThatIsNotJsonBecomesADeadLetterAndTheRestIsWritten() {
        List<SinkRecord> records = List.of(record(0, 0, envelope(0)), record(0, 1, "not json {"), record(0, 2, envelope(2)));
        DeadLetters deadLetters = new DeadLetters(new DefaultCamelContext(), "s3-sink");

        List<S3ObjectBuilder.S3Object> objects = new S3ObjectBuilder("topics", 5, "none", true, NOTHING_STORED).build(records, deadLetters);

        assertThat(objects).hasSize(1);
        assertThat(objects.get(0).records()).isEqualTo(2);
        assertThat(deadLetters.messages()).hasSize(1);
        assertThat(deadLetters.messages().get(0).getHeader(DeadLetters.ERROR_OFFSET)).isEqualTo("1");
        assertThat(deadLetters.messages().get(0).getHeader(DeadLetters.ERROR_REASON, String.class)).startsWith("not JSON");
    }

    @Test
    void gzipObjectsEndInJsonGzAndUnpackToTheLines() throws Exception {
        List<S3ObjectBuilder.S3Object> objects = new S3ObjectBuilder("topics", 5, "gzip", true, NOTHING_STORED)
                .build(List.of(record(0, 0, envelope(0))), new DeadLetters(new DefaultCamelContext(), "s3-sink"));

        assertThat(objects.get(0).key()).endsWith("+0000000000.json.gz");
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(objects.get(0).content()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"index\":0}\n");
        }
    }

    @Test
    void recordsAPreviousRunStoredButNeverCommittedAreNotWrittenAgain() {
        // a run uploaded offsets 10..13 as one object (scheduled rotation) and died before committing;
        // this run re-reads from 10 with a different rotation: 10..13 must not land in a second object
        List<Long> asked = new ArrayList<>();
        S3ObjectBuilder.StoredOffsets stored = (topic, partition, from, extension) -> {
            asked.add(from);
            return from == 10 ? 13 : -1;
        };
        S3ObjectBuilder builder = new S3ObjectBuilder("topics", 3, "none", true, stored);
        List<SinkRecord> replay = new ArrayList<>();
        for (long offset = 10; offset < 18; offset++) {
            replay.add(record(0, offset, envelope(offset)));
        }

        List<S3ObjectBuilder.S3Object> objects = builder.build(replay, new DeadLetters(new DefaultCamelContext(), "s3-sink"));

        assertThat(objects).extracting(S3ObjectBuilder.S3Object::key).containsExactly(
                "topics/P_USERS/partition=0/P_USERS+0+0000000014.json",
                "topics/P_USERS/partition=0/P_USERS+0+0000000017.json");
        assertThat(objects.get(0).metadata()).containsEntry(UploadedObjects.LAST_OFFSET, "16");
        // the next batch continues where this one ended: S3 is not asked again
        builder.build(List.of(record(0, 18, envelope(18))), new DeadLetters(new DefaultCamelContext(), "s3-sink"));
        assertThat(asked).containsExactly(10L);
    }
}
