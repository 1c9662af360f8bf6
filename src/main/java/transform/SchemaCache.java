package transform;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;

import record.RecordSchema;

/**
 * A transform's output schema per input schema: records of one topic share a schema instance (the reader parses
 * each distinct schema once), so the changed schema is built once, and the sinks, which group rows and objects by
 * schema, see one instance too.
 */
final class SchemaCache {

    private final Map<RecordSchema, RecordSchema> changed = new IdentityHashMap<>();

    synchronized RecordSchema get(RecordSchema input, Function<RecordSchema, RecordSchema> change) {
        return changed.computeIfAbsent(input, change);
    }
}
