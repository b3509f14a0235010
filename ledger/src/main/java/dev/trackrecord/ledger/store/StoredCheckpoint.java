package dev.trackrecord.ledger.store;

/** A signed checkpoint the ledger issued: the tree size it covers and the signed note text. */
final class StoredCheckpoint {
    final long treeSize;
    final String note;

    StoredCheckpoint(long treeSize, String note) {
        this.treeSize = treeSize;
        this.note = note;
    }
}
