package dev.trackrecord.ledger.entry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The files of {@code schemas/examples/}, which the schemas module puts under {@code trackrecord/examples/}. */
final class Examples {
    static final String ROOT = "trackrecord/examples/";

    private Examples() {
    }

    static byte[] read(String path) {
        try (InputStream in = Examples.class.getClassLoader().getResourceAsStream(ROOT + path)) {
            if (in == null) {
                throw new IllegalStateException(ROOT + path + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of the {@code .json} files in {@code dir}, sorted; works for directories and jars. */
    static List<String> list(String dir) {
        URL url = Examples.class.getClassLoader().getResource(ROOT + dir);
        if (url == null) {
            throw new IllegalStateException(ROOT + dir + " is not on the classpath");
        }
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                FileSystem fs;
                try {
                    fs = FileSystems.getFileSystem(uri);
                } catch (FileSystemNotFoundException e) {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                }
                return names(fs.provider().getPath(uri));
            }
            return names(Path.of(uri));
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot list " + url, e);
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
    }
}
