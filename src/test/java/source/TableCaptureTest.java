package source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import progress.PipelineProgress;
import record.ConnectJson;

/**
 * What a source route sends for the rows a poll read, and when its offset becomes the committed one:
 * only after the Kafka transaction committed. The offsets topic is an in-memory map here.
 */
class TableCaptureTest {

    private static final CamelContext CAMEL = new DefaultCamelContext();

    /** The offsets topic as the capture reads it: what was committed, and how often it was read. */
    private static final class OffsetsTopic extends OffsetStore {
        final Map<String, SourceOffset> committed = new HashMap<>();
        int reads;

        OffsetsTopic() {
            super("offsets", new Properties());
        }

        @Override
        public Map<String, SourceOffset> loadAll() {
            reads++;
            return new HashMap<>(committed);
        }
    }

    private final OffsetsTopic offsets = new OffsetsTopic();
    private final PipelineProgress progress = new PipelineProgress();
    private final TableCapture capture = new TableCapture(null,
            new SourceTableSettings(CaptureMode.INCREMENTING, "USERS", null, "USERS", "P_USERS", "index", "timestamp", 3, 0, false, true),
            new ConnectJson(true), offsets, progress);

    private static TableCapture.ReadRow row(long index, boolean settled) {
        return new TableCapture.ReadRow("{\"id\":" + index + "}", "{\"index\":" + index + "}", new SourceOffset.Position(null, index), settled);
    }

    /** The parameters the next poll binds: (incrementing, limit). */
    private List<Object> nextPoll() {
        Iterator<?> parameters = capture.createPopulateIterator(capture.query(), capture.query(), 2, null, null);
        List<Object> values = new ArrayList<>();
        parameters.forEachRemaining(values::add);
        return values;
    }

    /** The route step for one poll's rows; the exchange keeps the step's completion callbacks. */
    private Exchange poll(List<TableCapture.ReadRow> rows) throws Exception {
        nextPoll();
        Exchange exchange = new DefaultExchange(CAMEL);
        exchange.getExchangeExtension().setFromRouteId("source-USERS");
        exchange.getMessage().setBody(rows);
        exchange.getMessage().setBody(capture.toRecords(exchange));
        return exchange;
    }

    /** camel-kafka ended the transaction: committed, or not (the exchange then carries the failure). */
    private static void transactionEnded(Exchange exchange, Exception failure) {
        List<Synchronization> callbacks = exchange.getExchangeExtension().handoverCompletions();
        if (failure == null) {
            callbacks.forEach(callback -> callback.onComplete(exchange));
        } else {
            exchange.setException(failure);
            callbacks.forEach(callback -> callback.onFailure(exchange));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Message> sent(Exchange exchange) {
        return exchange.getMessage().getBody(List.class);
    }

    @Test
    void aPollSendsItsRowsAndThenItsOffsetAndTheOffsetMovesOnlyWhenKafkaCommitted() throws Exception {
        assertThat(nextPoll()).containsExactly(Long.MIN_VALUE, 3);
        Exchange first = poll(List.of(row(1, true), row(2, true), row(3, true)));
        List<Message> messages = sent(first);
        assertThat(messages).hasSize(4);
        assertThat(messages.subList(0, 3)).extracting(m -> m.getBody(String.class))
                .containsExactly("{\"index\":1}", "{\"index\":2}", "{\"index\":3}");
        assertThat(messages.get(0).getHeader(KafkaConstants.KEY)).isEqualTo("{\"id\":1}");
        assertThat(messages.get(0).getHeader(KafkaConstants.OVERRIDE_TOPIC)).as("rows go to the route's topic").isNull();
        Message offset = messages.get(3);
        assertThat(offset.getHeader(KafkaConstants.OVERRIDE_TOPIC)).isEqualTo("offsets");
        assertThat(offset.getHeader(KafkaConstants.KEY)).isEqualTo("table:USERS");
        assertThat(offset.getBody(String.class)).isEqualTo("{\"incrementing\":3}");

        assertThat(nextPoll()).as("not committed yet").containsExactly(Long.MIN_VALUE, 3);
        transactionEnded(first, null);
        assertThat(nextPoll()).containsExactly(3L, 3);
        assertThat(progress.total("source-USERS written")).isEqualTo(3);
        assertThat(offsets.reads).as("read from Kafka once, at the first poll").isEqualTo(1);
    }

    @Test
    void aTransactionThatDidNotCommitSendsTheSameRowsAgainFromWhatKafkaHolds() throws Exception {
        offsets.committed.put("table:USERS", new SourceOffset(new SourceOffset.Position(null, 3L), List.of()));
        Exchange failed = poll(List.of(row(4, true), row(5, true)));
        transactionEnded(failed, new IllegalStateException("Producer has been fenced"));
        assertThat(progress.total("source-USERS written")).isZero();
        assertThat(progress.total("source-USERS errors")).isEqualTo(1);

        assertThat(nextPoll()).as("the offset Kafka holds, read again").containsExactly(3L, 3);
        assertThat(offsets.reads).isEqualTo(2);
    }

    @Test
    void rowsCommittedOutOfOrderAreSentOnceAndTheOffsetWaitsForTheOlderTransaction() throws Exception {
        // 4 is settled; 6 and 7 committed while the transaction that inserts 5 is still open
        Exchange first = poll(List.of(row(4, true), row(6, false), row(7, false)));
        assertThat(sent(first)).hasSize(4);
        assertThat(sent(first).get(3).getBody(String.class))
                .isEqualTo("{\"incrementing\":4,\"ahead\":[{\"incrementing\":6,\"key\":\"{\\\"id\\\":6}\"},"
                        + "{\"incrementing\":7,\"key\":\"{\\\"id\\\":7}\"}]}");
        transactionEnded(first, null);
        assertThat(nextPoll()).as("the limit leaves room for the rows ahead").containsExactly(4L, 5);

        // 5 committed: it is read (after the safe point) with 6 and 7 again, which are not sent twice
        Exchange second = poll(List.of(row(5, true), row(6, true), row(7, true), row(8, true)));
        assertThat(sent(second)).extracting(m -> m.getBody(String.class))
                .containsExactly("{\"index\":5}", "{\"index\":8}", "{\"incrementing\":8}");
        transactionEnded(second, null);
        assertThat(nextPoll()).containsExactly(8L, 3);
    }

    @Test
    void rowsAlreadySentAndStillUnsettledSendNothingAndTheNextPollWaits() throws Exception {
        Exchange first = poll(List.of(row(4, true), row(6, false)));
        transactionEnded(first, null);
        assertThat(capture.polls().begin(null, null)).as("the batch did not fill up").isFalse();

        Exchange again = poll(List.of(row(6, false)));
        assertThat(sent(again)).isEmpty();
        assertThat(capture.polls().begin(null, null)).isFalse();
        assertThat(capture.polls().begin(null, null)).isTrue();
    }
}
