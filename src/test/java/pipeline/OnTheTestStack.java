package pipeline;

import localstack.LocalStack;
import org.junit.jupiter.api.BeforeAll;

/** Integration tests share the JVM's one embedded stack; each uses its own tables, topics and groups. */
abstract class OnTheTestStack {

    static LocalStack stack;

    @BeforeAll
    static void startStack() throws Exception {
        stack = TestStack.get();
    }
}
