package source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a table's capture stands: the last incrementing value that is safely in Kafka. Immutable; the
 * poller holds the committed one and only replaces it after the Kafka transaction carrying the rows
 * and the new offset committed.
 */
public record SourceOffset(long lastIncrementing) {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String INCREMENTING = "incrementing";

    /** Before the first row: every row has an incrementing value above this. */
    public static final SourceOffset START = new SourceOffset(Long.MIN_VALUE);

    public SourceOffset advancedTo(long incrementing) {
        if (incrementing < lastIncrementing) {
            throw new IllegalArgumentException("offset must not move back from " + lastIncrementing + " to " + incrementing);
        }
        return new SourceOffset(incrementing);
    }

    public String toJson() {
        ObjectNode node = MAPPER.createObjectNode();
        node.put(INCREMENTING, lastIncrementing);
        return node.toString();
    }

    public static SourceOffset fromJson(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.has(INCREMENTING) || !node.get(INCREMENTING).isIntegralNumber()) {
                throw new IllegalArgumentException("no incrementing value");
            }
            return new SourceOffset(node.get(INCREMENTING).asLong());
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("unreadable source offset '" + json + "': " + e.getMessage(), e);
        }
    }
}
