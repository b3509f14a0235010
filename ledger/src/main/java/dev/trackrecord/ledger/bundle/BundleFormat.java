package dev.trackrecord.ledger.bundle;

import dev.trackrecord.ledger.json.CanonicalWriter;
import java.util.HexFormat;
import java.util.List;

/**
 * The file names and the exact line formats of an export bundle (DESIGN.md, Export bundle).
 * The writer produces these bytes and the verifier re-serializes what it parsed and compares,
 * so a line that means the same thing but is spelled differently is refused too.
 */
final class BundleFormat {
    static final String FORMAT = "trackrecord-bundle/1";
    static final String ENTRIES = "entries.jsonl";
    static final String PROOFS = "proofs.jsonl";
    static final String CHECKPOINT = "checkpoint";
    static final String KEY = "key.vkey";
    static final String MANIFEST = "manifest.json";
    static final String CONSISTENCY = "consistency.json";
    /** Only in a contractor's own export: their personal data from the vault (docs/privacy.md). */
    static final String PERSONAL = "personal.json";
    static final String PERSONAL_FORMAT = "trackrecord-personal/1";
    static final List<String> FILES = List.of(CHECKPOINT, KEY, ENTRIES, PROOFS, CONSISTENCY, PERSONAL, MANIFEST);

    static final HexFormat HEX = HexFormat.of();

    private BundleFormat() {
    }

    /** {@code {"seq":n,"leaf_hash":"..","tree_size":N,"hashes":[..]}}, in this key order. */
    static void proofLine(CanonicalWriter out, long seq, byte[] leafHash, long treeSize, List<byte[]> hashes) {
        out.ascii("{\"seq\":").number(seq)
                .ascii(",\"leaf_hash\":\"").ascii(HEX.formatHex(leafHash))
                .ascii("\",\"tree_size\":").number(treeSize)
                .ascii(",\"hashes\":");
        hashArray(out, hashes);
        out.ascii("}");
    }

    /** {@code {"size1":m,"root1":"..","checkpoint1":"..","size2":N,"hashes":[..]}}, in this key order. */
    static void consistency(CanonicalWriter out, long size1, byte[] root1, String checkpoint1, long size2,
                            List<byte[]> hashes) {
        out.ascii("{\"size1\":").number(size1)
                .ascii(",\"root1\":\"").ascii(HEX.formatHex(root1))
                .ascii("\",\"checkpoint1\":").string(checkpoint1)
                .ascii(",\"size2\":").number(size2)
                .ascii(",\"hashes\":");
        hashArray(out, hashes);
        out.ascii("}");
    }

    /** The manifest as RFC 8785 canonical JSON. */
    static void manifest(CanonicalWriter out, String created, long entryCount, String origin, ExportQuery query,
                         long treeSize) {
        out.ascii("{\"created\":").string(created)
                .ascii(",\"entry_count\":").number(entryCount)
                .ascii(",\"format\":").string(FORMAT)
                .ascii(",\"origin\":").string(origin)
                .ascii(",\"query\":");
        query.writeJson(out);
        out.ascii(",\"tree_size\":").number(treeSize).ascii("}");
    }

    private static void hashArray(CanonicalWriter out, List<byte[]> hashes) {
        out.ascii("[");
        for (int i = 0; i < hashes.size(); i++) {
            out.ascii(i == 0 ? "\"" : ",\"").ascii(HEX.formatHex(hashes.get(i))).ascii("\"");
        }
        out.ascii("]");
    }
}
