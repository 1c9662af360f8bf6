package sink;

/**
 * A problem retrying cannot fix (a bad record with errors.tolerance=none, a missing table with
 * auto.create off): the sink route stops, nothing of the batch is committed, and the message says why.
 */
public class SinkHaltException extends RuntimeException {

    public SinkHaltException(String message) {
        super(message);
    }
}
