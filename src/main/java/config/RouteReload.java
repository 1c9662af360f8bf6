package config;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.apache.camel.support.PluginHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route file saved in {@code routes.dir} while the pipeline runs ({@code routes.reload=true}, as under
 * {@code mvn compile camel:run}) replaces the routes it made, and only those: its plain routes, and the routes of
 * every flow made from its templates. The file is checked first as at start-up ({@link RouteFiles}); one with an
 * error is reported in one line and the routes it made keep running. One whose routes fail as they are made (a
 * bean that does not exist, which no check before can see) is reported too, and the routes from before run again. The routes stop as at shutdown (a batch in
 * flight is finished and committed, a sink leaves its consumer group), then start again from what Kafka and the
 * source's offsets say was committed: nothing is lost or written twice across a reload, as across a restart.
 */
final class RouteReload {

    private static final Logger LOG = LoggerFactory.getLogger(RouteReload.class);
    /** Editors save in steps (truncate, write, rename): the reload waits for the file to settle. */
    private static final long SETTLE_MS = 300;

    private final CamelContext context;
    private final Path folder;
    private final ScheduledExecutorService reloads;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    private RouteReload(CamelContext context, Path folder) {
        this.context = context;
        this.folder = folder;
        this.reloads = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "route-reload");
    }

    /** Watches {@code folder} for saved route files, as a service of the context (stopped with it). */
    static void watch(CamelContext context, Path folder) throws Exception {
        RouteReload reload = new RouteReload(context, folder);
        FileWatcherResourceReloadStrategy watcher = new FileWatcherResourceReloadStrategy(folder.toString());
        watcher.setFileFilter(file -> file.getName().endsWith(".yaml"));
        watcher.setResourceReload((name, resource) -> reload.saved(name));
        context.addService(watcher, true, true);
        LOG.info("Route files in {} are reloaded when saved (routes.reload=true)", folder);
    }

    private void saved(String name) {
        if (pending.add(name)) {
            reloads.schedule(() -> {
                pending.remove(name);
                reload(new File(name).toPath().toAbsolutePath().normalize());
            }, SETTLE_MS, TimeUnit.MILLISECONDS);
        }
    }

    void reload(Path file) {
        if (!file.toFile().isFile() || context.isStopping()) {
            return;
        }
        long started = System.nanoTime();
        String location = "file:" + file;
        RouteFiles.Contents contents;
        try {
            // the saved file alone: another file of the folder left broken does not hold this one back
            contents = RouteFiles.check(context, List.of(location));
        } catch (IllegalArgumentException e) {
            LOG.warn("{} not reloaded, its routes keep running as they were: {}", file, e.getMessage());
            return;
        }
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        List<PipelineFlow.FlowRoute> flowRoutes = flowRoutesOf(contents.templates());
        // what the file made before: routes of its flows, routes of the same id, routes it loaded
        Set<String> stopping = new LinkedHashSet<>();
        flowRoutes.forEach(route -> stopping.add(route.routeId()));
        for (Route route : context.getRoutes()) {
            Resource source = route.getSourceResource();
            if (contents.routeIds().contains(route.getRouteId()) || source != null && location.equals(source.getLocation())) {
                stopping.add(route.getRouteId());
            }
        }
        // kept to go back to, should the new routes fail where the check cannot see (a bean that does not exist)
        List<RouteDefinition> before = stopping.stream().map(model::getRouteDefinition).filter(java.util.Objects::nonNull).toList();
        List<RouteTemplateDefinition> templatesBefore = contents.templates().stream().map(model::getRouteTemplateDefinition)
                .filter(java.util.Objects::nonNull).toList();
        try {
            stop(stopping);
            for (String template : contents.templates()) {
                context.removeRouteTemplates(template);
            }
            Resource resource = PluginHelper.getResourceLoader(context).resolveResource(location);
            PluginHelper.getRoutesLoader(context).loadRoutes(resource);
            // the flows' routes again, made from the new templates with the same parameters (started, as the context runs)
            for (PipelineFlow.FlowRoute route : flowRoutes) {
                model.addRouteFromTemplate(route.routeId(), route.template(), new java.util.HashMap<>(route.parameters()));
            }
            // a source route made again while its table's lock was being taken again can miss the lock's event: the
            // policy keeps it stopped (autoStartup false) though this instance leads; start it
            stopping.forEach(this::startIfLeading);
            List<String> running = new ArrayList<>(stopping);
            contents.routeIds().stream().filter(id -> !running.contains(id)).forEach(running::add);
            LOG.info("Reloaded {} in {} ms: routes {} restarted", file, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    String.join(", ", running));
        } catch (Exception e) {
            String problem = RouteFiles.describe(location, e);
            try {
                // what the new file made so far goes, what ran before comes back
                Set<String> made = new LinkedHashSet<>(stopping);
                made.addAll(contents.routeIds());
                stop(made);
                for (String template : contents.templates()) {
                    context.removeRouteTemplates(template);
                }
                model.addRouteTemplateDefinitions(templatesBefore);
                model.addRouteDefinitions(before);
                LOG.warn("{} not reloaded, its routes run as before the save: {}", file, problem);
                LOG.debug("reload failure", e);
            } catch (Exception restoring) {
                LOG.error("{} not reloaded ({}), and its routes could not be restarted as before ({}): restart the pipeline", file,
                        problem, RouteFiles.describe(location, restoring), restoring);
            }
        }
    }

    private void startIfLeading(String routeId) {
        Route route = context.getRoute(routeId);
        if (route != null && context.getRouteController().getRouteStatus(routeId) == ServiceStatus.Stopped
                && route.getRoutePolicyList().stream().anyMatch(policy -> policy instanceof ClusteredRoutePolicy clustered && clustered.isLeader())) {
            try {
                context.getRouteController().startRoute(routeId);
            } catch (Exception e) {
                LOG.warn("Route {} could not be started after the reload: {}", routeId, e.getMessage());
            }
        }
    }

    /** Stops the routes as at shutdown (the batch in flight is finished and committed first) and removes them. */
    private void stop(Set<String> routeIds) throws Exception {
        for (String routeId : routeIds) {
            if (context.getRoute(routeId) != null) {
                context.getRouteController().stopRoute(routeId);
                context.removeRoute(routeId);
            }
        }
    }

    /** The routes of every running flow made from one of {@code templates}, in start order. */
    private List<PipelineFlow.FlowRoute> flowRoutesOf(List<String> templates) {
        NamedFlows flows = context.getRegistry().lookupByNameAndType(NamedFlows.BEAN, NamedFlows.class);
        return flows == null ? List.of()
                : flows.routes(context).stream().filter(route -> templates.contains(route.template())).toList();
    }
}
