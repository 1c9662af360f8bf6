package s3;

import java.util.ArrayList;
import java.util.List;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What a previous run already put in S3 beyond the committed Kafka offset: objects uploaded before a
 * crash, whose offsets were never committed. Each object carries the offset of its last record as user
 * metadata, so the records it holds are known without reading it.
 */
public class UploadedObjects {

    /** User metadata key (sent as x-amz-meta-last-offset) holding the offset of an object's last record. */
    public static final String LAST_OFFSET = "last-offset";

    /** The offsets one stored object holds: every record of its Kafka partition and folder from first to last. */
    public record StoredRange(String key, long first, long last) {

        public boolean holds(long offset) {
            return offset >= first && offset <= last;
        }
    }

    private final S3Client client;
    private final String bucket;
    private final String topicsDir;

    public UploadedObjects(S3Client client, String bucket, String topicsDir) {
        this.client = client;
        this.bucket = bucket;
        this.topicsDir = topicsDir;
    }

    /**
     * The objects of one Kafka partition in one folder that start at or after {@code fromOffset}. Keys
     * sort by start offset (zero-padded), so the listing starts right there however many older objects
     * the folder holds.
     */
    public List<StoredRange> storedFrom(String topic, int partition, String encodedPartition, long fromOffset, String extension) {
        String prefix = S3ObjectNames.prefix(topicsDir, topic, encodedPartition, partition);
        // start after the key just below fromOffset: the object starting at fromOffset itself is included
        String startAfter = fromOffset == 0 ? null : S3ObjectNames.key(topicsDir, topic, encodedPartition, partition, fromOffset - 1, extension);
        List<StoredRange> ranges = new ArrayList<>();
        for (S3Object object : client.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix).startAfter(startAfter)).contents()) {
            String key = object.key();
            if (!key.endsWith("." + extension)) {
                continue;
            }
            String stored = client.headObject(r -> r.bucket(bucket).key(key)).metadata().get(LAST_OFFSET);
            if (stored == null) {
                throw new IllegalStateException("S3 object " + key + " has no " + LAST_OFFSET + " metadata: it was not written by "
                        + "this pipeline; move it away or reset the consumer group s3.group.id");
            }
            long first = Long.parseLong(key.substring(prefix.length(), key.length() - extension.length() - 1));
            ranges.add(new StoredRange(key, first, Long.parseLong(stored)));
        }
        return ranges;
    }
}
