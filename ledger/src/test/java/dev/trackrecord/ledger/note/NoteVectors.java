package dev.trackrecord.ledger.note;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Loads the published vectors under {@code src/test/resources/note/} (see its README). */
final class NoteVectors {

    private NoteVectors() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = NoteVectors.class.getResourceAsStream("/note/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test vector /note/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    static NoteVerifier goVerifier() throws NoteException {
        return NoteVerifier.parse(text("peterneumann.vkey"));
    }

    static NoteSigner goSigner() throws NoteException {
        return NoteSigner.parse(text("peterneumann.skey"));
    }
}
