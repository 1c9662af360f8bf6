package transform;

/** A transform that cannot handle one record: the record becomes a dead letter with this reason. */
public class TransformException extends RuntimeException {

    public TransformException(String message) {
        super(message);
    }
}
