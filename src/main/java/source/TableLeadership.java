package source;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

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
 * transactional id and fences it before the first poll. The tables spread over the instances: an instance
 * that polls two more tables than another that could poll one of them hands one over (see {@link #check()}).
 *
 * <p>Two threads: one keeps the session alive and tries the locks, and never blocks on anything else;
 * the other takes tables over (a take-over may wait for Kafka) and tells the routes.
 */
public final class TableLeadership extends AbstractCamelClusterService<TableLeadership.TableView> {

    private static final Logger LOG = LoggerFactory.getLogger(TableLeadership.class);

    /** Opens the session that holds the locks (a connection of its own, never a pooled one: the locks are the session's). */
    public interface Session {
        Connection open() throws SQLException;
    }

    /** Rounds a table stays free before an instance that already polls more than others takes it anyway. */
    static final int FREE_ROUNDS_BEFORE_ANY_TAKES = 2;
    /** Rounds a led table's route may stay stopped (it could not start: Kafka away) before the table is let go. */
    static final int STOPPED_ROUNDS_BEFORE_LETTING_GO = 3;

    private final Session session;
    private final long checkIntervalMs;
    private final long leaseMs;
    private final Set<TableView> started = ConcurrentHashMap.newKeySet();
    private final Map<String, Runnable> beforeLeading = new ConcurrentHashMap<>();
    private final Map<String, BooleanSupplier> routeRuns = new ConcurrentHashMap<>();
    private Connection connection;
    private ScheduledExecutorService checker;
    private ExecutorService notifier;
    private int backendPid;
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

    /**
     * How to see that the route of {@code namespace} runs (or is starting) while this instance leads it: one that
     * stays stopped for {@value #STOPPED_ROUNDS_BEFORE_LETTING_GO} rounds (its start failed, and Camel's policy does
     * not try again) makes this instance let the table go, for another instance or a later round to take.
     */
    public void routeRuns(String namespace, BooleanSupplier runs) {
        routeRuns.put(namespace, runs);
    }

    /** Whether this instance polls the table of {@code namespace} now. */
    public boolean isLeader(String namespace) {
        return started.stream().anyMatch(view -> view.getNamespace().equals(namespace) && view.leading);
    }

    /**
     * One round: reads who holds what (the advisory locks in {@code pg_locks}; the query also keeps the session
     * alive), hands one table over when another instance that has it configured polls two fewer, and tries the
     * free tables this instance should take. A session that fails loses every lock with it: the routes stop at once.
     *
     * <p>Spreading: every instance also holds, for each of its tables, a shared "candidate" lock, so each one sees
     * which instances could poll a table and how many tables each polls. A free table is taken by its least busy
     * candidate (ties race for the lock; one wins); a table free for {@value #FREE_ROUNDS_BEFORE_ANY_TAKES} rounds is
     * taken by any candidate, so a table is never left unpolled. A hand-over stops the route first (its batch
     * finishes and commits), then releases the lock.
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
                if (!view.candidate) {
                    lockShared(view.candidateKey);
                    view.candidate = true;
                }
            }
            Locks locks = readLocks();
            // a table being handed over still has its lock until its route has stopped: it no longer counts here
            long handingOver = started.stream().filter(view -> view.handingOver).count();
            int polled = locks.tablesOf(backendPid) - (int) handingOver;
            for (TableView view : started) {
                if (handingOver > 0) {
                    break; // one at a time: the next round, once it is released, shows the new counts
                }
                if (view.locked && locks.someCandidateBelow(view.candidateKey, backendPid, polled - 1)) {
                    handOver(view, "hands {} over to an instance that polls fewer tables");
                    polled--;
                    handingOver++;
                } else if (routeStaysStopped(view)) {
                    handOver(view, "lets {} go: its route has not started here (another instance, or a later check, takes it)");
                    view.skipRounds = FREE_ROUNDS_BEFORE_ANY_TAKES + 1; // the others first
                    polled--;
                    handingOver++;
                }
            }
            for (TableView view : started) {
                if (view.locked) {
                    continue;
                }
                if (view.skipRounds > 0) {
                    view.skipRounds--;
                    continue;
                }
                if (!locks.isFree(view.key)) {
                    view.freeRounds = 0;
                    continue;
                }
                view.freeRounds++;
                boolean leastBusy = !locks.someCandidateBelow(view.candidateKey, backendPid, polled);
                if ((leastBusy || view.freeRounds > FREE_ROUNDS_BEFORE_ANY_TAKES) && tryLock(view.key)) {
                    view.gained();
                    polled++;
                }
            }
            sessionLostReported = false;
        } catch (SQLException | RuntimeException e) {
            sessionLost(e);
        }
    }

    /** The session failed: every lock went with it, so every route here stops (another instance may take them over). */
    private void sessionLost(Exception e) {
        if (!sessionLostReported) {
            LOG.warn("Source leadership: the session on the source database failed ({}); this instance polls no table "
                    + "until it has one again (another instance may take them over)", e.getMessage());
            sessionLostReported = true;
        }
        started.forEach(TableView::lost);
        closeSession();
    }

    /** Whether a table this instance leads has had its route stopped for too many rounds (only once Camel runs). */
    private boolean routeStaysStopped(TableView view) {
        BooleanSupplier runs = routeRuns.get(view.getNamespace());
        if (!view.leading || runs == null || !getCamelContext().isStarted() || runs.getAsBoolean()) {
            view.stoppedRounds = 0;
            return false;
        }
        return ++view.stoppedRounds > STOPPED_ROUNDS_BEFORE_LETTING_GO;
    }

    /** Stops polling {@code view}'s table, then (once its route has stopped) releases the lock for another instance. */
    private void handOver(TableView view, String why) {
        view.handingOver = true;
        view.leading = false;
        view.stoppedRounds = 0;
        LOG.info("Source leadership: this instance ({}) " + why, getId(), view.getNamespace());
        notifier.execute(() -> {
            try {
                // ClusteredRoutePolicy stops the route within this call: its last batch is committed before the lock goes
                view.fireLost();
            } finally {
                checker.execute(() -> released(view));
            }
        });
    }

    /** A table whose take-over failed before its route was told: the lock goes, for whichever instance tries next. */
    private synchronized void letGo(TableView view, int generation) {
        if (view.generation == generation && view.locked && !view.leading) {
            view.locked = false;
            unlock(view.key);
        }
    }

    private synchronized void released(TableView view) {
        if (view.handingOver && view.locked) {
            view.locked = false;
            unlock(view.key);
        }
        view.handingOver = false;
        view.freeRounds = 0;
    }

    /**
     * The advisory locks granted in this database: each session's exclusive (table) locks and each key's shared
     * (candidate) holders. A bigint advisory key is split in pg_locks as classid (high 32 bits) and objid.
     */
    private Locks readLocks() throws SQLException {
        Map<Integer, Integer> tablesByPid = new HashMap<>();
        Set<Long> held = new HashSet<>();
        Map<Long, Set<Integer>> candidates = new HashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT pid, (classid::bigint << 32) | objid::bigint, mode = 'ExclusiveLock' "
                     + "FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted "
                     + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            while (rs.next()) {
                int pid = rs.getInt(1);
                long key = rs.getLong(2);
                if (rs.getBoolean(3)) {
                    held.add(key);
                    tablesByPid.merge(pid, 1, Integer::sum);
                } else {
                    candidates.computeIfAbsent(key, k -> new HashSet<>()).add(pid);
                }
            }
        }
        return new Locks(tablesByPid, held, candidates);
    }

    /** One reading of pg_locks. */
    record Locks(Map<Integer, Integer> tablesByPid, Set<Long> held, Map<Long, Set<Integer>> candidates) {

        int tablesOf(int pid) {
            return tablesByPid.getOrDefault(pid, 0);
        }

        boolean isFree(long key) {
            return !held.contains(key);
        }

        /** Whether another session that could poll the table of {@code candidateKey} polls fewer than {@code tables}. */
        boolean someCandidateBelow(long candidateKey, int self, int tables) {
            return candidates.getOrDefault(candidateKey, Set.of()).stream().anyMatch(pid -> pid != self && tablesOf(pid) < tables);
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
        try (Statement statement = opened.createStatement(); ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            backendPid = rs.getInt(1);
        }
        started.forEach(view -> view.candidate = false); // a new session holds no lock yet
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

    private void lockShared(long key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_advisory_lock_shared(?)")) {
            statement.setLong(1, key);
            statement.execute();
        }
    }

    /** A view that stops gives its table up, under the monitor so that a check in progress cannot take it again. */
    private synchronized void giveUp(TableView view) {
        started.remove(view);
        if (view.locked) {
            view.lost();
            unlock(view.key);
        }
        if (view.candidate) {
            unlock(view.candidateKey, "pg_advisory_unlock_shared");
            view.candidate = false;
        }
    }

    private void unlock(long key) {
        unlock(key, "pg_advisory_unlock");
    }

    private void unlock(long key, String function) {
        if (connection == null) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + function + "(?)")) {
            statement.setLong(1, key);
            statement.execute();
        } catch (SQLException e) {
            // the session is failing: closing it releases every lock, so every table is lost, not only this one
            sessionLost(e);
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
        return key("kafka-pipeline source " + namespace);
    }

    /** The shared lock each instance that could poll the namespace's table holds. */
    static long candidateKey(String namespace) {
        return key("kafka-pipeline source candidate " + namespace);
    }

    private static long key(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long key = 0;
            for (int i = 0; i < 8; i++) {
                key = (key << 8) | (hash[i] & 0xff);
            }
            return key;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One table's leadership, as Camel's cluster view: this instance is its leader while it holds the lock and has
     * taken the table over (the step before leading done); routes are told only then.
     */
    public final class TableView extends AbstractCamelClusterView {

        private final long key;
        private final long candidateKey;
        // written under the service's monitor (or before the view is shared), read by the route's threads
        private volatile boolean candidate;
        private volatile boolean handingOver;
        private int freeRounds;
        private int skipRounds;
        private int stoppedRounds;
        // counts take-overs and losses: a step or a let-go queued for an earlier take-over does nothing
        private volatile int generation;
        private volatile boolean takeOverFailureReported;
        private final CamelClusterMember local = new CamelClusterMember() {
            @Override
            public boolean isLeader() {
                return leading;
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
        // this session holds the table's lock (written under the service's monitor)
        private volatile boolean locked;
        // the routes may poll: locked, taken over, not being handed over (what Camel's policy reads)
        private volatile boolean leading;

        TableView(String namespace) {
            super(TableLeadership.this, namespace);
            this.key = lockKey(namespace);
            this.candidateKey = candidateKey(namespace);
        }

        @Override
        public Optional<CamelClusterMember> getLeader() {
            // another instance's holding the lock is not visible from here
            return leading ? Optional.of(local) : Optional.empty();
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
            locked = true;
            int taken = ++generation;
            Runnable step = beforeLeading.get(getNamespace());
            notifier.execute(() -> {
                if (step != null) {
                    try {
                        step.run();
                    } catch (RuntimeException | Error e) {
                        // Kafka unreachable, say: the route must not start; the table is let go and taken again later
                        if (!takeOverFailureReported) {
                            LOG.warn("Source leadership: this instance ({}) could not take {} over ({}); it lets the table go, "
                                    + "and the next check takes it again (here or on another instance)", getId(), getNamespace(), e.getMessage());
                            takeOverFailureReported = true;
                        }
                        checker.execute(() -> letGo(this, taken));
                        return;
                    }
                }
                takeOverFailureReported = false;
                synchronized (TableLeadership.this) {
                    // lost, handed over or taken again while the step ran: this take-over's routes are not told
                    if (generation != taken || !locked || handingOver) {
                        return;
                    }
                    leading = true;
                }
                LOG.info("Source leadership: this instance ({}) now polls {}", getId(), getNamespace());
                fireLeadershipChangedEvent(local);
            });
        }

        private void lost() {
            generation++;
            handingOver = false;
            boolean wasLocked = locked;
            locked = false;
            leading = false;
            if (wasLocked) {
                LOG.info("Source leadership: this instance ({}) no longer polls {}", getId(), getNamespace());
                notifier.execute(this::fireLost);
            }
        }

        private void fireLost() {
            fireLeadershipChangedEvent((CamelClusterMember) null);
        }
    }
}
