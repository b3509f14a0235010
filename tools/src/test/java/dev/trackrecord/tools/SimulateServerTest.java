package dev.trackrecord.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.trackrecord.ledger.entry.EntryRejectedException;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.entry.SubmissionValidator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code simulate --server} against a stand-in for {@code POST /v1/entries}: it validates each
 * request as the service does, answers seqs, and (like a service past its first start) already
 * holds the default policy entry at seq 0 and 10 entries of others.
 */
class SimulateServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    private HttpServer server;
    private final List<Submission> log = new ArrayList<>();
    private final Map<String, Long> eventSeqs = new HashMap<>();
    private final List<Integer> batchSizes = new ArrayList<>();
    private String err = "";

    @BeforeEach
    void start() throws Exception {
        SubmissionValidator validator = new SubmissionValidator(Clock.systemUTC());
        log.add(validator.parse(dev.trackrecord.ledger.reputation.Policy.defaultPolicyEntry().getBytes(StandardCharsets.UTF_8)));
        eventSeqs.put(log.get(0).eventId(), 0L);
        for (int i = 0; i < 10; i++) {
            log.add(log.get(0)); // stands for other writers' entries
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/entries", exchange -> {
            int status;
            String answer;
            if (!"Bearer tok-123".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                status = 401;
                answer = "{}";
            } else {
                try {
                    List<Submission> batch = validator.validateRequest(JSON.readTree(exchange.getRequestBody()));
                    batchSizes.add(batch.size());
                    StringBuilder b = new StringBuilder("{\"entries\":[");
                    for (Submission s : batch) {
                        Long seq = eventSeqs.get(s.eventId());
                        if (seq == null) {
                            seq = (long) log.size();
                            log.add(s);
                            eventSeqs.put(s.eventId(), seq);
                        }
                        b.append(b.charAt(b.length() - 1) == '[' ? "" : ",").append("{\"seq\":").append(seq)
                                .append(",\"leaf_hash\":\"00\",\"ts\":\"2026-11-28T00:00:00Z\",\"duplicate\":false}");
                    }
                    status = 201;
                    answer = b.append("]}").toString();
                } catch (EntryRejectedException e) {
                    status = 422;
                    answer = e.getMessage();
                }
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void simulate_server_postsValidBatches_andDisputesNameTheSeqsTheServiceGave() throws Exception {
        Path truth = tmp.resolve("truth.json");
        int code = run("simulate", "--server", "http://127.0.0.1:" + server.getAddress().getPort(), "--token", "tok-123",
                "--contractors", "30", "--entries", "800", "--seed", "5", "--end", "2026-11-28T00:00:00Z",
                "--batch", "100", "--truth", truth.toString());
        assertThat(code).as(err).isZero();
        assertThat(log.size()).isBetween(11 + 700, 11 + 799);
        assertThat(batchSizes).allMatch(n -> n <= 100);
        int disputes = 0;
        for (int seq = 11; seq < log.size(); seq++) {
            Submission s = log.get(seq);
            if (s.kind().wire().equals("dispute.opened")) {
                JsonNode body = JSON.readTree(s.bodyBytes());
                Submission target = log.get(body.get("target_seq").asInt());
                assertThat(target.kind().wire()).isEqualTo("audit.result");
                assertThat(target.contractor()).isEqualTo(s.contractor());
                disputes++;
            }
        }
        assertThat(disputes).isPositive();
        assertThat(JSON.readTree(Files.readString(truth)).get("contractors")).hasSize(30);
    }

    @Test
    void simulate_server_withoutToken_isAUsageError() {
        assertThat(run("simulate", "--server", "http://127.0.0.1:1", "--truth", tmp.resolve("t.json").toString()))
                .isEqualTo(2);
        assertThat(err).contains("--server needs --token");
    }

    @Test
    void simulate_endInTheFuture_isAUsageError() {
        assertThat(run("simulate", "--data", tmp.resolve("d").toString(), "--end", "2999-01-01T00:00:00Z",
                "--truth", tmp.resolve("t.json").toString())).isEqualTo(2);
        assertThat(err).contains("--end must not be in the future");
    }

    @Test
    void simulate_server_refusingToken_failsWithTheAnswer() {
        assertThat(run("simulate", "--server", "http://127.0.0.1:" + server.getAddress().getPort(), "--token", "wrong",
                "--contractors", "3", "--entries", "20", "--truth", tmp.resolve("t.json").toString())).isEqualTo(1);
        assertThat(err).contains("answered 401");
    }

    private int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cli = new CommandLine(new Cli());
        cli.setOut(new PrintWriter(o, true));
        cli.setErr(new PrintWriter(e, true));
        int code = cli.execute(args);
        err = e.toString();
        return code;
    }
}
