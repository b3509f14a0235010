/**
 * Signed notes and checkpoints: the text formats a third party checks with nothing but
 * Ed25519 and SHA-256.
 *
 * <p>A checkpoint ({@link dev.trackrecord.ledger.note.Checkpoint}) is a C2SP
 * {@code tlog-checkpoint} v1.0.0 (https://c2sp.org/tlog-checkpoint@v1.0.0) carried in a C2SP
 * {@code signed-note} v1.0.0 (https://c2sp.org/signed-note@v1.0.0), the format of Go's
 * {@code golang.org/x/mod/sumdb/note}. Keys ({@link dev.trackrecord.ledger.note.NoteSigner},
 * {@link dev.trackrecord.ledger.note.NoteVerifier}) are Ed25519 through Bouncy Castle's
 * lightweight API, which signs about 18 times faster than the JDK provider on our machines,
 * and read and write the C2SP / Go text forms so that keys move between this service and
 * standard tools.
 *
 * <p>Everything that parses untrusted text throws the checked
 * {@link dev.trackrecord.ledger.note.NoteException}, whose reason and line say what is
 * wrong; programming errors (signing a text that is not a note) throw
 * {@link java.lang.IllegalArgumentException}.
 */
package dev.trackrecord.ledger.note;
