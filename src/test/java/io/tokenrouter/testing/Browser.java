package io.tokenrouter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The machine's own Chromium, driven through its chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}; nothing is downloaded), headless, with helpers for the console's pages:
 * waiting for PrimeFaces' Ajax to settle, and a screenshot of each page under {@code target/screenshots}.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of(System.getProperty("it.chromium", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER = Path.of(System.getProperty("it.chromedriver", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Path.of(System.getProperty("it.screenshots", "target/screenshots"));

    private final WebDriver driver;
    private final String base;
    private final String prefix;

    /** A browser for the gateway at {@code base} (ending in /); screenshots are named {@code prefix-page.png}. */
    public Browser(String base, String prefix, boolean preferDark) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--lang=en-US", "--no-first-run", "--disable-extensions",
                "--force-prefers-reduced-motion");
        if (preferDark) {
            options.addArguments("--force-dark-mode", "--blink-settings=preferredColorScheme=0");
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        this.driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        this.base = base;
        this.prefix = prefix;
    }

    public WebDriver driver() {
        return driver;
    }

    /** Opens a console page ({@code admin/…}) or any path below the gateway. */
    public Browser open(String path) {
        driver.get(base + path);
        settle();
        return this;
    }

    public String url() {
        return driver.getCurrentUrl();
    }

    /** The page's text; read again when a navigation the last click started replaces the page meanwhile. */
    public String text() {
        return wait(d -> d.findElement(By.tagName("body")).getText());
    }

    public WebElement find(String css) {
        return wait(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The element of a Faces client id ("keys:name"), also inside further naming containers ("tabs:keys:name"). */
    public WebElement id(String clientId) {
        return find(idSelector(clientId));
    }

    static String idSelector(String clientId) {
        return "[id='" + clientId + "'], [id$=':" + clientId + "']";
    }

    public Browser type(String clientId, String text) {
        WebElement field = id(clientId);
        field.clear();
        field.sendKeys(text);
        return this;
    }

    public Browser click(String css) {
        script("document.querySelectorAll('.ui-growl-item-container').forEach(function (e) { e.remove(); });");
        WebElement element = wait(ExpectedConditions.elementToBeClickable(By.cssSelector(css)));
        // clear of the sticky navigation bar
        script("arguments[0].scrollIntoView({block: 'center'});", element);
        click(element);
        return this;
    }

    /** Clicks, and when the click posts a form without Ajax, waits until the page it leaves is gone. */
    private void click(WebElement element) {
        boolean posts = "submit".equals(element.getAttribute("type"))
                && !String.valueOf(element.getAttribute("onclick")).contains("return false");
        if (posts) {
            script("window.trLeaving = true;");
        }
        element.click();
        if (posts) {
            // the page that answers the post has no mark; while it loads, scripts may fail
            new WebDriverWait(driver, Duration.ofSeconds(20)).ignoring(WebDriverException.class)
                    .until(d -> Boolean.TRUE.equals(script("return window.trLeaving !== true;")));
        }
        settle();
    }

    /** Clicks {@code css} within {@code scope} (or {@code scope} itself when css is null). */
    public Browser clickIn(WebElement scope, String css) {
        WebElement element = css == null ? scope : scope.findElement(By.cssSelector(css));
        script("document.querySelectorAll('.ui-growl-item-container').forEach(function (e) { e.remove(); });"
                + "arguments[0].scrollIntoView({block: 'center'});", element);
        click(element);
        return this;
    }

    public Browser clickId(String clientId) {
        return click(idSelector(clientId));
    }

    /** Chooses an option of a PrimeFaces selectOneMenu by its visible label. */
    public Browser choose(String clientId, String label) {
        clickId(clientId);
        String panel = idSelector(clientId + "_panel");
        find(panel);
        for (WebElement item : id(clientId + "_panel").findElements(By.cssSelector("li.ui-selectonemenu-item"))) {
            // an item scrolled out of the panel's view has no visible text: its label is read from the page
            String text = item.getAttribute("data-label");
            if ((text == null ? item.getAttribute("textContent") : text).trim().equals(label)) {
                ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block:'nearest'})", item);
                item.click();
                settle();
                return this;
            }
        }
        throw new AssertionError("No option '" + label + "' in " + clientId);
    }

    /** Adds values to a PrimeFaces chips input. */
    public Browser chips(String clientId, String... values) {
        WebElement input = id(clientId + "_input");
        for (String value : values) {
            input.sendKeys(value);
            input.sendKeys(org.openqa.selenium.Keys.ENTER);
        }
        return this;
    }

    /** Confirms the global confirm dialog. */
    public Browser confirm() {
        click(".ui-confirmdialog-yes");
        return this;
    }

    /** Waits until the page is loaded and no Ajax request of PrimeFaces (or jQuery) is running. */
    public Browser settle() {
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
                "return document.readyState === 'complete' && (!window.PrimeFaces || !PrimeFaces.ajax"
                        + " || PrimeFaces.ajax.Queue.isEmpty()) && (!window.jQuery || jQuery.active === 0);")));
        return this;
    }

    public <T> T wait(Function<WebDriver, T> condition) {
        // a form post that navigates replaces the page under an element just found: look again
        return new WebDriverWait(driver, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class)
                .until(condition::apply);
    }

    public Browser waitForText(String text) {
        wait(d -> d.findElement(By.tagName("body")).getText().contains(text) ? Boolean.TRUE : null);
        return this;
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    public Cookie cookie(String name) {
        return driver.manage().getCookieNamed(name);
    }

    /** Saves the page as {@code target/screenshots/prefix-name.png}; the whole page, not only the window. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Number height = (Number) script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)");
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, Math.min(4000, Math.max(1000, height.intValue() + 40))));
            Path file = SCREENSHOTS.resolve(prefix + "-" + name + ".png");
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 1000));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
