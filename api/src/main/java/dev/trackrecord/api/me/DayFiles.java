package dev.trackrecord.api.me;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The access log's directory: one file per UTC day, {@code YYYY-MM-DD.jsonl}. Other names in it
 * are not the log's and are left alone.
 */
final class DayFiles {
    private static final Pattern NAME = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}\\.jsonl");

    private DayFiles() {
    }

    static Path path(Path dir, LocalDate day) {
        return dir.resolve(day + ".jsonl");
    }

    static Path path(Path dir, String day) {
        return dir.resolve(day + ".jsonl");
    }

    /** The days that have a file in {@code dir}, oldest first. */
    static List<String> list(Path dir) throws IOException {
        List<String> days = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return days;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(f -> f.getFileName().toString()).filter(name -> NAME.matcher(name).matches()).forEach(name -> {
                String day = name.substring(0, name.length() - ".jsonl".length());
                if (isDate(day)) {
                    days.add(day);
                }
            });
        }
        days.sort(null);
        return days;
    }

    private static boolean isDate(String day) {
        try {
            LocalDate.parse(day);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
