package s3;

/**
 * Object keys as the Kafka Connect S3 sink names them:
 * {@code <topics dir>/<topic>/<encoded partition>/<topic>+<kafka partition>+<start offset, 10 digits>.<extension>},
 * where the encoded partition is the partitioner's folder ({@code partition=0}, {@code country=FR},
 * {@code year=2026/month=11/day=25/hour=14}). A pure function of its inputs, so rewriting an object after
 * a retry replaces it instead of adding a second copy.
 */
public final class S3ObjectNames {

    private S3ObjectNames() {
    }

    /** The key under the default partitioner ({@code partition=<n>}). */
    public static String key(String topicsDir, String topic, int partition, long startOffset, String extension) {
        return key(topicsDir, topic, DefaultPartitioner.folder(partition), partition, startOffset, extension);
    }

    public static String key(String topicsDir, String topic, String encodedPartition, int partition, long startOffset,
                             String extension) {
        if (startOffset < 0) {
            throw new IllegalArgumentException("start offset must not be negative: " + startOffset);
        }
        return prefix(topicsDir, topic, encodedPartition, partition) + String.format("%010d", startOffset) + "." + extension;
    }

    /** What every key of one Kafka partition in one encoded partition starts with: the listing prefix. */
    public static String prefix(String topicsDir, String topic, String encodedPartition, int partition) {
        return folder(topicsDir, topic, encodedPartition) + topic + "+" + partition + "+";
    }

    /** The folder of one encoded partition, ending with a slash. */
    public static String folder(String topicsDir, String topic, String encodedPartition) {
        String dir = topicsDir.isEmpty() ? "" : stripSlashes(topicsDir) + "/";
        return dir + topic + "/" + encodedPartition + "/";
    }

    private static String stripSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }
}
