package source;

import java.util.List;

/** The pollers of every table in source.table.whitelist, one route each. */
public record SourceTables(List<TablePoller> pollers) {


    public SourceTables {
        pollers = List.copyOf(pollers);
    }

    public TablePoller poller(String table) {
        return pollers.stream().filter(p -> p.name().equals(table)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no source table " + table));
    }
}
