package dev.trackrecord.tools;

import dev.trackrecord.ledger.backup.Backup;
import dev.trackrecord.ledger.backup.BackupException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trackrecord backup --server URL --token T --out FILE}: downloads a consistent backup of a
 * running service ({@code GET /v1/admin/backup}, role admin) and verifies it before keeping it.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Downloads a consistent backup of a running service and verifies it.",
                "Needs an admin token. The file holds the signing keys: keep it as safe as the data directory."
                        + " Restore it with 'trackrecord restore FILE --data NEWDIR'."})
final class BackupCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "the service, e.g. http://localhost:8080")
    String server;

    @Option(names = "--token", required = true, paramLabel = "TOKEN", description = "a bearer token with role admin")
    String token;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to write the backup")
    Path out;

    @Override
    public Integer call() throws Exception {
        URI uri;
        try {
            uri = URI.create(server.replaceAll("/+$", "") + "/v1/admin/backup");
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server must be an http(s) URL, was '"
                    + server + "'");
        }
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                spec.commandLine().getErr().println("FAILED: " + uri + " answered " + response.statusCode() + ": "
                        + new String(body.readAllBytes(), StandardCharsets.UTF_8));
                return 1;
            }
            Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            Backup.Summary s = Backup.verify(partial);
            Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            spec.commandLine().getOut().println("OK: backup of " + s.origin() + " at tree size " + s.treeSize()
                    + " (root " + s.root() + ", " + s.checkpoints() + " signed checkpoints) written to " + out);
            return 0;
        } catch (BackupException | IOException e) {
            spec.commandLine().getErr().println("FAILED: the downloaded backup does not verify: " + e.getMessage()
                    + " (kept as " + partial + ")");
            return 1;
        }
    }
}
