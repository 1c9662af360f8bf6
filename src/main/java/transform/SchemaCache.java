package transform;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import record.RecordSchema;

/**
 * A transform's output schema per input schema, so that records of one shape share one changed schema (the sinks
 * group rows and objects by schema). Keyed by the schema's value, not its instance: a plain JSON record's schema
 * is inferred anew for every record. At most {@value #MOST} schemas are kept, the least recently used go first, so
 * a topic of ever-changing shapes cannot fill the heap.
 */
final class SchemaCache {

    private static final int MOST = 1_000;

    private final Map<RecordSchema, RecordSchema> changed = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<RecordSchema, RecordSchema> eldest) {
            return size() > MOST;
        }
    };

    synchronized RecordSchema get(RecordSchema input, Function<RecordSchema, RecordSchema> change) {
        return changed.computeIfAbsent(input, change);
    }
}
