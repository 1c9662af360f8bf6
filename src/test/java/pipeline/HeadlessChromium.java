package pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

import org.htmlunit.BrowserVersion;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.htmlunit.HtmlUnitDriver;

/**
 * Debian's Chromium driven through Debian's chromedriver (packages chromium and chromium-driver), named
 * by path so that Selenium never looks for, or downloads, a driver of its own.
 */
public final class HeadlessChromium {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private HeadlessChromium() {
    }

    /** Chromium where installed, unless -Dconsole.test.browser=htmlunit asks for the fallback (to test it). */
    public static boolean chosen() {
        return installed() && !"htmlunit".equals(System.getProperty("console.test.browser"));
    }

    public static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /**
     * A browser for the console test: Chromium where it is installed (CI installs it), otherwise HtmlUnit,
     * a Java browser with a JavaScript engine that comes from Maven Central, so that the README's test
     * command passes on a machine with only Java and Maven. {@link #installed()} tells which one this is.
     */
    public static WebDriver startOrHtmlUnit() {
        if (chosen()) {
            return start();
        }
        return new HtmlUnitDriver(BrowserVersion.CHROME, true) {
            @Override
            protected org.htmlunit.WebClient modifyWebClient(org.htmlunit.WebClient client) {
                client.getOptions().setFetchPolyfillEnabled(true); // HtmlUnit's fetch() is a polyfill, off by default
                return client;
            }
        };
    }

    /** Which browser {@link #startOrHtmlUnit()} runs, for the test output. */
    public static String which() {
        if (chosen()) {
            return "headless Chromium (" + CHROMIUM + ")";
        }
        return installed() ? "HtmlUnit (-Dconsole.test.browser=htmlunit)"
                : "HtmlUnit (Chromium is not installed: apt-get install chromium chromium-driver to test in a real browser)";
    }

    public static WebDriver start() {
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toString())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build(), options);
    }
}
