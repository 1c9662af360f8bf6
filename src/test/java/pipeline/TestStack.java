package pipeline;

import java.nio.file.Path;

import localstack.LocalStack;

/** One embedded stack per test JVM, shared by the integration tests (each uses its own tables and topics). */
final class TestStack {

    static final String BUCKET = "test-bucket";
    private static LocalStack stack;

    private TestStack() {
    }

    static synchronized LocalStack get() throws Exception {
        if (stack == null) {
            stack = LocalStack.start(Path.of("target", "it-stack"), BUCKET);
            stack.exposeS3Credentials();
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "test-stack-shutdown"));
        }
        return stack;
    }
}
