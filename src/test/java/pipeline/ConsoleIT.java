package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import localstack.EmbeddedS3;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a browser, against the application running on the embedded stack: Debian's headless
 * Chromium driven through Debian's chromedriver (never a downloaded one) where it is installed, as in CI;
 * otherwise HtmlUnit, so that `mvn verify` passes with only Java and Maven. The output says which ran, and
 * the screenshot, which only Chromium can take, is a test of its own that shows as skipped without it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT extends OnTheTestStack {

    private static final String TOKEN = "console-test-token";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }


    private static long number(WebElement cell) {
        String text = cell.getText().replace(",", "");
        return text.isEmpty() || text.equals("–") ? 0 : Long.parseLong(text);
    }

    private static boolean click(WebDriver browser, String css) {
        browser.findElement(By.cssSelector(css)).click();
        return true;
    }

    private static HttpResponse<String> post(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("X-Console-Token", token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The instance's id as its console says it: host:pid of the process it runs in (this test's JVM). */
    private static String pid(String base) throws Exception {
        String instance = get(base + "api/instance");
        assertThat(instance).matches("\\{\"id\":\"[^\"]+:" + ProcessHandle.current().pid() + "\"}");
        return instance.substring(7, instance.length() - 2);
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    @Order(1)
    void theOverviewCountsTheFlowsShowsMessagesAndPausesAndResumesTheMySqlSink() throws Exception {
        long started = System.nanoTime();
        Files.deleteIfExists(Path.of("target", "console-overview.png")); // the next test checks this run took it
        String table = "USERS"; // the topic P_USERS, as in a real run
        int port = freePort();
        String base = "http://127.0.0.1:" + port + "/";
        Map<String, String> settings = PipelineRunner.settingsFor(stack, table);
        settings.put("generator.enabled", "true");
        settings.put("generator.table", table);
        settings.put("generator.rate.per.second", "5");
        settings.put("console.enabled", "true");
        settings.put("console.port", Integer.toString(port));
        settings.put("console.token", TOKEN);
        try (PipelineRunner ignored = PipelineRunner.start(settings); Records records = new Records(stack.kafka().bootstrapServers())) {
            // a value that would run if the page put it in as HTML
            records.send("console_xss", "k", "<script>window.pwned = true</script><img src=x onerror=\"window.pwned = true\">");
            System.out.println("ConsoleIT: the console runs in " + HeadlessChromium.which());
            WebDriver browser = HeadlessChromium.startOrHtmlUnit();
            try {
                browser.get(base);
                // the page redraws its tables every 2 s: an element found a moment ago may be gone
                WebDriverWait wait = (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(60))
                        .ignoring(StaleElementReferenceException.class);
                for (String flow : List.of("source-" + table, "mysql-sink", "s3-sink")) {
                    wait.until(b -> number(b.findElement(By.cssSelector("#flow-" + flow + " .out"))) > 0);
                }
                wait.until(b -> b.findElement(By.cssSelector("#flow-mysql-sink .state")).getText().equals("Started"));
                wait.until(b -> b.findElement(By.id("health")).getText().equals("ready: UP"));
                // what this instance holds: the table's lock, each sink's one partition (another instance would hold others)
                assertThat(browser.findElement(By.id("instance")).getText()).isEqualTo("instance " + pid(base));
                wait.until(b -> b.findElement(By.cssSelector("#flow-source-" + table + " .held")).getText().equals("table lock"));
                wait.until(b -> b.findElement(By.cssSelector("#flow-mysql-sink .held")).getText().equals("P_" + table + "-0"));
                wait.until(b -> b.findElement(By.cssSelector("#flow-s3-sink .held")).getText().equals("P_" + table + "-0"));
                wait.until(b -> !b.findElements(By.cssSelector("#objects tbody tr")).isEmpty());
                if (browser instanceof TakesScreenshot camera) {
                    Path screenshot = camera.getScreenshotAs(OutputType.FILE).toPath();
                    Files.createDirectories(Path.of("target"));
                    Files.copy(screenshot, Path.of("target", "console-overview.png"), StandardCopyOption.REPLACE_EXISTING);
                }

                // each flow's steps as its route file defines them, the rows route nested under the sink
                wait.until(b -> click(b, "#steps-mysql-sink summary"));
                // with the exchanges that reached each step (a batch is one): the step that reads the batch saw some
                wait.until(b -> b.findElements(By.cssSelector("#steps-mysql-sink li.step")).stream()
                        .anyMatch(e -> e.getText().matches("bean ref:mysqlRows method:fromBatch ×[1-9][0-9,]*")));
                assertThat(browser.findElements(By.cssSelector("#steps-mysql-sink li.step")).stream()
                        .map(e -> e.getText().replaceFirst(" ×[0-9,]+$", "")))
                        .contains("to direct:mysql-sink-rows", "from direct:mysql-sink-rows (route mysql-sink-rows)",
                                "policy ref:mysqlTransaction (route mysql-sink-rows)");

                // browse the topic and read a message: key, pretty-printed value
                wait.until(b -> !b.findElements(By.id("topic-P_" + table)).isEmpty());
                wait.until(b -> click(b, "#topic-P_" + table));
                wait.until(b -> !b.findElements(By.cssSelector("#messages .message .value")).isEmpty());
                String value = browser.findElement(By.cssSelector("#messages .message .value")).getText();
                assertThat(value).contains("\"payload\" : {").contains("\"index\" :");

                // a value with markup is shown as text and never runs
                wait.until(b -> !b.findElements(By.id("topic-console_xss")).isEmpty());
                wait.until(b -> click(b, "#topic-console_xss"));
                wait.until(b -> b.findElements(By.cssSelector("#messages .message .value")).stream()
                        .anyMatch(e -> e.getText().contains("<script>window.pwned = true</script>")));
                assertThat(((JavascriptExecutor) browser).executeScript("return window.pwned === undefined")).isEqualTo(true);

                // pause the MySQL sink: its row count stops; resume: it moves again
                browser.findElement(By.id("token")).sendKeys(TOKEN);
                ((JavascriptExecutor) browser).executeScript("document.getElementById('token').dispatchEvent(new Event('change'))");
                wait.until(b -> click(b, "#flow-mysql-sink .toggle"));
                wait.until(b -> b.findElement(By.cssSelector("#flow-mysql-sink .state")).getText().equals("Suspended"));
                Thread.sleep(2_500); // a batch in flight when it paused may still land
                long pausedRows = number(browser.findElement(By.id("mysql-rows")));
                Thread.sleep(4_000);
                assertThat(number(browser.findElement(By.id("mysql-rows")))).as("rows while paused").isEqualTo(pausedRows);
                assertThat(get(base + "health/ready")).contains("\"status\":\"DOWN\"").contains("\"mysql-sink\":\"Suspended\"");
                wait.until(b -> click(b, "#flow-mysql-sink .toggle"));
                wait.until(b -> b.findElement(By.cssSelector("#flow-mysql-sink .state")).getText().equals("Started"));
                wait.until(b -> number(b.findElement(By.id("mysql-rows"))) > pausedRows);
            } finally {
                browser.quit();
            }

            // machine interfaces: health for probes, Prometheus metrics, the token, no secrets anywhere
            assertThat(get(base + "health/live")).contains("\"status\":\"UP\"");
            assertThat(get(base + "health/ready")).contains("\"status\":\"UP\"").contains("\"kafka\":\"UP\"").contains("\"s3\":\"UP\"");
            String metrics = get(base + "metrics");
            assertThat(metrics).contains("pipeline_records_out_total{flow=\"mysql-sink\"}").contains("pipeline_consumer_lag{flow=\"s3-sink\"}")
                    .contains("pipeline_dead_letters_total{flow=\"mysql-sink\"}").contains("jvm_memory_used_bytes");
            String instance = "instance=\"" + pid(base) + "\"";
            assertThat(metrics).contains("pipeline_partitions_held{flow=\"mysql-sink\"," + instance + "} 1.0")
                    .contains("pipeline_partition_held{flow=\"s3-sink\"," + instance + ",partition=\"0\",topic=\"P_" + table + "\"} 1.0")
                    .contains("pipeline_table_polled{flow=\"source-" + table + "\"," + instance + "} 1.0");
            assertThat(post(base + "api/flows/mysql-sink/pause", null).statusCode()).isEqualTo(401);
            assertThat(post(base + "api/flows/mysql-sink/pause", "wrong").statusCode()).isEqualTo(401);
            assertThat(post(base + "api/flows/no-such-flow/pause", TOKEN).statusCode()).isEqualTo(400);
            String steps = get(base + "api/steps");
            System.out.println("ConsoleIT: api/steps begins " + steps.substring(0, Math.min(400, steps.length())));
            assertThat(steps).contains("\"step\":\"bean\",\"what\":\"ref:s3Batches method:readAgainWhereBufferFailed\"");
            assertThat(metrics).containsPattern("pipeline_step_exchanges_total\\{id=\"[a-z]+[0-9]+\",route=\"mysql-sink\",step=\"bean\"} [1-9]");
            for (String path : List.of("", "api/flows", "api/steps", "api/topics", "api/groups", "api/sinks", "health/ready", "metrics",
                    "api/topics/P_" + table + "/messages?partition=0")) {
                assertThat(get(base + path)).as(path).doesNotContain(EmbeddedS3.SECRET_KEY).doesNotContain(TOKEN);
            }
            // bound to 127.0.0.1 only: another address of this machine is refused
            for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(network.getInetAddresses())) {
                    if (!address.isLoopbackAddress() && address.getAddress().length == 4) {
                        try (Socket socket = new Socket()) {
                            socket.connect(new InetSocketAddress(address, port), 1_000);
                            throw new AssertionError("console answered on " + address);
                        } catch (IOException refused) {
                            // expected
                        }
                    }
                }
            }
        }
        System.out.printf("ConsoleIT: browser test took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** Where HtmlUnit stands in, this is the one part of the page test that did not run: it says so as a skip. */
    @Test
    @Order(2)
    void theOverviewWasDrawnAndPhotographedInChromium() {
        Assumptions.assumeTrue(HeadlessChromium.chosen(),
                "Chromium is not installed (apt-get install chromium chromium-driver): the page ran in HtmlUnit, no screenshot");
        assertThat(Path.of("target", "console-overview.png")).as("the screenshot of the page test").isNotEmptyFile();
    }
}
