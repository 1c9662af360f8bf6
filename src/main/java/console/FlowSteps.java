package console;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.CatchDefinition;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.OptionalIdentifiedDefinition;
import org.apache.camel.model.OutputNode;
import org.apache.camel.model.PolicyDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.TryDefinition;
import org.apache.camel.util.URISupport;

/**
 * What each flow does, step by step, as its route defines it: read from Camel's own route model (the route files
 * after their templates were filled in), so a user sees what runs, in order, and where a record goes. A step that
 * hands the exchange to another route of the pipeline ({@code to: direct:mysql-sink-rows}, {@code seda:s3-uploads})
 * is followed by that route's steps, one level deeper. Endpoint URIs are shown without secrets.
 */
public final class FlowSteps {

    /**
     * One step.
     *
     * @param route the route it belongs to
     * @param id    Camel's id of the step (its node id: {@code bean3}), as its processor is named in metrics
     * @param step  what it is ({@code bean}, {@code split}, {@code to}, ...)
     * @param what  its target or expression ({@code mysqlRows fromBatch}, {@code kafka:P_USERS})
     * @param depth how deep it is nested (the steps inside a split, a doTry, a filter, another route)
     * @param exchanges how many exchanges reached it (a sink's batch, a source's poll, a split's part), or null
     *                  where it is not counted (a route's {@code from}, or the console off)
     */
    public record Step(String route, String id, String step, String what, int depth, Long exchanges) {
    }

    /** The steps of a flow: the route in the console's Flows table. */
    public record Flow(String flow, List<Step> steps) {
    }

    private FlowSteps() {
    }

