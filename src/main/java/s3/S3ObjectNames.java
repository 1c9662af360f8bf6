package s3;

/**
 * Object keys as the Kafka Connect S3 sink names them:
 * {@code <topics dir>/<topic>/partition=<p>/<topic>+<p>+<start offset, 10 digits>.<extension>}. A pure
 * function of topic, partition and start offset, so rewriting an object after a retry replaces it
 * instead of adding a second copy.
 */
public final class S3ObjectNames {

    private S3ObjectNames() {
    }

    public static String key(String topicsDir, String topic, int partition, long startOffset, String extension) {
        if (startOffset < 0) {
            throw new IllegalArgumentException("start offset must not be negative: " + startOffset);
        }
        String dir = topicsDir.isEmpty() ? "" : stripSlashes(topicsDir) + "/";
        return dir + topic + "/partition=" + partition + "/" + topic + "+" + partition + "+"
                + String.format("%010d", startOffset) + "." + extension;
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
