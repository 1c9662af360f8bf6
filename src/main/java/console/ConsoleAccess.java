package console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** The HTTP side of the console: assets from the jar, JSON answers, errors, the token, health status codes. */
public final class ConsoleAccess {

    public static final String TOKEN_HEADER = "X-Console-Token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, byte[]> ASSETS = new ConcurrentHashMap<>();
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

    private ConsoleAccess() {
    }

    /** One of the page's files, from the jar; the page may only load its own scripts (no inline, no CDN). */
    public static void asset(Exchange exchange, String name) {
        byte[] content = ASSETS.computeIfAbsent(name, ConsoleAccess::load);
        Message message = exchange.getMessage();
        message.setBody(content);
        message.setHeader(Exchange.CONTENT_TYPE, CONTENT_TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
        message.setHeader("Content-Security-Policy", "default-src 'self'");
        message.setHeader("X-Content-Type-Options", "nosniff");
        message.setHeader("Cache-Control", "no-cache");
    }

    private static byte[] load(String name) {
        try (InputStream in = ConsoleAccess.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console asset missing from the jar: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void json(Exchange exchange) throws JsonProcessingException {
        Message message = exchange.getMessage();
        message.setBody(JSON.writeValueAsBytes(message.getBody()));
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader("X-Content-Type-Options", "nosniff");
    }

    /** Health answers 200 when UP and 503 otherwise, as Kubernetes probes expect. */
    public static void health(Exchange exchange) throws JsonProcessingException {
        PipelineConsole.Health health = exchange.getMessage().getBody(PipelineConsole.Health.class);
        json(exchange);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, "UP".equals(health.status()) ? 200 : 503);
    }

    public static void error(Exchange exchange, int status) throws JsonProcessingException {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = cause == null ? "failed" : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        Message message = exchange.getMessage();
        message.setBody(Map.of("error", reason));
        json(exchange);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
    }

    /** Pausing and resuming need console.token, when one is set (compared in constant time). */
    public static void requireToken(Exchange exchange) {
        PipelineConsole console = exchange.getContext().getRegistry()
                .lookupByNameAndType(ConsoleFlow.CONSOLE, PipelineConsole.class);
        console.checkToken(exchange.getMessage().getHeader(TOKEN_HEADER, String.class));
    }
}
