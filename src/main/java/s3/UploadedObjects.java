package s3;


import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What a previous run already put in S3 beyond the committed Kafka offset: objects uploaded just before
 * a crash, whose offsets were never committed. Each object carries the offset of its last record as user
 * metadata, so the records it holds are known without reading it.
 */
public class UploadedObjects {

    /** User metadata key (sent as x-amz-meta-last-offset) holding the offset of an object's last record. */
    public static final String LAST_OFFSET = "last-offset";

    private final S3Client client;
    private final String bucket;
    private final String topicsDir;

    public UploadedObjects(S3Client client, String bucket, String topicsDir) {
        this.client = client;
        this.bucket = bucket;
        this.topicsDir = topicsDir;
    }

    /**
     * The offset of the last record already stored for this partition at or after {@code fromOffset}, or
     * -1 if none is. Keys sort by start offset (zero-padded), so only the last key needs a look.
     */
    public long lastStoredOffset(String topic, int partition, long fromOffset, String extension) {
        String first = S3ObjectNames.key(topicsDir, topic, partition, fromOffset, extension);
        String prefix = first.substring(0, first.lastIndexOf('+') + 1);
        String last = null;
        // start after the key just below fromOffset: the object starting at fromOffset itself is included
        String startAfter = fromOffset == 0 ? null : S3ObjectNames.key(topicsDir, topic, partition, fromOffset - 1, extension);
        for (S3Object object : client.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix).startAfter(startAfter)).contents()) {
            if (object.key().endsWith("." + extension)) {
                last = object.key();
            }
        }
        if (last == null) {
            return -1;
        }
        String key = last;
        String stored = client.headObject(r -> r.bucket(bucket).key(key)).metadata().get(LAST_OFFSET);
        if (stored == null) {
            throw new IllegalStateException("S3 object " + key + " has no " + LAST_OFFSET + " metadata: it was not written by "
                    + "this pipeline; move it away or reset the consumer group s3.group.id");
        }
        return Long.parseLong(stored);
    }

}
