package source;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a table's capture stands. {@code position} is the safe point: every row at or before it is in
 * Kafka, and no transaction still in flight can add one there. {@code ahead} lists rows already sent
 * beyond that point (their transaction committed while an older one was still open), so they are not
 * sent twice while the safe point waits for the older transaction. Immutable: the poller replaces the
 * committed offset only after the Kafka transaction carrying the rows and the new offset committed.
 */
public record SourceOffset(Position position, List<Sent> ahead) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A place in the table's order: (timestamp, incrementing), either part unused by some modes. */
    public record Position(LocalDateTime timestamp, Long incrementing) implements Comparable<Position> {

        public static final Position START = new Position(null, null);

        private static final Comparator<Position> ORDER = Comparator
                .comparing(Position::timestamp, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(Position::incrementing, Comparator.nullsFirst(Comparator.naturalOrder()));

        @Override
        public int compareTo(Position other) {
            return ORDER.compare(this, other);
        }
    }

    /** A row sent beyond the safe point: its place, and its identity (the record key). */
    public record Sent(Position position, String key) {
    }

    public static final SourceOffset START = new SourceOffset(Position.START, List.of());

    public SourceOffset {
        Objects.requireNonNull(position);
        ahead = List.copyOf(ahead);
    }

    public boolean wasSent(String key) {
        return ahead.stream().anyMatch(sent -> sent.key().equals(key));
    }

    /** The offset after moving the safe point to {@code newPosition} and recording {@code newlyAhead}. */
    public SourceOffset advancedTo(Position newPosition, List<Sent> newlyAhead) {
        if (newPosition.compareTo(position) < 0) {
            throw new IllegalArgumentException("offset must not move back from " + position + " to " + newPosition);
        }
        List<Sent> stillAhead = new ArrayList<>();
        for (Sent sent : ahead) {
            if (sent.position().compareTo(newPosition) > 0) {
                stillAhead.add(sent);
            }
        }
        for (Sent sent : newlyAhead) {
            if (sent.position().compareTo(newPosition) > 0) {
                stillAhead.add(sent);
            }
        }
        return new SourceOffset(newPosition, stillAhead);
    }

    public String toJson() {
        ObjectNode node = MAPPER.createObjectNode();
        write(node, position);
        if (!ahead.isEmpty()) {
            ArrayNode list = node.putArray("ahead");
            for (Sent sent : ahead) {
                ObjectNode item = list.addObject();
                write(item, sent.position());
                item.put("key", sent.key());
            }
        }
        return node.toString();
    }

    private static void write(ObjectNode node, Position position) {
        if (position.timestamp() != null) {
            node.put("timestamp", position.timestamp().toString());
        }
        if (position.incrementing() != null) {
            node.put("incrementing", position.incrementing());
        }
    }

    public static SourceOffset fromJson(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("not an object");
            }
            List<Sent> ahead = new ArrayList<>();
            for (JsonNode item : node.path("ahead")) {
                ahead.add(new Sent(read(item), item.path("key").asText()));
            }
            return new SourceOffset(read(node), ahead);
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("unreadable source offset '" + json + "': " + e.getMessage(), e);
        }
    }

    private static Position read(JsonNode node) {
        JsonNode incrementing = node.get("incrementing");
        if (incrementing != null && !incrementing.isIntegralNumber()) {
            throw new IllegalArgumentException("incrementing is not a whole number");
        }
        JsonNode timestamp = node.get("timestamp");
        return new Position(timestamp == null ? null : LocalDateTime.parse(timestamp.asText()),
                incrementing == null ? null : incrementing.asLong());
    }
}
