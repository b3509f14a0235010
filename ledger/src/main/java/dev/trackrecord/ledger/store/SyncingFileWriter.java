package dev.trackrecord.ledger.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.store.storage.types.StorageFile;
import org.eclipse.store.storage.types.StorageFileProvider;
import org.eclipse.store.storage.types.StorageLiveDataFile;
import org.eclipse.store.storage.types.StorageWriteController;
import org.eclipse.store.storage.types.StorageFileWriter;

/**
 * Makes every EclipseStore write reach stable storage before the commit returns.
 *
 * <p>EclipseStore 2.1 writes data and transaction-log files with {@code FileChannel.write} and
 * never forces them, so a committed store survives a process crash but not a power cut. This
 * writer forces the file after each write ({@code fdatasync}), and forces the directory the
 * first time it sees a new file, so the file's name is durable too. A commit writes the data
 * file and then the transactions file, so a commit costs two syncs. The ledger commits to
 * EclipseStore only every so often, off the path that acknowledges appends (see Ledger).
 *
 * <p>Used by the storage's single writer thread; the channel cache is not shared otherwise.
 */
final class SyncingFileWriter implements StorageFileWriter {
    private static final int MAX_OPEN_CHANNELS = 16;

    private final Map<String, FileChannel> channels = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, FileChannel> eldest) {
            if (size() > MAX_OPEN_CHANNELS) {
                closeQuietly(eldest.getValue());
                return true;
            }
            return false;
        }
    };

    @Override
    public long write(StorageFile file, Iterable<? extends ByteBuffer> buffers) {
        long written = file.writeBytes(buffers);
        sync(file);
        return written;
    }

    /**
     * Closes the cached channel of a file EclipseStore deletes (housekeeping dissolves old data
     * files), so that its space is freed at once: a deleted file held open keeps its blocks, which
     * on a full disk is space the ledger needs to recover.
     */
    @Override
    public void delete(StorageLiveDataFile file, StorageWriteController writeController,
                       StorageFileProvider fileProvider) {
        synchronized (this) {
            closeQuietly(channels.remove(file.file().toPathString()));
        }
        StorageFileWriter.super.delete(file, writeController, fileProvider);
    }

    private synchronized void sync(StorageFile file) {
        String path = file.file().toPathString();
        try {
            FileChannel channel = channels.get(path);
            if (channel == null || !channel.isOpen()) {
                Path p = Path.of(path);
                channel = FileChannel.open(p, StandardOpenOption.WRITE);
                channels.put(path, channel);
                syncDirectory(p.toAbsolutePath().getParent());
            }
            channel.force(false);
        } catch (IOException e) {
            FileChannel stale = channels.remove(path);
            closeQuietly(stale);
            throw new UncheckedIOException("could not sync " + path + " to stable storage", e);
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Closes the cached channels; called when the storage shuts down. */
    synchronized void close() {
        channels.values().forEach(SyncingFileWriter::closeQuietly);
        channels.clear();
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a channel we only used to sync; nothing is lost.
        }
    }
}
