package source;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which instance polls which table: a Camel cluster service (routes follow it through Camel's
 * {@code ClusteredRoutePolicy}) whose leadership of a namespace is a PostgreSQL advisory lock held by this
 * instance's own session on the source database. Among instances with the same settings exactly one holds
 * a table's lock, so exactly one polls it; the others wait and take it over when the holder's session
 * ends: at once when its process dies (the database sees the connection close), within
 * {@code source.leadership.lease.ms} when it hangs or is cut off (the session's {@code idle_session_timeout}:
 * this instance sends a statement every {@code source.leadership.check.interval.ms}, a hung or cut-off one
 * does not). An old leader that has not noticed yet cannot write: the new leader's producer shares its
 * transactional id and fences it before the first poll.
 *
 * <p>Two threads: one keeps the session alive and tries the locks, and never blocks on anything else;
 * the other tells the routes (starting a route starts its Kafka producer, which may wait for Kafka).
 */
public final class TableLeadership extends AbstractCamelClusterService<TableLeadership.TableView> {

    private static final Logger LOG = LoggerFactory.getLogger(TableLeadership.class);

    /** Opens the session that holds the locks (a connection of its own, never a pooled one: the locks are the session's). */
    public interface Session {
        Connection open() throws SQLException;
    }

    private final Session session;
    private final long checkIntervalMs;
    private final long leaseMs;
    private final Set<TableView> started = ConcurrentHashMap.newKeySet();
    private final Map<String, Runnable> beforeLeading = new ConcurrentHashMap<>();
    private Connection connection;
    private ScheduledExecutorService checker;
    private ExecutorService notifier;
    private boolean sessionLostReported;
    private boolean stopped;

    public TableLeadership(String instanceId, Session session, long checkIntervalMs, long leaseMs) {
        super(instanceId);
        this.session = session;
        this.checkIntervalMs = checkIntervalMs;
        this.leaseMs = leaseMs;
    }

    @Override
    protected TableView createView(String namespace) {
        return new TableView(namespace);
    }

    @Override
    protected void doStart() throws Exception {
        checker = getCamelContext().getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "source-leadership");
        notifier = getCamelContext().getExecutorServiceManager().newSingleThreadExecutor(this, "source-leadership-events");
        super.doStart();
        checker.scheduleWithFixedDelay(this::check, 0, checkIntervalMs, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop(); // each view gives its table up
        getCamelContext().getExecutorServiceManager().shutdownNow(checker);
        synchronized (this) {
            stopped = true; // a check already waiting for the monitor must not open a new session
            closeSession();
        }
        getCamelContext().getExecutorServiceManager().shutdownGraceful(notifier);
    }

    /** Runs {@code step} each time this instance takes {@code namespace} over, before its route is told. */
    public void beforeLeading(String namespace, Runnable step) {
        beforeLeading.put(namespace, step);
    }

    /** Whether this instance polls the table of {@code namespace} now. */
    public boolean isLeader(String namespace) {
        return started.stream().anyMatch(view -> view.getNamespace().equals(namespace) && view.leader);
    }

    /**
     * One round: keeps the session alive (a statement resets its idle timer) and tries the lock of every table
     * this instance does not poll yet. A session that fails loses every lock with it: the routes stop at once.
     */
    synchronized void check() {
        if (stopped) {
            return;
        }
        try {
            if (connection == null) {
                connection = openSession();
            }
            for (TableView view : started) {
                if (!view.leader && tryLock(view.key)) {
                    view.gained();
                }
            }
            if (started.stream().noneMatch(view -> !view.leader)) {
                keepAlive();
            }
            sessionLostReported = false;
        } catch (SQLException | RuntimeException e) {
            if (!sessionLostReported) {
                LOG.warn("Source leadership: the session on the source database failed ({}); this instance polls no table "
                        + "until it has one again (another instance may take them over)", e.getMessage());
                sessionLostReported = true;
            }
            started.forEach(TableView::lost);
            closeSession();
        }
    }

    private Connection openSession() throws SQLException {
        Connection opened = session.open();
        try (Statement statement = opened.createStatement()) {
            // the lease: a session that sends nothing for this long is ended by the server, and its locks with it
            statement.execute("SET idle_session_timeout = " + leaseMs);
        } catch (SQLException e) {
            LOG.warn("Source leadership: PostgreSQL before 14 has no idle_session_timeout ({}); an instance cut off from the "
                    + "database keeps its tables until the server notices the connection is gone", e.getMessage());
        }
        return opened;
    }

    private boolean tryLock(long key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            statement.setLong(1, key);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void keepAlive() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
        }
    }

    /** A view that stops gives its table up, under the monitor so that a check in progress cannot take it again. */
    private synchronized void giveUp(TableView view) {
        started.remove(view);
        if (view.leader) {
            view.lost();
            unlock(view.key);
        }
    }

    private void unlock(long key) {
        if (connection == null) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            statement.setLong(1, key);
            statement.execute();
        } catch (SQLException e) {
            // the session is failing: closing it releases the lock as well
            closeSession();
        }
    }

    private void closeSession() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("Source leadership: closing the session failed", e);
            }
            connection = null;
        }
    }

    /** The advisory lock of a namespace: 64 bits of its SHA-256, so different pipelines' tables never share one. */
    static long lockKey(String namespace) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(("kafka-pipeline source " + namespace).getBytes(StandardCharsets.UTF_8));
            long key = 0;
            for (int i = 0; i < 8; i++) {
                key = (key << 8) | (hash[i] & 0xff);
            }
            return key;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One table's leadership, as Camel's cluster view: this instance is its leader while it holds the lock. */
    public final class TableView extends AbstractCamelClusterView {

        private final long key;
        private final CamelClusterMember local = new CamelClusterMember() {
            @Override
            public boolean isLeader() {
                return leader;
            }

            @Override
            public boolean isLocal() {
                return true;
            }

            @Override
            public String getId() {
                return TableLeadership.this.getId();
            }
        };
        private volatile boolean leader;

        TableView(String namespace) {
            super(TableLeadership.this, namespace);
            this.key = lockKey(namespace);
        }

        @Override
        public Optional<CamelClusterMember> getLeader() {
            // another instance's holding the lock is not visible from here
            return leader ? Optional.of(local) : Optional.empty();
        }

        @Override
        public CamelClusterMember getLocalMember() {
            return local;
        }

        @Override
        public List<CamelClusterMember> getMembers() {
            return List.of(local);
        }

        @Override
        protected void doStart() {
            started.add(this);
            if (checker != null) {
                checker.execute(TableLeadership.this::check); // a new table is tried at once, not a round later
            }
        }

        @Override
        protected void doStop() {
            giveUp(this);
        }

        private void gained() {
            leader = true;
            LOG.info("Source leadership: this instance ({}) now polls {}", getId(), getNamespace());
            Runnable step = beforeLeading.get(getNamespace());
            notifier.execute(() -> {
                if (step != null) {
                    step.run();
                }
                fireLeadershipChangedEvent(local);
            });
        }

        private void lost() {
            if (leader) {
                leader = false;
                LOG.info("Source leadership: this instance ({}) no longer polls {}", getId(), getNamespace());
                notifier.execute(() -> fireLeadershipChangedEvent((CamelClusterMember) null));
            }
        }
    }
}
