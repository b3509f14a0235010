package dev.trackrecord.api;

import dev.trackrecord.api.auth.Role;
import java.net.http.HttpResponse;
import java.util.Random;

/**
 * Times {@code POST /v1/audits/consensus} on a batch at the label limit: 200,000 labels over
 * 40,000 items (5 each) from 500 contractors, binary, each right 80% of the time; the first call
 * appends, the next two are resends. Not a test: numbers written down in docs/consensus.md.
 *
 * <pre>
 * mvn -B -o -q -pl api -am test-compile
 * mvn -B -o -q -pl api dependency:build-classpath -Dmdep.outputFile=/tmp/api-cp.txt
 * java -cp "api/target/classes:api/target/test-classes:ledger/target/classes:$(cat /tmp/api-cp.txt)" \
 *     dev.trackrecord.api.ConsensusRouteMeasurement
 * </pre>
 */
public final class ConsensusRouteMeasurement {
    private ConsensusRouteMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        int contractors = 500;
        int items = 40_000;
        try (TestServer server = TestServer.start()) {
            for (int c = 0; c < contractors; c++) {
                server.append(TestServer.audit("c-" + c, "seed-" + c, 9000));
            }
            Random random = new Random(1);
            StringBuilder b = new StringBuilder("{\"batch_id\":\"big\",\"skill\":\"s\",\"task_ref\":\"t\",\"labels\":[");
            for (int i = 0; i < items; i++) {
                int truth = random.nextInt(2);
                for (int k = 0; k < 5; k++) {
                    int label = random.nextDouble() < 0.8 ? truth : 1 - truth;
                    b.append(i == 0 && k == 0 ? "" : ",").append("{\"item\":\"item-").append(i)
                            .append("\",\"contractor\":\"c-").append((i * 5 + k) % contractors)
                            .append("\",\"label\":\"l").append(label).append("\"}");
                }
            }
            String body = b.append("]}").toString();
            for (int run = 0; run < 3; run++) {
                long start = System.nanoTime();
                HttpResponse<String> r = server.post("/v1/audits/consensus", server.token(Role.INGEST), body);
                System.out.printf("run %d: %d, request %,d bytes, answer %,d bytes, %d ms%n", run, r.statusCode(),
                        body.length(), r.body().length(), (System.nanoTime() - start) / 1_000_000);
            }
        }
    }
}
