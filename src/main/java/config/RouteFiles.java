package config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.LineNumberAware;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.spi.EndpointUriFactory;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * Which route files run, and whether they can be read, before anything connects. The route files bundled in
 * the application ({@code camel.main.routes-include-pattern}, {@code classpath:routes/*.yaml}) run, unless
 * {@code routes.dir} names a folder: then each {@code .yaml} file there runs too, one with the name of a bundled
 * file instead of it (an edited copy), the others beside them (extra files). Every one of them is read first, as
 * Camel reads it, and one with an error stops start-up with one line naming the file, the line and the problem,
 * before the local stack starts or any flow connects (Camel itself reads the route files only after the flows have
 * connected to everything).
 */
public final class RouteFiles extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(RouteFiles.class);

    static final String INCLUDE_PATTERN = "camel.main.routes-include-pattern";

    public static final SettingsDefinition SETTINGS = new SettingsDefinition("Route files")
            .define("routes.dir", SettingsDefinition.Type.STRING, "",
                    "a folder of route files (`*.yaml`) to run with the bundled ones: a file named as a bundled one "
                            + "(`mysql-sink.yaml`) runs instead of it, any other beside them; empty: the bundled files only "
                            + "(see \"Changing a flow\")")
            .define("routes.reload", SettingsDefinition.Type.BOOLEAN, "false",
                    "reload a route file of routes.dir when it is saved, restarting only the routes it made (on under "
                            + "`mvn compile camel:run`, where routes.dir is src/main/resources/routes)");

    private String bundledPattern;
    private ParsedSettings settings;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        PropertiesComponent properties = context.getPropertiesComponent();
        settings = new ParsedSettings(SETTINGS.parse(name -> properties.resolveProperty(name).orElse(null)));
        bundledPattern = properties.resolveProperty(INCLUDE_PATTERN).orElse("classpath:routes/*.yaml");
        if (settings.bool("routes.reload") && settings.string("routes.dir").isEmpty()) {
            throw new ConfigurationException("routes.reload", "true", "needs routes.dir: the folder whose saved files are reloaded");
        }
        List<String> locations = locations(context, bundledPattern, settings.string("routes.dir"));
        check(context, locations);
        if (!settings.string("routes.dir").isEmpty()) {
            Properties overrides = new Properties();
            if (properties instanceof org.apache.camel.component.properties.PropertiesComponent impl
                    && impl.getOverrideProperties() != null) {
                overrides.putAll(impl.getOverrideProperties());
            }
            overrides.setProperty(INCLUDE_PATTERN, String.join(",", locations));
            properties.setOverrideProperties(overrides);
        }
        LOG.info("Route files: {}", String.join(", ", locations));
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        if (settings != null && settings.bool("routes.reload")) {
            try {
                RouteReload.watch(main.getCamelContext(), Path.of(settings.string("routes.dir")).toAbsolutePath().normalize());
            } catch (Exception e) {
                throw new IllegalStateException("routes.reload: cannot watch " + settings.string("routes.dir") + ": " + e.getMessage(), e);
            }
        }
    }

    /** The route files to run: the bundled ones, with a folder's files instead of or beside them. */
    static List<String> locations(CamelContext context, String bundledPattern, String folder) {
        Map<String, String> byName = new LinkedHashMap<>();
        try {
            for (String pattern : bundledPattern.split(",")) {
                Collection<Resource> bundled = PluginHelper.getPackageScanResourceResolver(context).findResources(pattern.trim());
                // named as the pattern names them (classpath:routes/source.yaml), wherever the class path keeps them
                String folderOfPattern = pattern.trim().substring(0, pattern.trim().lastIndexOf('/') + 1);
                bundled.stream().map(resource -> fileName(resource.getLocation())).sorted()
                        .forEach(name -> byName.put(name, folderOfPattern + name));
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot list the bundled route files " + bundledPattern + ": " + e.getMessage(), e);
        }
        if (folder.isEmpty()) {
            return new ArrayList<>(byName.values());
        }
        Path dir = Path.of(folder).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new ConfigurationException("routes.dir", folder, "is not a folder");
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(file -> file.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(file)).sorted()
                    .forEach(file -> byName.put(file.getFileName().toString(), "file:" + file));
        } catch (java.io.IOException e) {
            throw new ConfigurationException("routes.dir", folder, "cannot be read: " + e.getMessage());
        }
        return new ArrayList<>(byName.values());
    }

    private static String fileName(String location) {
        return location.substring(Math.max(location.lastIndexOf('/'), location.lastIndexOf(':')) + 1);
    }

    /**
     * Reads every route file as Camel will (YAML, then the DSL: steps, fields, expressions) into a context of its
     * own that never starts, so nothing it names is created or connected; the first error throws one line. Returns
     * what they define.
     */
    static Contents check(CamelContext context, List<String> locations) {
        DefaultCamelContext scratch = scratch(context);
        try {
            var loader = PluginHelper.getRoutesLoader(scratch);
            for (String location : locations) {
                try {
                    Resource resource = PluginHelper.getResourceLoader(scratch).resolveResource(location);
                    for (RoutesBuilder builder : loader.findRoutesBuilders(resource)) {
                        scratch.addRoutes(builder);
                    }
                } catch (Exception e) {
                    throw new IllegalArgumentException(describe(location, e), e);
                }
            }
            // Camel checks an endpoint's options only when it creates the route, after the flows connected
            Model model = scratch.getCamelContextExtension().getContextPlugin(Model.class);
            for (RouteDefinition route : model.getRouteDefinitions()) {
                checkEndpoint(scratch, route.getInput().getEndpointUri(), route.getInput(), true);
                checkEndpoints(scratch, route, true);
            }
            // a template's placeholders are its parameters, known only when a flow is made from it
            for (var template : model.getRouteTemplateDefinitions()) {
                checkEndpoint(scratch, template.getRoute().getInput().getEndpointUri(), template.getRoute().getInput(), false);
                checkEndpoints(scratch, template.getRoute(), false);
            }
            return new Contents(model.getRouteDefinitions().stream().map(RouteDefinition::getRouteId).toList(),
                    model.getRouteTemplateDefinitions().stream().map(template -> template.getId()).toList());
        } finally {
            scratch.stop();
        }
    }

    /** What route files define: their plain routes' ids and their route templates' ids. */
    record Contents(List<String> routeIds, List<String> templates) {
    }

    /**
     * A context to read route files into that never starts, so nothing they name is created or connected: with the
     * same settings, for the placeholders read while routes are added (a precondition), and silent when stopped.
     */
    private static DefaultCamelContext scratch(CamelContext context) {
        DefaultCamelContext scratch = new DefaultCamelContext();
        scratch.setStartupSummaryLevel(StartupSummaryLevel.Off);
        scratch.getPropertiesComponent().setInitialProperties(context.getPropertiesComponent().loadProperties());
        return scratch;
    }

    private static void checkEndpoints(CamelContext scratch, ProcessorDefinition<?> parent, boolean resolvePlaceholders) {
        for (ProcessorDefinition<?> step : parent.getOutputs()) {
            if (step instanceof SendDefinition<?> send) {
                checkEndpoint(scratch, send.getEndpointUri(), send, resolvePlaceholders);
            } else if (step instanceof ToDynamicDefinition dynamic) {
                checkEndpoint(scratch, dynamic.getUri(), dynamic, resolvePlaceholders);
            }
            checkEndpoints(scratch, step, resolvePlaceholders);
        }
    }

    /**
     * An endpoint whose component this build lacks, with an option its component does not have (a typo, as
     * {@code groupid} for {@code groupId}, read from the component's own list of options without creating it), or
     * (in a route, not a template) a placeholder nothing sets.
     */
    static void checkEndpoint(CamelContext scratch, String uri, LineNumberAware where, boolean resolvePlaceholders) {
        if (uri == null || uri.contains("${")) {
            return; // made per message: only known when a message comes
        }
        if (resolvePlaceholders && uri.contains("{{")) {
            try {
                uri = scratch.resolvePropertyPlaceholders(uri);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at(where) + ": " + firstLine(e.getMessage()), e);
            }
        }
        int colon = uri.indexOf(':');
        String scheme = colon < 0 ? uri : uri.substring(0, colon);
        if (scheme.contains("{{") || scheme.isEmpty()) {
            return;
        }
        EndpointUriFactory options = scratch.getCamelContextExtension().getEndpointUriFactory(scheme);
        if (options == null) {
            if (!hasComponent(scratch, scheme)) {
                throw new IllegalArgumentException(at(where) + ": no component '" + scheme + "' in this build (endpoint "
                        + abbreviate(uri) + "); add it to the pom and build the jar again");
            }
            return;
        }
        int query = uri.indexOf('?');
        if (query < 0 || options.isLenientProperties()) {
            return;
        }
        for (String option : uri.substring(query + 1).split("&")) {
            String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
            if (name.isEmpty() || name.contains("{{") || options.propertyNames().contains(name)
                    || options.multiValuePrefixes().values().stream().anyMatch(name::startsWith)
                    || options.multiValuePrefixes().keySet().stream().anyMatch(name::startsWith)) {
                continue;
            }
            String closest = options.propertyNames().stream().filter(known -> PipelineSettings.editDistance(known, name) <= 2
                    || known.equalsIgnoreCase(name)).findFirst().orElse(null);
            throw new IllegalArgumentException(at(where) + ": the " + scheme + " endpoint has no option '" + name + "'"
                    + (closest == null ? "" : " (did you mean " + closest + "?)"));
        }
    }

    private static boolean hasComponent(CamelContext scratch, String scheme) {
        try {
            return scratch.getComponent(scheme, true) != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String at(LineNumberAware where) {
        String location = where.getLocation() == null ? "(unknown)" : where.getLocation().replaceFirst("^file:", "");
        return "Invalid route file " + location + (where.getLineNumber() > 0 ? ", line " + where.getLineNumber() : "");
    }

    private static String abbreviate(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    /** "Invalid route file f.yaml, line 7, column 11: Unknown node id: too", from whatever Camel threw. */
    static String describe(String location, Throwable failure) {
        String where = "Invalid route file " + location.replaceFirst("^file:", "");
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYamlEngineException marked) {
                Mark mark = marked.getProblemMark().or(marked::getContextMark).orElse(null);
                String problem = marked.getProblem() == null || marked.getProblem().isBlank()
                        ? firstLine(marked.getContext()) : firstLine(marked.getProblem());
                return where + (mark == null ? "" : ", line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1)) + ": " + problem;
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return where + ": " + firstLine(root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
    }

    private static String firstLine(String text) {
        String line = text == null ? "" : text.strip();
        int end = line.indexOf('\n');
        return end < 0 ? line : line.substring(0, end).strip();
    }
}
