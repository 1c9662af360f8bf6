package mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.SavepointManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;

/** When the MySQL sink's transaction commits, rolls back and returns to a savepoint, without MySQL. */
class MySqlTransactionTest {

    private static final CamelContext CAMEL = new DefaultCamelContext();

    /** Records what a connection would be told; a savepoint is the number of statements kept at that point. */
    private static final class RecordingTransactions extends AbstractPlatformTransactionManager {
        final List<String> calls = new ArrayList<>();
        final List<String> statements = new ArrayList<>();
        List<String> committed = List.of();
        boolean failCommit;
        boolean failRollback;

        RecordingTransactions() {
            setNestedTransactionAllowed(true);
        }

        @Override
        protected Object doGetTransaction() {
            // the status hands savepoints to its transaction object, as a JDBC transaction does to its connection
            return new SavepointManager() {
                @Override
                public Object createSavepoint() {
                    return statements.size();
                }

                @Override
                public void rollbackToSavepoint(Object savepoint) {
                    statements.subList((Integer) savepoint, statements.size()).clear();
                }

                @Override
                public void releaseSavepoint(Object savepoint) {
                    // nothing to free
                }
            };
        }

        @Override
        protected void doBegin(Object transaction, TransactionDefinition definition) {
            calls.add("begin");
            statements.clear();
        }

        @Override
        protected void doCommit(DefaultTransactionStatus status) {
            if (failCommit) {
                throw new TransactionSystemException("Communications link failure during commit");
            }
            calls.add("commit");
            committed = List.copyOf(statements);
        }

        @Override
        protected void doRollback(DefaultTransactionStatus status) {
            if (failRollback) {
                throw new TransactionSystemException("connection already closed");
            }
            calls.add("rollback");
            statements.clear();
        }
    }

    private final RecordingTransactions transactions = new RecordingTransactions();
    private final MySqlTransaction policy = new MySqlTransaction(transactions);

    @Test
    void stepsThatSucceedAreCommittedOnce() {
        Exchange exchange = new DefaultExchange(CAMEL);
        policy.inTransaction(exchange, e -> {
            transactions.statements.add("insert group 1");
            transactions.statements.add("insert group 2");
        });
        assertThat(transactions.calls).containsExactly("begin", "commit");
        assertThat(transactions.committed).containsExactly("insert group 1", "insert group 2");
        assertThat(exchange.getException()).isNull();
        assertThat(exchange.getProperty(MySqlTransaction.STATUS)).as("no status left on the exchange").isNull();
    }

    @Test
    void aStepThatThrowsOrLeavesAnExceptionRollsEverythingBack() {
        Exchange thrown = new DefaultExchange(CAMEL);
        policy.inTransaction(thrown, e -> {
            transactions.statements.add("insert group 1");
            throw new IllegalStateException("MySQL went away");
        });
        assertThat(thrown.getException()).hasMessage("MySQL went away");

        Exchange failed = new DefaultExchange(CAMEL);
        policy.inTransaction(failed, e -> {
            transactions.statements.add("insert group 1");
            e.setException(new IllegalStateException("a split step failed"));
        });
        assertThat(failed.getException()).hasMessage("a split step failed");
        assertThat(transactions.calls).containsExactly("begin", "rollback", "begin", "rollback");
        assertThat(transactions.committed).isEmpty();
    }

    @Test
    void anErrorRollsBackBeforeItLeavesSoNoTransactionStaysOpenForTheNextBatch() {
        Exchange exchange = new DefaultExchange(CAMEL);
        assertThatThrownBy(() -> policy.inTransaction(exchange, e -> {
            transactions.statements.add("insert group 1");
            throw new OutOfMemoryError("Java heap space");
        })).isInstanceOf(OutOfMemoryError.class);
        assertThat(transactions.calls).containsExactly("begin", "rollback");
        assertThat(transactions.committed).isEmpty();
    }

    @Test
    void aCommitThatFailsFailsTheExchangeSoTheBatchIsWrittenAgain() {
        transactions.failCommit = true;
        Exchange exchange = new DefaultExchange(CAMEL);
        policy.inTransaction(exchange, e -> transactions.statements.add("insert group 1"));
        assertThat(exchange.getException()).isInstanceOf(TransactionSystemException.class);
        assertThat(transactions.committed).isEmpty();
    }

    @Test
    void aRollbackThatFailsKeepsTheFirstFailure() {
        transactions.failRollback = true;
        Exchange exchange = new DefaultExchange(CAMEL);
        policy.inTransaction(exchange, e -> {
            throw new IllegalStateException("Communications link failure");
        });
        assertThat(exchange.getException()).hasMessage("Communications link failure");
        assertThat(exchange.getException().getSuppressed()).singleElement()
                .satisfies(suppressed -> assertThat(suppressed).hasMessageContaining("connection already closed"));
    }

    @Test
    void aRefusedGroupIsUndoneToItsSavepointAndTheGroupsBeforeItStay() {
        Exchange exchange = new DefaultExchange(CAMEL);
        policy.inTransaction(exchange, e -> {
            transactions.statements.add("insert group 1");
            policy.savepoint(e);
            transactions.statements.add("insert group 2, half applied");
            policy.rollbackToSavepoint(e);
            transactions.statements.add("group 2 row 1");
            transactions.statements.add("group 2 row 3");
        });
        assertThat(transactions.committed).containsExactly("insert group 1", "group 2 row 1", "group 2 row 3");
    }

    @Test
    void savepointsOutsideTheBlockAreAMistakeInTheRoute() {
        Exchange exchange = new DefaultExchange(CAMEL);
        assertThatThrownBy(() -> policy.savepoint(exchange)).hasMessageContaining("policy: mysqlTransaction");
        policy.inTransaction(exchange, e -> {
            assertThatThrownBy(() -> policy.rollbackToSavepoint(e)).hasMessageContaining("no savepoint");
        });
    }
}
