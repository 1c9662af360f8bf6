package record;

/**
 * One field of a record schema.
 *
 * @param scale the decimal scale, used only by {@link FieldType#DECIMAL}
 */
public record Field(String name, FieldType type, boolean optional, int scale) {

    public static Field of(String name, FieldType type, boolean optional) {
        return new Field(name, type, optional, 0);
    }
}