    /** The flow's steps, each with the exchanges {@code counts} saw reach it (null: none counted). */
    static Flow of(CamelContext context, String routeId, StepCounts counts) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        List<Step> steps = new ArrayList<>();
        add(context, model, model.getRouteDefinition(routeId), 0, steps, new HashSet<>());
        if (counts != null) {
            steps.replaceAll(step -> new Step(step.route(), step.id(), step.step(), step.what(), step.depth(),
                    counts.count(step.route(), step.id())));
        }
        return new Flow(routeId, steps);
    }

    private static void add(CamelContext context, Model model, RouteDefinition route, int depth, List<Step> steps, Set<String> seen) {
        if (route == null || !seen.add(route.getRouteId())) {
            return;
        }
        FromDefinition from = route.getInput();
        steps.add(new Step(route.getRouteId(), from.getId(), "from", resolved(context, route, from.getEndpointUri()), depth, null));
        addOutputs(context, model, route, route.getOutputs(), depth + 1, steps, seen);
    }

    private static void addOutputs(CamelContext context, Model model, RouteDefinition route,
                                   List<? extends OptionalIdentifiedDefinition<?>> outputs, int depth, List<Step> steps, Set<String> seen) {
        for (OptionalIdentifiedDefinition<?> output : outputs) {
            // an endpoint's settings are filled in (its secrets masked); a label only gets the template's parameters,
            // which hold no secret, so a log message naming a password placeholder shows the placeholder
            String what = output instanceof SendDefinition<?> send ? resolved(context, route, send.getEndpointUri())
                    : filled(route, label(output));
            steps.add(new Step(route.getRouteId(), output.getId(), output.getShortName(), what, depth, null));
            addOutputs(context, model, route, children(output), depth + 1, steps, seen);
            if (output instanceof BeanDefinition bean && bean.getRef() != null
                    && context.getRegistry().lookupByName(filled(route, bean.getRef())) instanceof transform.Transforms transforms) {
                // the flow's transforms, as its settings configure them, and the route each record goes through
                transforms.descriptions().forEach(transform -> steps.add(new Step(route.getRouteId(), null, "transform", transform,
                        depth + 1, null)));
                if (transforms.recordRouteId() != null) {
                    add(context, model, model.getRouteDefinition(transforms.recordRouteId()), depth + 1, steps, seen);
                }
            }
            if (output instanceof SendDefinition<?>) {
                // the pipeline's own hand-over to another of its routes: show what that route does, one level deeper
                add(context, model, routeReading(context, model, what), depth + 1, steps, seen);
            }
        }
    }

    /** The steps inside a step, with a doTry's doCatch and doFinally and a choice's when and otherwise. */
    private static List<OptionalIdentifiedDefinition<?>> children(OptionalIdentifiedDefinition<?> output) {
        List<OptionalIdentifiedDefinition<?>> children = new ArrayList<>();
        if (output instanceof OutputNode node && node.getOutputs() != null) {
            children.addAll(node.getOutputs());
        }
        List<OptionalIdentifiedDefinition<?>> branches = new ArrayList<>();
        if (output instanceof TryDefinition attempt) {
            branches.addAll(attempt.getCatchClauses());
            branches.add(attempt.getFinallyClause());
        } else if (output instanceof ChoiceDefinition choice) {
            branches.addAll(choice.getWhenClauses());
            branches.add(choice.getOtherwise());
        }
        branches.stream().filter(branch -> branch != null && !children.contains(branch)).forEach(children::add);
        return children;
    }

    /** {@code text} with the route template's parameters filled in ({@code {{flow}}Rows} is {@code mysqlRows}). */
    private static String filled(RouteDefinition route, String text) {
        if (text == null) {
            return "";
        }
        String filled = text;
        if (route.getTemplateParameters() != null) {
            for (var parameter : route.getTemplateParameters().entrySet()) {
                filled = filled.replace("{{" + parameter.getKey() + "}}", String.valueOf(parameter.getValue()));
            }
        }
        return filled;
    }

    /** The route that reads {@code uri} when it is a direct: or seda: endpoint of this pipeline. */
    private static RouteDefinition routeReading(CamelContext context, Model model, String uri) {
        if (!(uri.startsWith("direct:") || uri.startsWith("seda:"))) {
            return null;
        }
        String base = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        for (RouteDefinition candidate : model.getRouteDefinitions()) {
            String input = resolved(context, candidate, candidate.getInput().getEndpointUri());
            if (input.equals(base) || input.startsWith(base + "?")) {
                return candidate;
            }
        }
        return null;
    }

    /** "bean[ref:mysqlRows method:fromBatch]" -> "ref:mysqlRows method:fromBatch": the label without its step name. */
    private static String label(OptionalIdentifiedDefinition<?> output) {
        if (output instanceof PolicyDefinition policy) {
            return "ref:" + policy.getRef();
        }
        if (output instanceof ChoiceDefinition) {
            return ""; // its when and otherwise are listed under it
        }
        if (output instanceof CatchDefinition caught) {
            String when = caught.getOnWhen() == null ? "" : " onWhen " + caught.getOnWhen().getExpression().getLabel();
            return String.join(", ", caught.getExceptions()) + when;
        }
        if (output instanceof BeanDefinition bean && bean.getRef() == null && bean.getMethod() != null) {
            return bean.getBeanType() + " method:" + bean.getMethod();
        }
        String label = output.getLabel();
        if (label == null) {
            return "";
        }
        String name = output.getShortName();
        if (label.equals(name)) {
            return "";
        }
        return label.startsWith(name + "[") && label.endsWith("]") ? label.substring(name.length() + 1, label.length() - 1) : label;
    }

    /**
     * The text as the route runs it: a template's parameters ({@code {{flow}}Rows} is {@code mysqlRows}) and the
     * settings filled in where they resolve, secrets in URIs masked.
     */
    private static String resolved(CamelContext context, RouteDefinition route, String text) {
        String filled = filled(route, text);
        if (filled.contains("{{")) {
            try {
                filled = context.resolvePropertyPlaceholders(filled);
            } catch (RuntimeException e) {
                // left as written
            }
        }
        return URISupport.sanitizeUri(filled);
    }
}
