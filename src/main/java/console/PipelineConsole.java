package console;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import progress.PipelineProgress;
import s3.S3Objects;
import sink.PartitionOwnership;

/**
 * What the web console shows and does: the flows with their counters, rates, lag and state; topics and
 * their messages; consumer groups; what the sinks hold; pausing and resuming a flow. Every answer is
 * plain data, turned into JSON by the console route; nothing here renders HTML, and no setting (so no
 * secret) is part of any answer.
 */
public class PipelineConsole implements AutoCloseable {

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(5);
    private static final int MESSAGES_PER_PAGE = 20;

    /**
     * A flow as the overview shows it. {@code position}: a source's offset, a sink's consumer lag as text;
     * {@code lag} the same lag as a number for the metrics (0 for a source), not part of the JSON;
     * {@code held}: what this instance holds of the flow among several: a source's table lock (so this instance
     * polls it), a sink's partitions (topic-partition, as Kafka names them).
     */
    public record Flow(String id, String state, long recordsIn, long recordsOut, long ratePerSecond, long errors,
                       long deadLetters, String position, List<String> held, @JsonIgnore long lag) {
    }

    /** This instance, as the page's header names it among several. */
    public record Instance(String id) {
    }

    public record PartitionRange(int partition, long beginning, long end) {
    }

    public record Topic(String name, List<PartitionRange> partitions) {
    }

    public record Message(int partition, long offset, String timestamp, String key, Map<String, String> headers, String value) {
    }

    public record GroupPartition(String topic, int partition, long committed, long end, long lag) {
    }

    public record Group(String group, List<GroupPartition> partitions) {
    }

    public record MySqlSink(String table, long rows) {
    }

    public record S3Sink(List<S3Objects.Uploaded> newest) {
    }

    public record Sinks(MySqlSink mysql, S3Sink s3) {
    }

    /** The state of a flow another instance runs now (a table another instance polls). */
    public static final String STANDBY = "Standby";

    /** The route group of the routes that are flows (the console, health and metrics show each). */
    public static final String FLOW_GROUP = "flow";

    /** Where the MySQL sink writes, for the sinks view: the table of its first topic. */
    public record Layout(String mysqlTable) {
    }

    /** UP or DOWN, with each check's finding. */
    public record Health(String status, Map<String, String> checks) {
    }

    /** A system the pipeline uses, asked whether it answers (throws if not). */
    public interface SystemCheck {
        void check() throws Exception;
    }

    private final CamelContext context;
    private final PipelineProgress progress;
    private final Properties kafkaClient;
    private final Admin admin;
    private final Layout layout;
    private final DataSource mysql;
    private final S3Objects s3;
    private final byte[] token;
    private final Map<String, SystemCheck> systems;
    private volatile PrometheusMeterRegistry metrics;
    private final Set<String> meteredFlows = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<String> meteredSteps = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<String> meteredPartitions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final StepCounts stepCounts;
    private volatile List<Flow> cachedFlows = List.of();
    private volatile long cachedFlowsAt;

    public PipelineConsole(CamelContext context, PipelineProgress progress, Properties kafkaClient, Layout layout,
                           DataSource mysql, S3Objects s3, String token, Map<String, SystemCheck> systems) {
        this(context, progress, kafkaClient, layout, mysql, s3, token, systems, null);
    }

    /** @param stepCounts the exchanges each step saw ({@link StepCounts}), or null when steps are not counted */
    PipelineConsole(CamelContext context, PipelineProgress progress, Properties kafkaClient, Layout layout,
                    DataSource mysql, S3Objects s3, String token, Map<String, SystemCheck> systems, StepCounts stepCounts) {
        this.stepCounts = stepCounts;
        this.token = token == null || token.isEmpty() ? null : token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.systems = new LinkedHashMap<>();
        this.systems.put("kafka", this::checkKafka); // the console's own admin client asks
        this.systems.putAll(systems);
        this.context = context;
        this.progress = progress;
        this.kafkaClient = kafkaClient;
        this.admin = Admin.create(kafkaClient);
        this.layout = layout;
        this.mysql = mysql;
        this.s3 = s3;
    }

