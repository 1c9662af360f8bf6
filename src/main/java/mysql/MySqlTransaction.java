package mysql;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.Policy;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * The route's {@code policy: mysqlTransaction} block: everything the steps inside it write to MySQL is one
 * transaction, committed when the block ends and rolled back when it fails. camel-sql joins it because
 * Spring's JdbcTemplate, which camel-sql writes through, takes the connection bound to the thread by this
 * transaction manager (same data source, same thread: the block's split is sequential).
 *
 * <p>Why the sink needs it: a polled batch becomes several groups of rows (one per table and column set),
 * and camel-sql commits each group on its own. A failure in a later group then made the consumer read the
 * batch again over groups already committed, and with {@code mysql.insert.mode=insert} those rows were
 * refused as duplicates (dead letters, or a halt). With one transaction per batch, like a Kafka Connect
 * sink task's put, a batch is written whole or not at all.
 *
 * <p>A group MySQL refuses (one bad row among many) is undone with {@link #rollbackToSavepoint} to the
 * savepoint taken before it ({@link #savepoint}), so its rows can be written one at a time in the same
 * transaction to find the bad one. A refused statement undoes only itself in InnoDB; MySQL failing
 * (connection lost, deadlock) fails the whole block, and the route writes the batch again.
 */
public class MySqlTransaction implements Policy {

    /** Exchange property: the open transaction's status, for savepoints. */
    static final String STATUS = "mysqlTransactionStatus";
    /** Exchange property: the savepoint taken before the group being written. */
    static final String SAVEPOINT = "mysqlGroupSavepoint";

    private final PlatformTransactionManager transactions;

    public MySqlTransaction(DataSource dataSource) {
        this(new DataSourceTransactionManager(dataSource));
    }

    MySqlTransaction(PlatformTransactionManager transactions) {
        this.transactions = transactions;
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // nothing to change in the wrapped steps
    }

    @Override
    public Processor wrap(Route route, Processor steps) {
        return exchange -> inTransaction(exchange, steps);
    }

    /** Runs {@code steps} in one transaction: committed if they succeed, rolled back if they leave an exception. */
    void inTransaction(Exchange exchange, Processor steps) {
        TransactionStatus status = transactions.getTransaction(new DefaultTransactionDefinition());
        exchange.setProperty(STATUS, status);
        try {
            steps.process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        } catch (Error e) {
            // the transaction must not stay bound to this thread: the next batch would join it and never commit
            try {
                transactions.rollback(status);
            } catch (RuntimeException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        } finally {
            exchange.removeProperty(STATUS);
            exchange.removeProperty(SAVEPOINT);
        }
        Exception failure = exchange.getException();
        if (failure == null) {
            try {
                transactions.commit(status);
            } catch (RuntimeException e) {
                // not committed (Spring has rolled back what it could): the batch is written again
                exchange.setException(e);
            }
            return;
        }
        try {
            transactions.rollback(status);
        } catch (RuntimeException e) {
            // the connection is gone: MySQL drops its open transaction anyway; the first failure is the one to report
            failure.addSuppressed(e);
        }
    }

    /** Route step: remembers where the group about to be written starts. */
    public void savepoint(Exchange exchange) {
        exchange.setProperty(SAVEPOINT, status(exchange).createSavepoint());
    }

    /** Route step: undoes the group's statements, keeping everything written before it in the transaction. */
    public void rollbackToSavepoint(Exchange exchange) {
        Object savepoint = exchange.getProperty(SAVEPOINT);
        if (savepoint == null) {
            throw new IllegalStateException("no savepoint was taken before this group (the route must call savepoint first)");
        }
        status(exchange).rollbackToSavepoint(savepoint);
    }

    private static TransactionStatus status(Exchange exchange) {
        TransactionStatus status = exchange.getProperty(STATUS, TransactionStatus.class);
        if (status == null) {
            throw new IllegalStateException("not inside the route's 'policy: mysqlTransaction' block");
        }
        return status;
    }
}
