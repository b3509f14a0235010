package dev.trackrecord.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackrecord.ledger.DataDirectory;
import dev.trackrecord.ledger.entry.Submission;
import dev.trackrecord.ledger.note.NoteSigner;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes one random byte of a stopped data directory at a time, on a copy, and requires fsck to
 * find every change and name where it is.
 *
 * <p>In scope is every file the ledger stores: {@code store/} (EclipseStore's data files,
 * transaction log and type dictionary), {@code segments/} (entry chunks and tree tiles),
 * {@code keys/} (checkpoint signer and verifier keys, token issuer key) and the {@code seal}
 * itself. Out of scope: {@code lock} (an empty file whose OS lock is what matters).
 *
 * <p>Size: {@code -Dtorture.tamper.cases=1000} (default 25), seed {@code -Dtorture.seed}.
 */
@Tag("torture")
class TamperTest {
    private static final String ORIGIN = "trackrecord.test/tamper";
    private static final int CASES = Integer.getInteger("torture.tamper.cases", 25);
    private static final long SEED = Long.getLong("torture.seed", 0x7A3BE5L);

    @TempDir
    static Path temp;
    static Path pristine;

    /** 3,000 entries from 60 commits of 50, 300 contractors, a checkpoint every ten commits, then closed. */
    @BeforeAll
    static void buildLog() throws Exception {
        pristine = temp.resolve("pristine");
        NoteSigner signer = new DataDirectory(pristine).loadOrCreateCheckpointSigner(ORIGIN);
        // The service keeps its token issuer key in keys/ too (made before the ledger opens): stored data.
        Files.writeString(new DataDirectory(pristine).tokenIssuerKey(),
                "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\"}\n");
        try (Ledger ledger = Ledger.open(LedgerOptions.defaults(pristine, ORIGIN).withClock(TestEntries.CLOCK));
             Checkpointer checkpointer = new Checkpointer(ledger, signer, Duration.ofHours(1))) {
            for (int b = 0; b < 60; b++) {
                List<Submission> batch = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    batch.add(TestEntries.audit("e-" + b + "-" + i, "c-" + ((b * 50 + i) % 300), 5000 + i));
                }
                ledger.append(batch, "qa").join();
                if (b % 10 == 9) {
                    checkpointer.checkpointNow();
                }
            }
        }
        Fsck.Report intact = Fsck.check(pristine);
        assertThat(intact.problem()).isEmpty();
        assertThat(intact.sealed()).as("fsck seals a directory that passes").isTrue();
    }

    @Test
    void everySingleByteChange_isFoundByFsck_andNamesTheFile() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        List<String> files = storedFiles(pristine);
        Map<String, int[]> byArea = new TreeMap<>();
        List<String> missed = new ArrayList<>();
        long start = System.nanoTime();
        for (int n = 0; n < CASES; n++) {
            Path copy = temp.resolve("case-" + n);
            copyTree(pristine, copy);
            String name = files.get(random.nextInt(files.size()));
            Path file = copy.resolve(name);
            long offset = random.nextLong(Files.size(file));
            int xor = 1 + random.nextInt(255);
            flip(file, offset, xor);

            Fsck.Report report = Fsck.check(copy);
            String area = area(name);
            int[] counts = byArea.computeIfAbsent(area, a -> new int[3]);
            counts[0]++;
            if (report.ok()) {
                missed.add(name + " byte " + offset + " xor " + xor);
            } else {
                String problem = report.problem().orElseThrow();
                // Found by content (names an entry, a node, a checkpoint, a key) or by the seal.
                counts[problem.contains("(seal)") || problem.startsWith("seal ") ? 2 : 1]++;
            }
            deleteTree(copy);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("tamper: %d single-byte changes (seed %#x) in %d ms; missed %d%n", CASES, SEED, millis,
                missed.size());
        byArea.forEach((area, c) -> System.out.printf("  %-22s changed %4d  found by content %4d  by seal %4d%n",
                area, c[0], c[1], c[2]));
        assertThat(missed).as("changes fsck did not find").isEmpty();
    }

    @Test
    void changedSegmentByte_isNamedByEntry_evenWithoutTheSeal() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        Path copy = temp.resolve("unsealed");
        int cases = Math.max(5, CASES / 4);
        int found = 0;
        for (int n = 0; n < cases; n++) {
            copyTree(pristine, copy);
            Files.delete(copy.resolve(StoreSeal.FILE));
            Path segment = copy.resolve("segments/seg-000000.dat");
            long offset = random.nextLong(Files.size(segment));
            flip(segment, offset, 1 + random.nextInt(255));

            Fsck.Report report = Fsck.check(copy);

            assertThat(report.ok()).as("segment byte %d changed, no seal", offset).isFalse();
            assertThat(report.sealed()).isFalse();
            assertThat(report.problem().orElseThrow()).doesNotContain("(seal)");
            found++;
            deleteTree(copy);
        }
        System.out.printf("tamper without seal: %d of %d segment byte changes found by content%n", found, cases);
    }

    /** Which part of the directory a stored file belongs to, for the figures. */
    private static String area(String name) {
        if (name.startsWith("segments/")) {
            return "segments";
        }
        if (name.startsWith("keys/")) {
            return "keys";
        }
        if (name.equals(StoreSeal.FILE)) {
            return "seal";
        }
        if (name.endsWith(".sft")) {
            return "store transaction log";
        }
        if (name.endsWith(".ptd")) {
            return "store type dictionary";
        }
        return "store data";
    }

    static List<String> storedFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString())
                    .filter(n -> !n.equals("lock"))
                    .filter(n -> {
                        try {
                            return Files.size(root.resolve(n)) > 0;
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .sorted().toList();
        }
    }

    static void flip(Path file, long offset, int xor) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ xor));
            one.rewind();
            ch.write(one, offset);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