    // ------------------------------------------------------------------ flows

    /**
     * The flows are the routes in the route group {@value #FLOW_GROUP}, whatever route files and templates
     * made them: sources (a consumer that is not Kafka) first, then sinks, each by id. A flow's counters are
     * named after its route id ({@link PipelineProgress#written}); a sink's lag is that of the consumer
     * group its {@code from: kafka:} names.
     */
    public List<Flow> flows() throws Exception {
        List<Flow> flows = new ArrayList<>();
        for (Route route : flowRoutes()) {
            String id = route.getRouteId();
            String written = PipelineProgress.written(id);
            long out = progress.total(written);
            long dead = progress.total(PipelineProgress.deadLetters(id));
            long errors = progress.total(PipelineProgress.errors(id));
            String group = kafkaGroupOf(route);
            if (group == null) {
                List<String> held = isLeading(route) ? List.of("table lock") : List.of();
                flows.add(new Flow(id, state(id), out, out, rate(written), errors, 0, progress.position(written), held, 0));
            } else {
                long lag = groups(Set.of(group)).stream().flatMap(g -> g.partitions().stream()).mapToLong(GroupPartition::lag).sum();
                flows.add(new Flow(id, state(id), out + dead, out, rate(written), errors, dead, "lag " + lag,
                        heldPartitions(group).stream().map(TopicPartition::toString).toList(), lag));
            }
        }
        return flows;
    }

    /** This instance's id (host:pid), as its logs name it. */
    public Instance instance() {
        return new Instance(config.Instance.ID);
    }

    /** The partitions this instance's consumer of {@code group} holds now (none when no sink subscribed through the adapter). */
    private SortedSet<TopicPartition> heldPartitions(String group) {
        PartitionOwnership ownership = context.getRegistry().lookupByNameAndType(PartitionOwnership.BEAN_NAME, PartitionOwnership.class);
        return ownership == null ? new TreeSet<>() : ownership.held(group);
    }

    /** A source route whose table lock this instance holds (a source without a clustered policy polls alone). */
    private static boolean isLeading(Route route) {
        List<ClusteredRoutePolicy> policies = clusteredPolicies(route);
        return !policies.isEmpty() && policies.stream().allMatch(ClusteredRoutePolicy::isLeader);
    }

    /** The policies that start a source's route only where its table's lock is held (source.TableLeadership). */
    private static List<ClusteredRoutePolicy> clusteredPolicies(Route route) {
        return route.getRoutePolicyList().stream().filter(ClusteredRoutePolicy.class::isInstance)
                .map(ClusteredRoutePolicy.class::cast).toList();
    }

    /** The consumer group of a route that reads Kafka, or null. */
    private static String kafkaGroupOf(Route route) {
        return route.getEndpoint() instanceof KafkaEndpoint kafka ? kafka.getConfiguration().getGroupId() : null;
    }

    private long rate(String counter) {
        return Math.round(progress.ratePerSecond(counter));
    }

    private String state(String routeId) {
        ServiceStatus status = context.getRouteController().getRouteStatus(routeId);
        if (status == ServiceStatus.Stopped && isStandby(context.getRoute(routeId))) {
            return STANDBY;
        }
        return status == null ? "Absent" : status.name();
    }

    /**
     * A source route that waits while another instance polls its table (source.TableLeadership): stopped here on
     * purpose, so it neither counts as down for readiness nor can be paused.
     */
    private static boolean isStandby(Route route) {
        return route != null && clusteredPolicies(route).stream().anyMatch(policy -> !policy.isLeader());
    }

    /** Each flow's steps, as its route defines them (the routes of {@link #flows()}, in the same order). */
    public List<FlowSteps.Flow> steps() {
        return flowRoutes().stream().map(route -> FlowSteps.of(context, route.getRouteId(), stepCounts)).toList();
    }

