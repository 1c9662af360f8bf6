package transform;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import record.Field;
import record.FieldType;
import record.RecordSchema;
import record.Row;

/**
 * The {@code fields}' values replaced by their HMAC-SHA256 under a secret {@code key}, in lower-case hex (64
 * characters), so a value can still be joined on and counted but not read back without the key; the fields become
 * strings. A value is hashed as its text in UTF-8 (a number as its decimal digits). A null stays null. Kafka
 * Connect has no such transform (its {@code MaskField} blanks a value instead). The key is a secret: never logged.
 */
final class HashField implements RecordTransform {

    private static final String ALGORITHM = "HmacSHA256";

    private final List<String> fields;
    private final SecretKeySpec key;
    private final SchemaCache schemas = new SchemaCache();
    // a Mac is not thread-safe and costly to make: one per thread
    private final ThreadLocal<Mac> macs;

    HashField(List<String> fields, String key) {
        this.fields = fields;
        this.key = new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
        newMac(); // a key the JDK refuses fails at start-up, not at the first record
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available: " + e.getMessage(), e);
        }
    }

    @Override
    public Row apply(Row value, Origin origin) {
        RecordSchema schema = schemas.get(value.schema(), input -> {
            List<Field> changed = new ArrayList<>();
            for (Field field : input.fields()) {
                changed.add(fields.contains(field.name()) ? Field.of(field.name(), FieldType.STRING, field.optional()) : field);
            }
            return new RecordSchema(input.name(), changed);
        });
        Map<String, Object> values = new LinkedHashMap<>(value.values());
        for (String name : fields) {
            Object old = values.get(name);
            if (old instanceof byte[] bytes) {
                values.put(name, hash(bytes));
            } else if (old != null) {
                values.put(name, hash(Cast.convert(name, old, FieldType.STRING).toString().getBytes(StandardCharsets.UTF_8)));
            }
        }
        return new Row(schema, values);
    }

    String hash(byte[] bytes) {
        return HexFormat.of().formatHex(macs.get().doFinal(bytes));
    }
}
