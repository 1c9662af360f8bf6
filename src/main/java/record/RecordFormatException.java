package record;

/** A record that cannot be read: its message is the reason written to the dead-letter topic. */
public class RecordFormatException extends RuntimeException {

    public RecordFormatException(String reason) {
        super(reason);
    }
}
