package source;

import java.util.List;

/**
 * The captures of every table in source.table.whitelist (or of source.query), one route each: capture
 * {@code i} is bound in the registry as {@link #captureBean(String, int)}, its query as {@code <bean>-query} and
 * its poll strategy as {@code <bean>-polls}, the names routes/source.yaml uses.
 */
public record SourceTables(List<TableCapture> captures) {

    public SourceTables {
        captures = List.copyOf(captures);
    }

    /** Capture {@code index} of source flow {@code flowName}: {@code source-capture-0}. */
    public static String captureBean(String flowName, int index) {
        return flowName + "-capture-" + index;
    }
}