    /** The routes of group {@value #FLOW_GROUP}: sources (a consumer that is not Kafka) first, then sinks, each by id. */
    private List<Route> flowRoutes() {
        return context.getRoutes().stream().filter(route -> FLOW_GROUP.equals(route.getGroup()))
                .sorted(Comparator.comparing((Route route) -> kafkaGroupOf(route) != null).thenComparing(Route::getRouteId))
                .toList();
    }

    /** Pauses (suspends) or resumes one flow; a paused sink keeps its offsets, a paused source its position. */
    public Flow control(String flowId, String action) throws Exception {
        Route route = context.getRoute(flowId);
        if (route == null || flows().stream().noneMatch(f -> f.id().equals(flowId))) {
            throw new IllegalArgumentException("no flow '" + flowId + "'");
        }
        if (isStandby(route)) {
            throw new IllegalArgumentException("flow '" + flowId + "' is on standby here: another instance polls its table");
        }
        switch (action) {
            case "pause" -> context.getRouteController().suspendRoute(flowId);
            case "resume" -> context.getRouteController().resumeRoute(flowId);
            default -> throw new IllegalArgumentException("unknown action '" + action + "': pause or resume");
        }
        return flows().stream().filter(f -> f.id().equals(flowId)).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------ topics and messages

    public List<Topic> topics() throws Exception {
        Set<String> names = admin.listTopics().names().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames()
                .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        List<TopicPartition> partitions = descriptions.values().stream()
                .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition()))).toList();
        Map<TopicPartition, Long> beginning = offsets(partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest());
        return descriptions.values().stream().sorted(Comparator.comparing(TopicDescription::name))
                .map(d -> new Topic(d.name(), d.partitions().stream().map(p -> {
                    TopicPartition tp = new TopicPartition(d.name(), p.partition());
                    return new PartitionRange(p.partition(), beginning.getOrDefault(tp, 0L), end.getOrDefault(tp, 0L));
                }).toList())).toList();
    }

    /**
     * Up to 20 messages of one partition from {@code fromOffset}, or the latest 20 when it is null; the
     * value pretty-printed when it is JSON, as it is otherwise.
     */
    public List<Message> messages(String topic, int partition, Long fromOffset) {
        Properties props = new Properties();
        props.putAll(kafkaClient);
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        props.put("max.poll.records", Integer.toString(MESSAGES_PER_PAGE));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            long beginning = consumer.beginningOffsets(List.of(tp)).get(tp);
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long start = fromOffset != null ? Math.max(beginning, fromOffset) : Math.max(beginning, end - MESSAGES_PER_PAGE);
            consumer.seek(tp, start);
            List<Message> messages = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (messages.size() < MESSAGES_PER_PAGE && consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (messages.size() < MESSAGES_PER_PAGE) {
                        messages.add(message(record));
                    }
                }
            }
            return messages;
        }
    }

    private static Message message(ConsumerRecord<String, String> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return new Message(record.partition(), record.offset(), Instant.ofEpochMilli(record.timestamp()).toString(), record.key(),
                headers, pretty(record.value()));
    }

    static String pretty(String value) {
        if (value == null) {
            return null;
        }
        try {
            return PRETTY.writeValueAsString(PRETTY.readTree(value));
        } catch (Exception notJson) {
            return value;
        }
    }

    // ------------------------------------------------------------------ consumer groups

    public List<Group> groups() throws Exception {
        Set<String> ids = admin.listConsumerGroups().all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream()
                .map(ConsumerGroupListing::groupId).collect(Collectors.toSet());
        return groups(ids);
    }

    private List<Group> groups(Set<String> ids) throws Exception {
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
        for (String id : ids) {
            committed.put(id, admin.listConsumerGroupOffsets(id).partitionsToOffsetAndMetadata()
                    .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
        List<TopicPartition> partitions = committed.values().stream().flatMap(m -> m.keySet().stream()).distinct().toList();
        Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest());
        return committed.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> new Group(e.getKey(), e.getValue().entrySet().stream()
                        .filter(o -> o.getValue() != null)
                        .sorted(Comparator.comparing((Map.Entry<TopicPartition, OffsetAndMetadata> o) -> o.getKey().toString()))
                        .map(o -> {
                            long endOffset = end.getOrDefault(o.getKey(), 0L);
                            return new GroupPartition(o.getKey().topic(), o.getKey().partition(), o.getValue().offset(), endOffset,
                                    Math.max(0, endOffset - o.getValue().offset()));
                        }).toList()))
                .toList();
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin
                .listOffsets(partitions.stream().collect(Collectors.toMap(Function.identity(), p -> spec)))
                .all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    // ------------------------------------------------------------------ sinks

    public Sinks sinks() throws SQLException {
        MySqlSink mysqlSink = null;
        if (mysql != null && layout.mysqlTable() != null) {
            try (Connection connection = mysql.getConnection(); Statement count = connection.createStatement();
                 ResultSet rows = count.executeQuery("SELECT COUNT(*) FROM `" + layout.mysqlTable().replace("`", "``") + "`")) {
                rows.next();
                mysqlSink = new MySqlSink(layout.mysqlTable(), rows.getLong(1));
            } catch (SQLException e) {
                mysqlSink = new MySqlSink(layout.mysqlTable(), -1); // the table does not exist yet
            }
        }
        return new Sinks(mysqlSink, s3 == null ? null : new S3Sink(s3.recentUploads()));
    }

    // ------------------------------------------------------------------ pause/resume access, health, metrics

    public void checkToken(String given) {
        if (token != null && (given == null
                || !java.security.MessageDigest.isEqual(token, given.getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
            throw new SecurityException("pausing and resuming need the console token (console.token), sent as header "
                    + ConsoleAccess.TOKEN_HEADER);
        }
    }

    public Health live() {
        return new Health(context.isStarted() ? "UP" : "DOWN", Map.of("camel", context.getStatus().name()));
    }

    /**
     * Ready when every flow runs (or waits on standby while another instance polls its table) and Kafka and the
     * databases and S3 it uses answer.
     */
    public Health ready() throws Exception {
        Map<String, String> checks = new LinkedHashMap<>();
        boolean up = true;
        for (Flow flow : flows()) {
            checks.put(flow.id(), flow.state());
            up &= "Started".equals(flow.state()) || STANDBY.equals(flow.state());
        }
        for (Map.Entry<String, SystemCheck> system : systems.entrySet()) {
            try {
                system.getValue().check();
                checks.put(system.getKey(), "UP");
            } catch (Exception e) {
                checks.put(system.getKey(), "DOWN: " + e.getClass().getSimpleName());
                up = false;
            }
        }
        return new Health(up ? "UP" : "DOWN", checks);
    }

    /** Kafka answers when the cluster can be described within the timeout. */
    public void checkKafka() throws Exception {
        admin.describeCluster().clusterId().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The Prometheus text: JVM and Camel meters, and per flow its records, rate, errors, dead letters and lag. */
    public String metrics() {
        return registry().scrape();
    }

    private PrometheusMeterRegistry registry() {
        if (metrics == null) {
            synchronized (this) {
                if (metrics == null) {
                    PrometheusMeterRegistry registry = context.getRegistry().findSingleByType(PrometheusMeterRegistry.class);
                    metrics = registry != null ? registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                }
            }
        }
        registerMeters(metrics);
        return metrics;
    }

    /** Meters for every step, flow and held partition not yet metered, read at each scrape (without asking Kafka anything). */
    private void registerMeters(MeterRegistry registry) {
        if (stepCounts != null) {
            // a route file reloaded makes new steps: they are metered from the next scrape on
            for (StepCounts.Counted step : stepCounts.all()) {
                if (meteredSteps.add(step.route() + "/" + step.id())) {
                    FunctionCounter.builder("pipeline.step.exchanges", step.exchanges(), java.util.concurrent.atomic.LongAdder::sum)
                            .tag("route", step.route()).tag("step", step.step()).tag("id", step.id())
                            .description("exchanges that reached this step of the route (a batch, a poll, a split's part)")
                            .register(registry);
                }
            }
        }
        for (Route route : context.getRoutes()) {
            if (!FLOW_GROUP.equals(route.getGroup())) {
                continue;
            }
            String id = route.getRouteId();
            String group = kafkaGroupOf(route);
            if (meteredFlows.add(id)) {
                registerFlowMeters(registry, id, group);
            }
            // each partition a sink holds or held here: 1 while held (a partition is metered from the first time it is held)
            for (TopicPartition partition : group == null ? Set.<TopicPartition>of() : heldPartitions(group)) {
                if (meteredPartitions.add(id + "/" + partition)) {
                    Gauge.builder("pipeline.partition.held", this, c -> c.heldPartitions(group).contains(partition) ? 1 : 0)
                            .tag("flow", id).tag("topic", partition.topic())
                            .tag("partition", Integer.toString(partition.partition())).tag("instance", config.Instance.ID)
                            .description("1 while this instance's consumer holds the partition").register(registry);
                }
            }
        }
    }

    /** One flow's meters; {@code group}: a sink's consumer group, null for a source. */
    private void registerFlowMeters(MeterRegistry registry, String id, String group) {
        FunctionCounter.builder("pipeline.records.in", this, c -> c.flowValue(id, Flow::recordsIn)).tag("flow", id)
                .description("records the flow read").register(registry);
        FunctionCounter.builder("pipeline.records.out", this, c -> c.flowValue(id, Flow::recordsOut)).tag("flow", id)
                .description("records the flow wrote").register(registry);
        FunctionCounter.builder("pipeline.errors", this, c -> c.flowValue(id, Flow::errors)).tag("flow", id)
                .description("failed polls or write attempts").register(registry);
        FunctionCounter.builder("pipeline.dead.letters", this, c -> c.flowValue(id, Flow::deadLetters)).tag("flow", id)
                .description("records sent to the dead-letter topic").register(registry);
        Gauge.builder("pipeline.records.rate", this, c -> c.flowValue(id, Flow::ratePerSecond)).tag("flow", id)
                .description("records written per second over the last minute").register(registry);
        Gauge.builder("pipeline.running", this, c -> c.flowValue(id, f -> "Started".equals(f.state()) ? 1 : 0)).tag("flow", id)
                .description("1 while the flow runs here, 0 when paused, stopped or on standby").register(registry);
        Gauge.builder("pipeline.standby", this, c -> c.flowValue(id, f -> STANDBY.equals(f.state()) ? 1 : 0)).tag("flow", id)
                .description("1 while another instance polls this source's table").register(registry);
        if (group != null) {
            Gauge.builder("pipeline.consumer.lag", this, c -> c.flowValue(id, Flow::lag))
                    .tag("flow", id).description("records on the topic the sink has not committed").register(registry);
            Gauge.builder("pipeline.partitions.held", this, c -> c.heldPartitions(group).size()).tag("flow", id)
                    .tag("instance", config.Instance.ID)
                    .description("partitions of the sink's topics this instance's consumer holds").register(registry);
        } else {
            // by id at each scrape: a reloaded route file makes a new route
            Gauge.builder("pipeline.table.polled", context, c -> c.getRoute(id) != null && isLeading(c.getRoute(id)) ? 1 : 0).tag("flow", id)
                    .tag("instance", config.Instance.ID)
                    .description("1 while this instance holds the source table's lock, so it alone polls the table").register(registry);
        }
    }

    /** One number of one flow, from a snapshot at most a second old (a scrape reads many of them). */
    private double flowValue(String id, java.util.function.ToLongFunction<Flow> value) {
        try {
            if (System.currentTimeMillis() - cachedFlowsAt > 1_000) {
                cachedFlows = flows();
                cachedFlowsAt = System.currentTimeMillis();
            }
            return cachedFlows.stream().filter(f -> f.id().equals(id)).mapToLong(value).findFirst().orElse(0);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
