package record;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads and writes records as Kafka Connect's JsonConverter does: with schemas enabled, an envelope
 * {@code {"schema": {...}, "payload": {...}}}; without, the payload object alone. Reading accepts both.
 */
public final class ConnectJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();
    private static final String SCHEMA = "schema";
    private static final String PAYLOAD = "payload";

    private final boolean schemasEnabled;
    // a table's schema is written into every record: render it once
    private final Map<RecordSchema, String> renderedSchemas = new ConcurrentHashMap<>();

    public ConnectJson(boolean schemasEnabled) {
        this.schemasEnabled = schemasEnabled;
    }

    public String write(Row row) {
        return write(row, renderedSchema(row.schema()));
    }

    /** The schema part of every record of {@code schema} (empty with schemas off), for {@link #write(Row, String)}. */
    public String renderedSchema(RecordSchema schema) {
        return schemasEnabled ? renderedSchemas.computeIfAbsent(schema, ConnectJson::renderSchema) : "";
    }

    /**
     * A row, its schema already rendered by {@link #renderedSchema}: a reader of many rows of one schema
     * looks it up once (the lookup hashes and compares every field: 7 % of the source's samples per row).
     */
    public String write(Row row, String schema) {
        // sized for the schema and a typical payload: a StringWriter of 256 characters grew three times per
        // record and locked on every write (JFR: 3.6 % of the end-to-end samples)
        TextOut out = new TextOut(schema.length() + 512);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            if (schemasEnabled) {
                json.writeStartObject();
                json.writeFieldName(SCHEMA);
                json.writeRawValue(schema);
                json.writeFieldName(PAYLOAD);
                writePayload(json, row);
                json.writeEndObject();
            } else {
                writePayload(json, row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.text.toString();
    }

    /** A Writer into a StringBuilder: no lock per write, unlike StringWriter's StringBuffer. */
    private static final class TextOut extends Writer {

        final StringBuilder text;

        TextOut(int capacity) {
            text = new StringBuilder(capacity);
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            text.append(chars, offset, length);
        }

        @Override
        public void write(String chars, int offset, int length) {
            text.append(chars, offset, offset + length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** A row's payload as one line of JSON (what the data lake writes), for a record a transform changed. */
    public static String payloadLine(Row row) {
        TextOut out = new TextOut(512);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            writePayload(json, row);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory: not expected
        }
        return out.text.toString();
    }

    private static void writePayload(JsonGenerator json, Row row) throws IOException {
        json.writeStartObject();
        for (Field field : row.schema().fields()) {
            json.writeFieldName(field.name());
            writeValue(json, field, row.get(field.name()));
        }
        json.writeEndObject();
    }

    private static void writeValue(JsonGenerator json, Field field, Object value) throws IOException {
        if (value == null) {
            json.writeNull();
            return;
        }
        switch (field.type()) {
            case INT8, INT16, INT32, INT64 -> json.writeNumber(((Number) value).longValue());
            case FLOAT32, FLOAT64 -> json.writeNumber(((Number) value).doubleValue());
            case BOOLEAN -> json.writeBoolean((Boolean) value);
            case STRING -> json.writeString(value.toString());
            case BYTES -> json.writeString(Base64.getEncoder().encodeToString((byte[]) value));
            case DATE -> json.writeNumber(((LocalDate) value).toEpochDay());
            case TIME -> json.writeNumber(((LocalTime) value).toNanoOfDay() / 1_000_000);
            case TIMESTAMP -> json.writeNumber(((LocalDateTime) value).toInstant(ZoneOffset.UTC).toEpochMilli());
            case DECIMAL -> json.writeString(Base64.getEncoder().encodeToString(
                    ((BigDecimal) value).setScale(field.scale()).unscaledValue().toByteArray()));
        }
    }

    static String renderSchema(RecordSchema schema) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("type", "struct");
            json.writeArrayFieldStart("fields");
            for (Field field : schema.fields()) {
                json.writeStartObject();
                json.writeStringField("type", field.type().connectType());
                json.writeBooleanField("optional", field.optional());
                if (field.type().logicalName() != null) {
                    json.writeStringField("name", field.type().logicalName());
                    json.writeNumberField("version", 1);
                }
                if (field.type() == FieldType.DECIMAL) {
                    json.writeObjectFieldStart("parameters");
                    json.writeStringField("scale", Integer.toString(field.scale()));
                    json.writeEndObject();
                }
                json.writeStringField("field", field.name());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeBooleanField("optional", false);
            if (schema.name() != null) {
                json.writeStringField("name", schema.name());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Parsed schemas by their JSON text: every record of a table repeats the same schema. */
    private static final Map<String, RecordSchema> SCHEMAS = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, RecordSchema> eldest) {
                    return size() > 1_000;
                }
            });

    /** Where the parts of a record's JSON text are: an envelope's schema and payload, or a plain object. */
    private record Parts(String schemaText, boolean schemaKnown, String payloadText, boolean payloadIsNull, boolean envelope) {
    }

    /**
     * Finds the schema and payload of an envelope by their positions in the text, with a scanner that
     * only matches quotes and brackets: the schema (most of every record's bytes) is never tokenized
     * here. What is kept is checked by Jackson afterwards (the payload always; the schema when it is
     * parsed, once per distinct text). A plain object is its own payload.
     */
    private static Parts split(String text) {
        int length = text.length();
        int i = skipWhitespace(text, 0);
        if (i >= length || text.charAt(i) != '{') {
            throw isJson(text) ? new RecordFormatException("not a JSON object") : new RecordFormatException("not JSON: not an object");
        }
        String schemaText = null;
        boolean schemaKnown = false;
        String payloadText = null;
        boolean payloadIsNull = false;
        int fields = 0;
        i = skipWhitespace(text, i + 1);
        if (i < length && text.charAt(i) == '}') {
            i++;
        } else {
            while (true) {
                if (i >= length || text.charAt(i) != '"') {
                    throw new RecordFormatException("not JSON: a field name was expected at character " + i);
                }
                int nameEnd = skipString(text, i);
                boolean isSchema = isName(text, i, nameEnd, SCHEMA);
                boolean isPayload = !isSchema && isName(text, i, nameEnd, PAYLOAD);
                i = skipWhitespace(text, nameEnd);
                if (i >= length || text.charAt(i) != ':') {
                    throw new RecordFormatException("not JSON: ':' was expected at character " + i);
                }
                int valueStart = skipWhitespace(text, i + 1);
                String knownSchema = isSchema ? KnownSchemaTexts.at(text, valueStart) : null;
                int valueEnd = knownSchema != null ? valueStart + knownSchema.length() : skipValue(text, valueStart);
                fields++;
                if (isSchema && text.charAt(valueStart) == '{') {
                    schemaText = knownSchema != null ? knownSchema : text.substring(valueStart, valueEnd);
                    schemaKnown = knownSchema != null;
                } else if (isPayload) {
                    payloadText = text.substring(valueStart, valueEnd);
                    payloadIsNull = payloadText.equals("null");
                }
                i = skipWhitespace(text, valueEnd);
                if (i < length && text.charAt(i) == ',') {
                    i = skipWhitespace(text, i + 1);
                } else if (i < length && text.charAt(i) == '}') {
                    i++;
                    break;
                } else {
                    throw new RecordFormatException("not JSON: ',' or '}' was expected at character " + i);
                }
            }
        }
        if (skipWhitespace(text, i) != length) {
            throw new RecordFormatException("not JSON: text after the object");
        }
        boolean envelope = fields == 2 && schemaText != null && payloadText != null;
        return envelope ? new Parts(schemaText, schemaKnown, payloadText, payloadIsNull, true) : new Parts(null, false, text.trim(), false, false);
    }

    /** Whether the quoted field name from {@code start} (its opening quote) to {@code end} (after its closing one) is {@code name}. */
    private static boolean isName(String text, int start, int end, String name) {
        return end - start - 2 == name.length() && text.startsWith(name, start + 1);
    }

    /**
     * Schema texts seen recently (newest first), each a complete JSON object checked by Jackson. Every
     * record of a table repeats the same schema, most of its bytes: comparing the record with a known
     * schema text is several times cheaper than scanning it, and hands back the one String instance
     * whose parsed schema is cached, so the cache lookup does not hash 800 characters per record.
     */
    private static final class KnownSchemaTexts {

        private static final int MAX = 8;
        private static volatile String[] recent = new String[0];

        /** The known schema text found at {@code start} of the record, or null. */
        static String at(String text, int start) {
            for (String known : recent) {
                int end = start + known.length();
                // indexOf is a vectorized intrinsic: 65 ns for an 800-character schema where startsWith, which
                // compares byte by byte on Java 17, took 195 ns (and a substring compared with equals allocates)
                if (end <= text.length() && text.charAt(end - 1) == '}' && text.indexOf(known, start) == start) {
                    return known;
                }
            }
            return null;
        }

        /** Remembers a schema text that parsed as JSON (a complete object: a match is exactly its extent). */
        static void add(String schemaText) {
            String[] current = recent;
            for (String known : current) {
                if (known.equals(schemaText)) {
                    return;
                }
            }
            String[] next = new String[Math.min(MAX, current.length + 1)];
            next[0] = schemaText;
            System.arraycopy(current, 0, next, 1, next.length - 1);
            recent = next;
        }
    }

    private static boolean isJson(String text) {
        try {
            requireJson(text);
            return true;
        } catch (RecordFormatException e) {
            return false;
        }
    }

    private static int skipWhitespace(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** From an opening quote to just after its closing quote, stepping over escapes. */
    private static int skipString(String text, int i) {
        for (int j = i + 1; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == '"') {
                return j + 1;
            }
        }
        throw new RecordFormatException("not JSON: a string does not end");
    }

    /** Just after the value starting at i: an object or array (by matching brackets), a string or a literal. */
    private static int skipValue(String text, int i) {
        if (i >= text.length()) {
            throw new RecordFormatException("not JSON: a value was expected");
        }
        char first = text.charAt(i);
        if (first == '"') {
            return skipString(text, i);
        }
        if (first == '{' || first == '[') {
            int depth = 0;
            for (int j = i; j < text.length(); j++) {
                char c = text.charAt(j);
                if (c == '"') {
                    j = skipString(text, j) - 1;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    depth--;
                    if (depth == 0) {
                        return j + 1;
                    }
                }
            }
            throw new RecordFormatException("not JSON: an object or array does not end");
        }
        int j = i;
        while (j < text.length() && ",}] \t\r\n".indexOf(text.charAt(j)) < 0) {
            j++;
        }
        if (j == i) {
            throw new RecordFormatException("not JSON: a value was expected at character " + i);
        }
        return j;
    }

    /**
     * Parses a record value or key. Throws {@link RecordFormatException} with the reason when the text
     * is not JSON, not an object, or a value does not fit its declared type.
     */
    public static Row read(String text) {
        return read(text, false);
    }

    /**
     * Parses a record value that must carry its schema (an envelope): formats that store a schema, such
     * as Avro, cannot take a plain JSON object whose types are guessed per record.
     */
    public static Row readWithSchema(String text) {
        return read(text, true);
    }

    private static Row read(String text, boolean schemaRequired) {
        if (text == null) {
            return null;
        }
        Parts parts = split(text);
        try {
            if (!parts.envelope()) {
                if (schemaRequired) {
                    throw new RecordFormatException("has no schema (a plain JSON object, not a {\"schema\", \"payload\"} envelope)");
                }
                return inferPlain(MAPPER.readTree(text));
            }
            RecordSchema schema = schemaOf(parts);
            if (parts.payloadIsNull()) {
                return null;
            }
            return readPayload(schema, parts.payloadText());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RecordFormatException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a String: not expected
        }
    }

    /** The envelope's parsed schema, parsed once per distinct schema text. */
    private static RecordSchema schemaOf(Parts parts) throws IOException {
        RecordSchema schema = SCHEMAS.get(parts.schemaText());
        if (schema == null) {
            schema = parseSchema(MAPPER.readTree(parts.schemaText()));
            SCHEMAS.put(parts.schemaText(), schema);
            KnownSchemaTexts.add(parts.schemaText());
        }
        return schema;
    }

    /** Extracts the payload object (what a data lake line holds) from an envelope or a plain object. */
    public static JsonNode payloadOf(String text) {
        try {
            return MAPPER.readTree(payloadLine(text));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RecordFormatException("not JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * The payload as one line of JSON text: what the data lake writes for every record. A record is
     * accepted exactly as the sinks' reader accepts it (strict types, required fields present, see
     * {@link #read(String)}), without building its values: the line is cut out of the record as it is. A
     * payload with fields its schema does not declare (or declares once and holds twice) is written with
     * the declared fields only, as Connect's JsonConverter would hand it to a sink. Text spread over
     * several lines is rewritten compactly.
     */
    public static String payloadLine(String text) {
        Parts parts = split(text);
        String payload = parts.payloadText();
        try {
            if (!parts.envelope()) {
                requireJson(payload); // a plain object carries no schema to check against
            } else {
                RecordSchema schema = schemaOf(parts);
                if (!parts.payloadIsNull() && !checkPayload(schema, payload)) {
                    return renderPayload(readPayload(schema, payload));
                }
            }
            if (payload.indexOf('\n') >= 0 || payload.indexOf('\r') >= 0) {
                return MAPPER.readTree(payload).toString();
            }
            return payload;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RecordFormatException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a String: not expected
        }
    }

    /**
     * Checks a payload against its schema as {@link #readPayload} reads it, token by token, building only
     * the values whose check needs them. Returns false when the payload is valid but holds a field the
     * schema does not declare, or a declared one twice (the line must then be written from the schema).
     */
    private static boolean checkPayload(RecordSchema schema, String payloadText) throws IOException {
        List<Field> fields = schema.fields();
        boolean[] present = new boolean[fields.size()];
        boolean exact = eachDeclaredField(fields, payloadText, (index, parser, token) -> {
            Field field = fields.get(index);
            // the last occurrence decides presence, as in readPayload; every occurrence must fit its type
            present[index] = token != JsonToken.VALUE_NULL;
            if (!present[index] || (field.type() == FieldType.STRING && token == JsonToken.VALUE_STRING)) {
                return;
            }
            if (token == JsonToken.VALUE_NUMBER_INT && field.type().wholeNumber()
                    && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                requireInRange(field, parser.getLongValue()); // what readValue checks, without building a date
            } else {
                readValue(field, parser, token); // throws with the reader's own message when it does not fit
            }
        });
        for (int i = 0; i < present.length; i++) {
            requirePresent(fields.get(i), present[i]);
        }
        return exact;
    }

    private static void requirePresent(Field field, boolean present) {
        if (!present && !field.optional()) {
            throw new RecordFormatException("field '" + field.name() + "' is required but null or missing");
        }
    }

    /** What to do with one payload field the schema declares; the parser stands on its value. */
    private interface DeclaredField {
        void read(int index, JsonParser parser, JsonToken token) throws IOException;
    }

    /**
     * Walks a payload object, handing each field the schema declares to {@code onField} (fields are looked
     * for first where the previous one's successor is: payloads follow their schema) and skipping the
     * others. Returns whether every field was declared and none came twice.
     */
    private static boolean eachDeclaredField(List<Field> fields, String payloadText, DeclaredField onField) throws IOException {
        boolean[] seen = new boolean[fields.size()];
        boolean exact = true;
        try (JsonParser parser = FACTORY.createParser(payloadText)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new RecordFormatException("payload is not a JSON object");
            }
            int expected = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                int index = indexOf(fields, name, expected);
                if (index < 0) {
                    exact = false;
                    parser.skipChildren();
                    continue;
                }
                exact &= !seen[index];
                seen[index] = true;
                expected = index + 1;
                onField.read(index, parser, token);
            }
        }
        return exact;
    }

    private static String renderPayload(Row row) throws IOException {
        TextOut out = new TextOut(256);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            writePayload(json, row);
        }
        return out.text.toString();
    }

    /** Tokenizes the text to its end (no tree): what the data lake stores verbatim must be JSON. */
    private static void requireJson(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            while (parser.nextToken() != null) {
                // tokenize to the end
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RecordFormatException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RecordSchema parseSchema(JsonNode schemaNode) {
        if (!"struct".equals(schemaNode.path("type").asText())) {
            throw new RecordFormatException("schema type must be struct, was '" + schemaNode.path("type").asText() + "'");
        }
        List<Field> fields = new ArrayList<>();
        for (JsonNode fieldNode : schemaNode.path("fields")) {
            String name = fieldNode.path("field").asText(null);
            if (name == null) {
                throw new RecordFormatException("schema field without a name");
            }
            FieldType type;
            try {
                type = FieldType.fromConnect(fieldNode.path("type").asText(), fieldNode.path("name").asText(null));
            } catch (IllegalArgumentException e) {
                throw new RecordFormatException("field '" + name + "': " + e.getMessage());
            }
            int scale = fieldNode.path("parameters").path("scale").asInt(0);
            // as in Connect, a field that does not say it is optional is required
            fields.add(new Field(name, type, fieldNode.path("optional").asBoolean(false), scale));
        }
        return new RecordSchema(schemaNode.path("name").asText(null), fields);
    }

    /**
     * Reads the payload's fields straight from the parser into the schema's slots, without building a
     * tree first (the tree was about half of the MySQL sink's parsing). Fields the schema does not name
     * are skipped; a repeated field keeps its last value. Anything but the plain case (a JSON value of
     * the field's own kind) is read as a tree and goes through {@link #readValue(Field, JsonNode)}, so
     * conversions and error messages are the same either way.
     */
    private static Row readPayload(RecordSchema schema, String payloadText) throws IOException {
        List<Field> fields = schema.fields();
        Object[] slots = new Object[fields.size()];
        eachDeclaredField(fields, payloadText, (index, parser, token) ->
                slots[index] = token == JsonToken.VALUE_NULL ? null : readValue(fields.get(index), parser, token));
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < slots.length; i++) {
            requirePresent(fields.get(i), slots[i] != null);
            values.put(fields.get(i).name(), slots[i]);
        }
        return new Row(schema, values);
    }

    /** The field's position, looked for first where the previous field's successor is (payloads follow their schema). */
    private static int indexOf(List<Field> fields, String name, int expected) {
        if (expected < fields.size() && fields.get(expected).name().equals(name)) {
            return expected;
        }
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static Object readValue(Field field, JsonParser parser, JsonToken token) throws IOException {
        switch (field.type()) {
            case INT8, INT16, INT32, INT64, DATE, TIME, TIMESTAMP -> {
                if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    return integral(field, parser.getLongValue());
                }
            }
            case FLOAT32, FLOAT64 -> {
                if ((token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER)
                        || (token == JsonToken.VALUE_NUMBER_FLOAT && parser.getNumberType() == JsonParser.NumberType.DOUBLE)) {
                    return parser.getDoubleValue();
                }
            }
            case BOOLEAN -> {
                if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
                    return token == JsonToken.VALUE_TRUE;
                }
            }
            case STRING -> {
                if (token == JsonToken.VALUE_STRING) {
                    return parser.getText();
                }
            }
            case BYTES, DECIMAL -> {
                if (token == JsonToken.VALUE_STRING) {
                    return bytesOrDecimal(field, parser.getText());
                }
                if (field.type() == FieldType.DECIMAL && (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT)) {
                    return numericDecimal(field, parser.getDecimalValue()); // Connect's decimal.format=NUMERIC
                }
            }
        }
        return readValue(field, (JsonNode) MAPPER.readTree(parser));
    }

    private static Object readValue(Field field, JsonNode node) {
        FieldType type = field.type();
        switch (type) {
            case INT8, INT16, INT32, INT64, DATE, TIME, TIMESTAMP -> {
                if (!node.isIntegralNumber()) {
                    throw wrongType(field, node);
                }
                if (!node.canConvertToLong()) {
                    throw new RecordFormatException("field '" + field.name() + "' should be " + type.name().toLowerCase()
                            + " but " + abbreviate(node.toString()) + " is out of its range");
                }
                return integral(field, node.asLong());
            }
            case FLOAT32, FLOAT64 -> {
                if (!node.isNumber()) {
                    throw wrongType(field, node);
                }
                return node.asDouble();
            }
            case BOOLEAN -> {
                if (!node.isBoolean()) {
                    throw wrongType(field, node);
                }
                return node.asBoolean();
            }
            case STRING -> {
                if (!node.isTextual()) {
                    throw wrongType(field, node);
                }
                return node.asText();
            }
            case BYTES, DECIMAL -> {
                if (type == FieldType.DECIMAL && node.isNumber()) {
                    return numericDecimal(field, node.decimalValue());
                }
                if (!node.isTextual()) {
                    throw wrongType(field, node);
                }
                return bytesOrDecimal(field, node.asText());
            }
            default -> throw new IllegalStateException(type.name());
        }
    }

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private static void requireInRange(Field field, long number) {
        FieldType type = field.type();
        long min = switch (type) {
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32, DATE -> Integer.MIN_VALUE;
            case TIME -> 0;
            default -> Long.MIN_VALUE;
        };
        long max = switch (type) {
            case INT8 -> Byte.MAX_VALUE;
            case INT16 -> Short.MAX_VALUE;
            case INT32, DATE -> Integer.MAX_VALUE;
            case TIME -> MILLIS_PER_DAY - 1;
            default -> Long.MAX_VALUE;
        };
        if (number < min || number > max) {
            throw new RecordFormatException("field '" + field.name() + "' should be " + type.name().toLowerCase()
                    + " but " + number + " is out of its range (" + min + " to " + max + ")");
        }
    }

    /**
     * A whole number as its field's value. Out of the type's range is an error: Connect's JsonConverter
     * would silently cut the number to fit, and what it stored would not be what the record says.
     */
    private static Object integral(Field field, long number) {
        requireInRange(field, number);
        FieldType type = field.type();
        return switch (type) {
            case INT8 -> (byte) number;
            case INT16 -> (short) number;
            case INT32 -> (int) number;
            case DATE -> LocalDate.ofEpochDay(number);
            case TIME -> LocalTime.ofNanoOfDay(number * 1_000_000);
            case TIMESTAMP -> LocalDateTime.ofEpochSecond(Math.floorDiv(number, 1000),
                    (int) Math.floorMod(number, 1000) * 1_000_000, ZoneOffset.UTC);
            default -> number;
        };
    }

    /** A decimal written as a JSON number, at its schema's scale; refused if that scale would round it. */
    private static BigDecimal numericDecimal(Field field, BigDecimal number) {
        try {
            return number.setScale(field.scale(), java.math.RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new RecordFormatException("field '" + field.name() + "' has more than its " + field.scale()
                    + " decimal places: " + abbreviate(number.toPlainString()));
        }
    }

    private static Object bytesOrDecimal(Field field, String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new RecordFormatException("field '" + field.name() + "' is not base64");
        }
        return field.type() == FieldType.BYTES ? bytes : new BigDecimal(new BigInteger(bytes), field.scale());
    }

    private static RecordFormatException wrongType(Field field, JsonNode node) {
        return new RecordFormatException("field '" + field.name() + "' should be " + field.type().name().toLowerCase()
                + " but is " + node.getNodeType().name().toLowerCase() + " " + abbreviate(node.toString()));
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    /** A plain JSON object carries no schema: numbers become int64 or double, anything nested its JSON text. */
    private static Row inferPlain(JsonNode object) {
        List<Field> fields = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode node = entry.getValue();
            FieldType type;
            Object value;
            if (node.isNull()) {
                type = FieldType.STRING;
                value = null;
            } else if (node.isIntegralNumber()) {
                type = FieldType.INT64;
                value = node.asLong();
            } else if (node.isNumber()) {
                type = FieldType.FLOAT64;
                value = node.asDouble();
            } else if (node.isBoolean()) {
                type = FieldType.BOOLEAN;
                value = node.asBoolean();
            } else if (node.isTextual()) {
                type = FieldType.STRING;
                value = node.asText();
            } else {
                type = FieldType.STRING;
                value = node.toString();
            }
            fields.add(Field.of(entry.getKey(), type, true));
            values.put(entry.getKey(), value);
        }
        return new Row(new RecordSchema(null, fields), values);
    }
}
