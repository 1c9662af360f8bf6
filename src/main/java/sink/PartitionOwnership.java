package sink;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.component.kafka.consumer.support.subcription.DefaultSubscribeAdapter;
import org.apache.camel.component.kafka.consumer.support.subcription.SubscribeAdapter;
import org.apache.camel.component.kafka.consumer.support.subcription.TopicInfo;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells a sink when its consumer group takes partitions away from it or gives them to it, and keeps which
 * partitions each group's consumer holds on this instance (the console and /metrics show them). camel-kafka
 * looks this adapter up by the name {@value #BEAN_NAME} and subscribes every consumer through it; the
 * sink's listener runs on the consumer's thread, inside the poll that rebalances, before another
 * instance can start on those partitions.
 */
public final class PartitionOwnership implements SubscribeAdapter {

    public static final String BEAN_NAME = "subscribeAdapter";

    /** What a sink does when it loses or gets partitions. */
    public interface Listener {
        void partitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions);

        void partitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions);
    }

    private final SubscribeAdapter delegate = new DefaultSubscribeAdapter();
    private static final Listener NOTHING = new Listener() {
        @Override
        public void partitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        }

        @Override
        public void partitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        }
    };

    private final Map<String, Listener> listenersByGroup = new ConcurrentHashMap<>();
    // by group, then by consumer: two consumers of one group here (consumersCount) each keep their own
    private final Map<String, Map<Consumer<?, ?>, Set<TopicPartition>>> heldByGroup = new ConcurrentHashMap<>();

    public void listen(String groupId, Listener listener) {
        listenersByGroup.put(groupId, listener);
    }

    /** The partitions the consumer of {@code groupId} holds on this instance now, by topic and partition. */
    public SortedSet<TopicPartition> held(String groupId) {
        SortedSet<TopicPartition> held = new TreeSet<>(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        heldByGroup.getOrDefault(groupId, Map.of()).values().forEach(held::addAll);
        return held;
    }

    @Override
    public void subscribe(Consumer<?, ?> consumer, ConsumerRebalanceListener camelListener, TopicInfo topicInfo) {
        String groupId = consumer.groupMetadata().groupId();
        Listener listener = listenersByGroup.getOrDefault(groupId, NOTHING);
        // a consumer's entry goes when it holds nothing (so a closed one is not kept), and comes back with its next assignment
        Map<Consumer<?, ?>, Set<TopicPartition>> consumers = heldByGroup.computeIfAbsent(groupId, g -> new ConcurrentHashMap<>());
        java.util.function.Consumer<Collection<TopicPartition>> released = partitions -> consumers.computeIfPresent(consumer,
                (c, held) -> {
                    held.removeAll(partitions);
                    return held.isEmpty() ? null : held;
                });
        delegate.subscribe(consumer, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                released.accept(partitions);
                listener.partitionsRevoked(consumer, partitions);
                camelListener.onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                released.accept(partitions);
                listener.partitionsRevoked(consumer, partitions);
                camelListener.onPartitionsLost(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                camelListener.onPartitionsAssigned(partitions);
                listener.partitionsAssigned(consumer, partitions);
                // an empty assignment keeps no entry: Kafka tells a consumer that holds nothing nothing when it closes
                consumers.compute(consumer, (c, held) -> {
                    Set<TopicPartition> now = held == null ? ConcurrentHashMap.newKeySet() : held;
                    now.addAll(partitions);
                    return now.isEmpty() ? null : now;
                });
            }
        }, topicInfo);
    }
}
