package sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;

import org.apache.camel.component.kafka.consumer.support.subcription.TopicInfo;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What the console and /metrics show as the partitions a sink holds here, through Kafka's own rebalance callbacks. */
class PartitionOwnershipTest {

    private static final TopicPartition P0 = new TopicPartition("P_USERS", 0);
    private static final TopicPartition P1 = new TopicPartition("P_USERS", 1);
    private static final TopicPartition P2 = new TopicPartition("P_USERS", 2);
    private static final ConsumerRebalanceListener CAMEL = new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        }
    };

    private static MockConsumer<byte[], byte[]> consumer(PartitionOwnership ownership, String group) {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST) {
            @Override
            public synchronized org.apache.kafka.clients.consumer.ConsumerGroupMetadata groupMetadata() {
                return new org.apache.kafka.clients.consumer.ConsumerGroupMetadata(group);
            }
        };
        ownership.subscribe(consumer, CAMEL, new TopicInfo(null, "P_USERS"));
        return consumer;
    }

    @Test
    void eachConsumerOfAGroupKeepsItsOwnPartitionsAndTheGroupShowsTheirUnion() {
        PartitionOwnership ownership = new PartitionOwnership();
        MockConsumer<byte[], byte[]> first = consumer(ownership, "mysql");
        MockConsumer<byte[], byte[]> second = consumer(ownership, "mysql");
        first.rebalance(List.of(P0, P1));
        assertThat(ownership.held("mysql")).containsExactly(P0, P1);
        // the group moves P1 to the other consumer: whichever callback runs first, P1 stays held here
        second.rebalance(List.of(P1));
        first.rebalance(List.of(P0));
        assertThat(ownership.held("mysql")).containsExactly(P0, P1);
        second.rebalance(List.of(P1, P2));
        assertThat(ownership.held("mysql")).containsExactly(P0, P1, P2);
        // both give everything up (closed, or the partitions went to another instance): nothing is held, nothing kept
        first.rebalance(List.of());
        second.rebalance(List.of());
        assertThat(ownership.held("mysql")).isEmpty();
        assertThat(ownership.held("s3")).isEmpty();
    }

    @Test
    void theSinkListenerOfItsGroupHearsEveryChange() {
        PartitionOwnership ownership = new PartitionOwnership();
        List<String> heard = new java.util.ArrayList<>();
        ownership.listen("s3", new PartitionOwnership.Listener() {
            @Override
            public void partitionsRevoked(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
                heard.add("revoked " + partitions);
            }

            @Override
            public void partitionsAssigned(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
                heard.add("assigned " + partitions);
            }
        });
        MockConsumer<byte[], byte[]> s3 = consumer(ownership, "s3");
        s3.rebalance(List.of(P0));
        s3.rebalance(List.of(P1));
        assertThat(heard).containsExactly("assigned [P_USERS-0]", "revoked [P_USERS-0]", "assigned [P_USERS-1]");
        assertThat(ownership.held("s3")).containsExactly(P1);
        assertThat(ownership.held("mysql")).isEmpty();
    }
}
