package dev.wasmerffm.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The playground page in headless Chromium (Debian's, installed by tools/install-browser.sh); a screenshot is kept. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "wasmer.cache.enabled=false")
class PlaygroundBrowserTest {

    @LocalServerPort
    int port;

    @TempDir
    Path profile;

    WebDriver driver;

    @BeforeEach
    void startBrowser() {
        ChromeOptions options = new ChromeOptions()
                .setBinary("/usr/bin/chromium")
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--window-size=1200,1600",
                        "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() {
        driver.quit();
    }

    @Test
    void runsAPluginFunctionAndPastedWatUploadsAPluginAndShowsTheResults() throws Exception {
        driver.get("http://localhost:" + port + "/");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        wait.until(d -> d.findElements(By.cssSelector("#fn option")).size() >= 4);
        new Select(driver.findElement(By.id("fn"))).selectByValue("math/add");
        driver.findElement(By.id("args")).clear();
        driver.findElement(By.id("args")).sendKeys("[40, 2]");
        driver.findElement(By.id("call")).click();
        wait.until(d -> d.findElement(By.id("result")).getText().contains("\"results\""));
        String result = driver.findElement(By.id("result")).getText();
        assertThat(result).contains("42").contains("pointsUsed");
        wait.until(d -> d.findElement(By.id("runtime")).getText().contains("7.4.2"));

        driver.findElement(By.id("runWat")).click(); // the default WAT squares its argument: 7 -> 49
        wait.until(d -> d.findElement(By.id("result")).getText().contains("49"));
        assertThat(driver.findElement(By.id("result")).getText())
                .contains("\"results\"")
                .contains("49");

        driver.findElement(By.id("upload")).click(); // the default upload: a plugin "squares" exporting sq
        wait.until(d -> !d.findElements(By.cssSelector("#fn option[value='squares/sq']"))
                .isEmpty());
        assertThat(driver.findElement(By.id("result")).getText()).contains("squares");
        new Select(driver.findElement(By.id("fn"))).selectByValue("squares/sq");
        driver.findElement(By.id("args")).clear();
        driver.findElement(By.id("args")).sendKeys("[9]");
        driver.findElement(By.id("call")).click();
        wait.until(d -> d.findElement(By.id("result")).getText().contains("81"));

        driver.findElement(By.id("classify")).click(); // the default order, as JSON through the Extism plugin
        wait.until(d -> d.findElement(By.id("result")).getText().contains("totalCents"));
        assertThat(driver.findElement(By.id("result")).getText())
                .contains("\"approved\": true")
                .contains("\"totalCents\": 7200");

        byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Path shot = Path.of("target", "playground.png");
        Files.write(shot, png);
        assertThat(png.length).isGreaterThan(10_000);
    }
}
