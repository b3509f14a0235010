package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.trackrecord.api.auth.Role;
import dev.trackrecord.ledger.bundle.BundleVerification;
import dev.trackrecord.ledger.bundle.BundleVerifier;
import dev.trackrecord.ledger.note.NoteVerifier;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The contractor page in headless Chromium against a real server: sign in by keyboard, the score
 * state, the chart, every entry verified by the page's own WebCrypto, a dispute, the download
 * verified by {@link BundleVerifier}, the access log, a proof altered in transit (by a
 * proxy between browser and server) shown as failed, and the score block given a reputation
 * document (answered by a proxy until the reputation engine is wired in). Screenshots go to target/screenshots/.
 *
 * <p>Needs /usr/bin/chromium and /usr/bin/chromedriver; without them it is skipped, unless the
 * CI environment variable is set, where it fails (.ci/run installs both).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContractorPageBrowserTest {
    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Paths.get("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static TestServer server;
    private static TamperingProxy proxy;
    private static TamperingProxy scoreProxy;
    private static WebDriver driver;
    private static Path profile;
    private static Path downloads;
    private static String token;
    private static long tamperedSeq;
    private static int ownEntries;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            String why = "Chromium or chromedriver missing at " + CHROMIUM + " / " + CHROMEDRIVER
                    + " (apt-get install -y chromium chromium-driver)";
            if (System.getenv("CI") != null) {
                throw new IllegalStateException(why + "; CI must run the browser tests (.ci/run installs them)");
            }
            Assumptions.abort(why + "; browser tests skipped outside CI");
        }
        server = TestServer.start();
        token = server.token(Role.CONTRACTOR); // contractor c-1
        String[][] audits = {
                {"2026-01-05T10:00:00Z", "9500", "pass"}, {"2026-01-20T10:00:00Z", "8800", "pass"},
                {"2026-02-03T10:00:00Z", "4000", "fail"}, {"2026-02-21T10:00:00Z", "9100", "pass"},
                {"2026-03-09T10:00:00Z", "9700", "pass"}, {"2026-03-30T10:00:00Z", "7600", "partial"}};
        for (int i = 0; i < audits.length; i++) {
            server.append(audit("c-1", "page-a" + i, audits[i][0], audits[i][1], audits[i][2]));
            server.append(audit("c-2", "page-other" + i, audits[i][0], "1000", "fail"));
        }
        server.append(taskOutcome("c-1", "page-t1"));
        ownEntries = audits.length + 1;
        tamperedSeq = server.server.ledger().contractorSeqs("c-1")[2];
        checkpoint();
        proxy = TamperingProxy.start(server.server.port(), "/v1/me/entries/" + tamperedSeq + "/proof", null);
        scoreProxy = TamperingProxy.start(server.server.port(), "-", STAND_IN_REPUTATION);

        Files.createDirectories(SCREENSHOTS);
        profile = Files.createTempDirectory("chromium-profile");
        downloads = Files.createTempDirectory("chromium-downloads");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,3000");
        options.setExperimentalOption("prefs", Map.of(
                "download.default_directory", downloads.toString(),
                "download.prompt_for_download", false,
                "safebrowsing.enabled", false));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (scoreProxy != null) {
            scoreProxy.close();
        }
        if (server != null) {
            server.close();
        }
        for (Path p : new Path[] {profile, downloads}) {
            if (p != null) {
                try (Stream<Path> files = Files.walk(p)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    @Test
    @Order(1)
    void signIn_byKeyboard_showsScoreState_chart_andEveryEntryVerified() throws Exception {
        driver.get(server.uri("/me").toString());
        signInByKeyboard();
        waitFor(() -> driver.findElement(By.id("dashboard")).isDisplayed());
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("title");
        assertThat(driver.findElement(By.id("who")).getText()).contains("c-1");

        // No reputation engine is wired in: the page says so instead of a score.
        waitFor(() -> !driver.findElements(By.id("score-unavailable")).isEmpty()
                || !driver.findElements(By.id("score-value")).isEmpty());
        if (!driver.findElements(By.id("score-unavailable")).isEmpty()) {
            assertThat(driver.findElement(By.id("score-unavailable")).getText()).contains("not available");
        } else {
            assertThat(driver.findElement(By.id("score-band")).getText()).contains("Likely between");
        }
        // The chart shows the engine's score after each scored entry: six audits and one task outcome.
        waitFor(() -> driver.findElement(By.id("chart-desc")).getAttribute("textContent").contains("scored entries"));
        WebElement chart = driver.findElement(By.id("chart-svg"));
        assertThat(chart.findElements(By.cssSelector("circle"))).hasSize(7);
        assertThat(chart.findElement(By.cssSelector("polyline")).getAttribute("points")).isNotBlank();
        assertThat(driver.findElement(By.id("chart-help")).getText()).contains("reputation engine computed");

        waitForBadges(ownEntries, 0);
        assertThat(entrySeqs()).hasSize(ownEntries);
        assertThat(driver.findElement(By.id("verify-summary")).getText())
                .isEqualTo(ownEntries + " of " + ownEntries + " entries verified.");
        screenshot("01-signed-in-verified");
    }

    @Test
    @Order(2)
    void dispute_appearsAsANewEntry_andVerifiesAfterTheNextCheckpoint() throws Exception {
        long target = server.server.ledger().contractorSeqs("c-1")[3];
        driver.findElement(By.id("dispute-" + target)).click();
        WebElement form = driver.findElement(By.id("dispute-form-" + target));
        assertThat(form.isDisplayed()).isTrue();
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("dispute-form-" + target + "-code");
        new Select(driver.findElement(By.id("dispute-form-" + target + "-code"))).selectByValue("wrong_audit");
        driver.findElement(By.id("dispute-form-" + target + "-reason")).sendKeys("The gold answer for item 7 was wrong.");
        screenshot("02-dispute-form");
        form.findElement(By.cssSelector("button[type=submit]")).click();

        waitFor(() -> driver.findElement(By.id("status")).getText().contains("recorded as entry #"));
        long[] seqs = server.server.ledger().contractorSeqs("c-1");
        long disputeSeq = seqs[seqs.length - 1];
        WebElement entry = driver.findElement(By.id("entry-" + disputeSeq));
        assertThat(entry.getAttribute("data-kind")).isEqualTo("dispute.opened");
        assertThat(entry.getText()).contains("You disputed entry #" + target).contains("item 7");
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("entry-" + disputeSeq + "-h");

        // Not in a signed checkpoint yet: the page waits, then verifies once one is signed.
        checkpoint();
        waitForBadges(ownEntries + 1, 0);
        screenshot("03-dispute-verified");
    }

    @Test
    @Order(3)
    void download_isABundleThatVerifies() throws Exception {
        driver.findElement(By.id("download")).click();
        Path zip = downloads.resolve("trackrecord-c-1.zip");
        waitFor(() -> Files.exists(zip) && zip.toFile().length() > 0);
        Thread.sleep(300); // let Chromium rename .crdownload and close the file
        BundleVerification v = BundleVerifier.verify(zip, Optional.of(NoteVerifier.parse(server.server.verifierKey())));
        assertThat(v.entryCount()).isEqualTo(ownEntries + 1);
        assertThat(driver.findElement(By.id("status")).getText()).contains("trackrecord verify");
    }

    @Test
    @Order(4)
    void accessLog_showsWhoElseReadTheRecord() {
        assertThat(server.get("/v1/contractors/c-1/entries", server.token(Role.COMPLIANCE)).statusCode()).isEqualTo(200);
        driver.findElement(By.id("refresh")).click();
        waitFor(() -> driver.findElement(By.id("access-rows")).getText().contains("test-compliance"));
        assertThat(driver.findElement(By.id("access-chain")).getText()).contains("verified");
        waitForBadges(ownEntries + 1, 0);
        screenshot("04-access-log");
    }

    @Test
    @Order(5)
    void phoneWidth_staysReadable() {
        driver.manage().window().setSize(new Dimension(390, 2400));
        try {
            Object overflow = ((JavascriptExecutor) driver).executeScript(
                    "return document.documentElement.scrollWidth > document.documentElement.clientWidth;");
            assertThat(overflow).isEqualTo(false);
            screenshot("05-phone-width");
        } finally {
            driver.manage().window().setSize(new Dimension(1280, 3000));
        }
    }

    @Test
    @Order(6)
    void proofAlteredInTransit_showsTheEntryAsFailed() {
        driver.get("http://127.0.0.1:" + proxy.port() + "/me"); // another origin: a fresh session
        signInByKeyboard();
        waitForBadges(ownEntries + 1, 1); // with the dispute of test 2
        WebElement badge = driver.findElement(By.id("badge-" + tamperedSeq));
        assertThat(badge.getText()).contains("failed");
        assertThat(badge.getAttribute("class")).contains("failed");
        assertThat(driver.findElement(By.id("entry-" + tamperedSeq)).getText()).contains("Why it failed")
                .contains("root");
        assertThat(driver.findElement(By.id("verify-summary")).getText()).contains("1 FAILED");
        assertThat(proxy.tampered()).isPositive();
        screenshot("06-tampered-proof-failed");
    }

    /**
     * A reputation document in the shape of {@code GET /v1/contractors/{id}/reputation}, answered by
     * a proxy in place of the server's 503 until the reputation engine is wired in.
     */
    private static final String STAND_IN_REPUTATION = """
            {"contractor":"c-1","policy":"policy-1","as_of":{"seq":12,"ts":"2026-11-28T10:00:00.000Z"},
             "status":"active","overall":{"score":8750,"lower":8100,"upper":9230,"n_eff":6.4},
             "skills":{"ner":{"score":9100,"lower":8300,"upper":9600,"n_eff":3.1},
                       "medical":{"score":8200,"lower":7000,"upper":9000,"n_eff":2.2}},
             "credentials":[],
             "explanation":[{"seq":4,"kind":"audit.result","delta_bp":-640,"reason":"failed gold audit"},
                            {"seq":8,"kind":"audit.result","delta_bp":210}]}
            """;

    @Test
    @Order(7)
    void withAReputationDocument_showsScoreBandSkillsAndExplanation() {
        driver.get("http://127.0.0.1:" + scoreProxy.port() + "/me");
        signInByKeyboard();
        waitFor(() -> !driver.findElements(By.id("score-value")).isEmpty());
        assertThat(driver.findElement(By.id("score-value")).getText()).isEqualTo("87.5");
        assertThat(driver.findElement(By.id("score-band")).getText()).contains("Likely between 81.0 and 92.3");
        assertThat(driver.findElement(By.id("skills")).getText()).contains("ner: 91.0").contains("medical: 82.0");
        assertThat(driver.findElement(By.id("explanation-list")).getText())
                .contains("Entry #4 (audit.result) moved your score down by 6.4 points: failed gold audit.");
        waitForBadges(ownEntries + 1, 0);
        screenshot("07-with-score");
    }

    // ---------------------------------------------------------------- helpers

    private static void signInByKeyboard() {
        WebElement field = driver.findElement(By.id("token"));
        // Skip link first, then the token field: reach it with the keyboard alone.
        new Actions(driver).sendKeys(Keys.TAB).sendKeys(Keys.TAB).perform();
        assertThat(driver.switchTo().activeElement()).isEqualTo(field);
        field.sendKeys(token);
        new Actions(driver).sendKeys(Keys.TAB).perform();
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("signin-button");
        new Actions(driver).sendKeys(Keys.ENTER).perform();
    }

    private static List<Long> entrySeqs() {
        return driver.findElements(By.cssSelector("#entries > li")).stream()
                .map(e -> Long.parseLong(e.getAttribute("data-seq"))).toList();
    }

    /** Waits until {@code total} entries have a final badge, {@code failed} of them failed. */
    private static void waitForBadges(int total, int failed) {
        waitFor(() -> {
            List<WebElement> badges = driver.findElements(By.cssSelector("#entries .badge"));
            long verified = badges.stream().filter(b -> b.getAttribute("class").contains("verified")).count();
            long bad = badges.stream().filter(b -> b.getAttribute("class").contains("failed")).count();
            return badges.size() == total && verified == total - failed && bad == failed;
        });
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        try {
            new WebDriverWait(driver, WAIT).until(d -> condition.getAsBoolean());
        } catch (RuntimeException e) {
            screenshot("failure-" + System.currentTimeMillis());
            throw new AssertionError("timed out; page text:\n" + driver.findElement(By.tagName("body")).getText(), e);
        }
    }

    private static void screenshot(String name) {
        try {
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(SCREENSHOTS.resolve(name + ".png"), png);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void checkpoint() {
        HttpResponse<String> r = server.post("/v1/checkpoints", server.token(Role.ADMIN), new byte[0]);
        assertThat(r.statusCode()).isEqualTo(200);
    }

    private static String audit(String contractor, String eventId, String occurredAt, String scoreBp, String verdict) {
        return """
                {"kind":"audit.result","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"%s","audit_id":"audit-%s","task_id":"task-%s",
                "method":"gold","auditor":"qa-service","verdict":"%s","score_bp":%s,"error_tags":[],
                "evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
                """.formatted(contractor, eventId, occurredAt, eventId, eventId, verdict, scoreBp);
    }

    private static String taskOutcome(String contractor, String eventId) {
        return """
                {"kind":"task.outcome","contractor":"%s","event_id":"%s","body":{
                "occurred_at":"2026-03-31T09:26:53Z","task_id":"task-88121","project_id":"proj-med-ner",
                "skills":["ner","medical"],"outcome":"accepted","duration_s":742,"late":false,
                "value_minor":350,"currency":"USD"}}
                """.formatted(contractor, eventId);
    }

    /**
     * Sits between the browser and the server, passes everything through, and flips one hex digit
     * of the first proof hash in responses to one path: a proof altered in transit.
     */
    static final class TamperingProxy implements AutoCloseable {
        private static final Set<String> HOP = Set.of("content-length", "transfer-encoding", "connection",
                "keep-alive", "date");
        private final HttpServer http;
        private final HttpClient client = HttpClient.newHttpClient();
        private final int target;
        private final String tamperPath;
        private final byte[] reputation;
        private final java.util.concurrent.atomic.AtomicInteger tampered = new java.util.concurrent.atomic.AtomicInteger();

        private TamperingProxy(int target, String tamperPath, String reputation) throws IOException {
            this.target = target;
            this.tamperPath = tamperPath;
            this.reputation = reputation == null ? null : reputation.getBytes(StandardCharsets.UTF_8);
            this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/", this::forward);
            http.start();
        }

        /** @param reputation when not null, the answer to /v1/me/reputation instead of the server's */
        static TamperingProxy start(int target, String tamperPath, String reputation) throws IOException {
            return new TamperingProxy(target, tamperPath, reputation);
        }

        int port() {
            return http.getAddress().getPort();
        }

        int tampered() {
            return tampered.get();
        }

        private void forward(HttpExchange ex) throws IOException {
            try (ex) {
                byte[] body = ex.getRequestBody().readAllBytes();
                HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target
                        + ex.getRequestURI())).method(ex.getRequestMethod(), body.length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
                for (String h : List.of("Authorization", "Content-Type", "Accept")) {
                    String v = ex.getRequestHeaders().getFirst(h);
                    if (v != null) {
                        req.header(h, v);
                    }
                }
                HttpResponse<byte[]> res = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
                byte[] out = res.body();
                if (reputation != null && ex.getRequestURI().getPath().equals("/v1/me/reputation")
                        && ex.getRequestHeaders().getFirst("Authorization") != null) {
                    ex.getResponseHeaders().put("Content-Type", List.of("application/json"));
                    ex.sendResponseHeaders(200, reputation.length);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(reputation);
                    }
                    return;
                }
                if (ex.getRequestURI().getPath().equals(tamperPath) && res.statusCode() == 200) {
                    ObjectNode proof = (ObjectNode) TestServer.JSON.readTree(out);
                    ArrayNode hashes = (ArrayNode) proof.get("hashes");
                    String h = hashes.get(0).asText();
                    hashes.set(0, h.substring(0, 63) + (h.charAt(63) == '0' ? '1' : '0'));
                    out = TestServer.JSON.writeValueAsBytes(proof);
                    tampered.incrementAndGet();
                }
                Map<String, List<String>> headers = new HashMap<>(res.headers().map());
                headers.forEach((k, v) -> {
                    if (!HOP.contains(k.toLowerCase(java.util.Locale.ROOT)) && !k.startsWith(":")) {
                        ex.getResponseHeaders().put(k, v);
                    }
                });
                ex.sendResponseHeaders(res.statusCode(), out.length == 0 ? -1 : out.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    static {
        // Selenium must not look for drivers on the network.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        System.setProperty("SE_AVOID_STATS", "true");
    }
}
