package dev.trackrecord.api;

import dev.trackrecord.ledger.reputation.EntrySource;
import dev.trackrecord.ledger.reputation.ReputationIndex;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The reputation index's statistics in a file of the data directory, so a restart applies only
 * the entries after the snapshot instead of replaying the whole log. The file is written to a
 * temporary name, forced to disk and renamed over the old one; a snapshot that does not match
 * the log (another log, a newer format) is ignored and the log replayed.
 */
final class ReputationSnapshots {
    private static final Logger LOG = Logger.getLogger(ReputationSnapshots.class.getName());

    private final Path file;

    ReputationSnapshots(Path dataDir) {
        this.file = dataDir.resolve("reputation.snapshot");
    }

    /** The index from the snapshot if there is a usable one, else a new one; not yet caught up. */
    ReputationIndex load(EntrySource source, Clock clock) {
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                Optional<ReputationIndex> index = ReputationIndex.fromSnapshot(in, source, clock);
                if (index.isPresent()) {
                    return index.get();
                }
                LOG.warning(file + " does not match the log; replaying the log");
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "could not read " + file + "; replaying the log", e);
            }
        }
        return new ReputationIndex(source, clock);
    }

    /** Writes {@code index} durably; failures are logged (the next start replays more). */
    void save(ReputationIndex index) {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = Channels.newOutputStream(channel);
                index.writeSnapshot(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not write " + file, e);
        }
    }
}
