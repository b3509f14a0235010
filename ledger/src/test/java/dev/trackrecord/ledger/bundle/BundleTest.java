package dev.trackrecord.ledger.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackrecord.ledger.entry.EntryKind;
import dev.trackrecord.ledger.note.NoteSigner;
import dev.trackrecord.ledger.note.NoteVerifier;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleTest {
    @TempDir
    Path dir;

    private TestLog log;

    @BeforeEach
    void setUp() {
        // seq: 0 c-1, 1 c-2, 2 c-1, 3 c-3 | checkpoint 4 | 4 c-2, 5 c-1 (status), 6 c-1 | checkpoint 7 | 7 c-2
        log = new TestLog(dir.resolve("data")).audits("c-1", "c-2", "c-1", "c-3");
        log.checkpoint();
        log.audits("c-2").status("c-1").audits("c-1");
        log.checkpoint();
        log.audits("c-2");
    }

    @AfterEach
    void tearDown() {
        log.close();
    }

    private BundleVerification verify(byte[] zip) throws Exception {
        return BundleVerifier.verify(new ByteArrayInputStream(zip), Optional.of(log.signer.verifier()));
    }

    @Test
    void write_all_exportsUpToLatestCheckpointAndVerifies() throws Exception {
        byte[] zip = log.export(ExportQuery.all());

        Map<String, byte[]> files = TestLog.unzip(zip);
        assertThat(files.keySet()).containsExactly("checkpoint", "key.vkey", "entries.jsonl", "proofs.jsonl",
                "manifest.json");
        assertThat(TestLog.text(files, "entries.jsonl").lines()).hasSize(7);
        assertThat(TestLog.text(files, "entries.jsonl").lines().findFirst().orElseThrow())
                .isEqualTo(new String(log.ledger.entry(0).orElseThrow(), StandardCharsets.UTF_8));
        assertThat(TestLog.text(files, "proofs.jsonl").lines().findFirst().orElseThrow())
                .startsWith("{\"seq\":0,\"leaf_hash\":\"").contains("\"tree_size\":7,\"hashes\":[\"");
        assertThat(TestLog.text(files, "checkpoint")).isEqualTo(log.ledger.checkpoint(7).orElseThrow());
        assertThat(TestLog.text(files, "key.vkey")).isEqualTo(log.signer.verifier().text() + "\n");
        assertThat(TestLog.text(files, "manifest.json")).isEqualTo("{\"created\":\"2026-11-28T12:00:00.000Z\","
                + "\"entry_count\":7,\"format\":\"trackrecord-bundle/1\",\"origin\":\"trackrecord.test/bundle\","
                + "\"query\":{},\"tree_size\":7}\n");

        BundleVerification result = verify(zip);
        assertThat(result.entryCount()).isEqualTo(7);
        assertThat(result.treeSize()).isEqualTo(7);
        assertThat(result.summary()).startsWith("OK: 7 entries of trackrecord.test/bundle");
    }

    @Test
    void write_sinceSize_addsConsistencyProofFromThatCheckpoint() throws Exception {
        byte[] zip = log.export(ExportQuery.all().withSinceSize(4));

        String consistency = TestLog.text(TestLog.unzip(zip), "consistency.json");
        assertThat(consistency).startsWith("{\"size1\":4,\"root1\":\"")
                .contains("\"checkpoint1\":\"trackrecord.test/bundle\\n4\\n").contains("\"size2\":7,\"hashes\":[");
        assertThat(verify(zip).consistentFrom()).hasValue(4);
    }

    @Test
    void write_sinceSizeEqualToCheckpoint_hasEmptyProofAndVerifies() throws Exception {
        byte[] zip = log.export(ExportQuery.all().withSinceSize(7));

        assertThat(TestLog.text(TestLog.unzip(zip), "consistency.json")).endsWith("\"size2\":7,\"hashes\":[]}\n");
        assertThat(verify(zip).consistentFrom()).hasValue(7);
    }

    @Test
    void write_emptyLogAndEmptySelection_verifyWithNoEntries() throws Exception {
        try (TestLog empty = new TestLog(dir.resolve("empty"))) {
            empty.checkpoint();
            byte[] zip = empty.export(ExportQuery.all());

            assertThat(BundleVerifier.verify(new ByteArrayInputStream(zip), Optional.of(empty.signer.verifier()))
                    .entryCount()).isZero();
        }
        byte[] none = log.export(ExportQuery.all().withContractor("c-9"));
        byte[] beyond = log.export(ExportQuery.all().withSeqRange(20, 30));

        assertThat(verify(none).entryCount()).isZero();
        assertThat(verify(beyond).entryCount()).isZero();
    }

    @Test
    void write_noCheckpointYet_isRefused() {
        try (TestLog fresh = new TestLog(dir.resolve("fresh"))) {
            assertThatThrownBy(() -> fresh.export(ExportQuery.all()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("no signed checkpoint");
        }
    }

    @Test
    void write_sinceSizeWithoutCheckpoint_isRefusedNamingSinceSize() {
        assertThatThrownBy(() -> log.export(ExportQuery.all().withSinceSize(3)))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("since_size").hasMessageContaining("no checkpoint was issued at tree size 3");
        assertThatThrownBy(() -> log.export(ExportQuery.all().withSinceSize(8)))
                .isInstanceOf(InvalidQueryException.class).hasMessageContaining("since_size");
    }

    @Test
    void write_contractor_exportsTheirWholeRecordAndVerifies() throws Exception {
        byte[] zip = log.export(ExportQuery.all().withContractor("c-1"));

        List<String> lines = TestLog.text(TestLog.unzip(zip), "entries.jsonl").lines().toList();
        assertThat(lines).hasSize(4).allMatch(l -> l.contains("\"contractor\":\"c-1\""));
        assertThat(lines).extracting(l -> l.replaceAll(".*\"seq\":(\\d+).*", "$1")).containsExactly("0", "2", "5", "6");
        assertThat(verify(zip).entryCount()).isEqualTo(4);
    }

    @Test
    void write_contractorRangeAndKinds_selectsOnlyMatching() throws Exception {
        byte[] ranged = log.export(ExportQuery.all().withContractor("c-1").withSeqRange(1, 5));
        byte[] audits = log.export(ExportQuery.all().withContractor("c-1").withKinds(Set.of(EntryKind.AUDIT_RESULT)));
        byte[] slice = log.export(ExportQuery.all().withSeqRange(2, 4));

        assertThat(verify(ranged).entryCount()).isEqualTo(2);
        assertThat(verify(audits).entryCount()).isEqualTo(3);
        assertThat(verify(slice).entryCount()).isEqualTo(3);
        assertThat(TestLog.text(TestLog.unzip(audits), "manifest.json"))
                .contains("\"query\":{\"contractor\":\"c-1\",\"kinds\":[\"audit.result\"]}");
    }

    @Test
    void parse_badParameters_nameTheParameter() {
        assertThatThrownBy(() -> ExportQuery.parse(null, "x", null, null, null)).hasMessageStartingWith("from_seq:");
        assertThatThrownBy(() -> ExportQuery.parse(null, "5", "4", null, null)).hasMessageStartingWith("to_seq:");
        assertThatThrownBy(() -> ExportQuery.parse(null, null, null, "audit.result,nope", null))
                .hasMessageStartingWith("kinds:").hasMessageContaining("nope");
        assertThatThrownBy(() -> ExportQuery.parse("a b", null, null, null, null)).hasMessageStartingWith("contractor:");
        assertThatThrownBy(() -> ExportQuery.parse(null, null, null, null, "0")).hasMessageStartingWith("since_size:");
        assertThat(ExportQuery.parse("c-1", "1", "9", "payout, audit.result", "4").kinds())
                .containsExactlyInAnyOrder(EntryKind.PAYOUT, EntryKind.AUDIT_RESULT);
    }

    @Test
    void verify_otherTrustedKey_failsOnKey() throws Exception {
        byte[] zip = log.export(ExportQuery.all());
        NoteVerifier other = NoteSigner.generate(TestLog.ORIGIN, new SecureRandom()).verifier();

        assertThatThrownBy(() -> BundleVerifier.verify(new ByteArrayInputStream(zip), Optional.of(other)))
                .isInstanceOf(BundleVerificationException.class).hasMessageStartingWith("key.vkey line 1: key ")
                .hasMessageContaining("is not the trusted key");
    }

    @Test
    void verify_withoutTrustedKey_usesBundleKey() throws Exception {
        byte[] zip = log.export(ExportQuery.all());

        BundleVerification result = BundleVerifier.verify(new ByteArrayInputStream(zip), Optional.empty());

        assertThat(result.keyTrusted()).isFalse();
        assertThat(result.summary()).contains("pass --key");
    }

    @Test
    void verify_lineDropped_failsNamingTheMissingSeq() throws Exception {
        Map<String, byte[]> files = TestLog.unzip(log.export(ExportQuery.all()));
        files.put("entries.jsonl", dropLine(files.get("entries.jsonl"), 2));
        files.put("proofs.jsonl", dropLine(files.get("proofs.jsonl"), 2));
        files.put("manifest.json", TestLog.text(files, "manifest.json").replace("\"entry_count\":7", "\"entry_count\":6")
                .getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> verify(TestLog.zip(files)))
                .hasMessage("entries.jsonl line 3 (seq 3): seq 2 is missing: the query selects every entry from seq 0 to 6");
    }

    @Test
    void verify_contractorEntryDropped_failsOnCprev() throws Exception {
        Map<String, byte[]> files = TestLog.unzip(log.export(ExportQuery.all().withContractor("c-1")));
        files.put("entries.jsonl", dropLine(files.get("entries.jsonl"), 1));
        files.put("proofs.jsonl", dropLine(files.get("proofs.jsonl"), 1));

        assertThatThrownBy(() -> verify(TestLog.zip(files)))
                .hasMessage("entries.jsonl line 2 (seq 5): cprev 2 is not the contractor's previous exported entry, seq 0");
    }

    @Test
    void verify_bodyChanged_failsWithInclusionAndLeafEvidence() throws Exception {
        Map<String, byte[]> files = TestLog.unzip(log.export(ExportQuery.all()));
        files.put("entries.jsonl", TestLog.text(files, "entries.jsonl").replaceFirst("\"score_bp\":9000", "\"score_bp\":9900")
                .getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> verify(TestLog.zip(files)))
                .hasMessageMatching("entries\\.jsonl line 1 \\(seq 0\\): inclusion proof does not lead to the checkpoint"
                        + " root \\(expected [0-9a-f]{64}, calculated [0-9a-f]{64}\\); the line hashes to .*");
    }

    @Test
    void verify_extraCosignatureOnCheckpoint_fails() throws Exception {
        Map<String, byte[]> files = TestLog.unzip(log.export(ExportQuery.all()));
        String note = TestLog.text(files, "checkpoint");
        NoteSigner other = NoteSigner.generate(TestLog.ORIGIN, new SecureRandom());
        String otherNote = dev.trackrecord.ledger.note.Checkpoint.open(note, log.signer.verifier()).sign(other);
        String cosigned = note + otherNote.substring(otherNote.indexOf("\n\n") + 2);
        files.put("checkpoint", cosigned.getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> verify(TestLog.zip(files)))
                .hasMessage("checkpoint: carries 2 signature lines; a bundle's checkpoint carries only the log's signature");
    }

    @Test
    void verify_proofLeafHashChanged_blamesProofsLine() throws Exception {
        Map<String, byte[]> files = TestLog.unzip(log.export(ExportQuery.all()));
        String proofs = TestLog.text(files, "proofs.jsonl");
        int at = proofs.indexOf("\"leaf_hash\":\"", proofs.indexOf("{\"seq\":1,")) + 13;
        char c = proofs.charAt(at);
        files.put("proofs.jsonl", (proofs.substring(0, at) + (c == '0' ? '1' : '0') + proofs.substring(at + 1))
                .getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> verify(TestLog.zip(files)))
                .hasMessageStartingWith("proofs.jsonl line 2 (seq 1): leaf_hash ")
                .hasMessageContaining("is not the leaf hash");
    }

    @Test
    void verify_unexpectedFile_fails() throws Exception {
        Map<String, byte[]> files = TestLog.unzip(log.export(ExportQuery.all()));
        files.put("README", new byte[1]);

        assertThatThrownBy(() -> verify(TestLog.zip(files))).hasMessageStartingWith("README: not a file of a trackrecord");
    }

    @Test
    void verify_notAZip_fails() {
        assertThatThrownBy(() -> verify("not a zip".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(BundleVerificationException.class);
    }

    /**
     * Changes each byte of each file in two small bundles (about 6,000 bytes), one at a time, and
     * expects every change to fail with a message naming a bundle file. The manifest's created time is left
     * out: nothing signs it, and another valid time cannot be told from the real one.
     */
    @Test
    void verify_everyChangedByte_fails() throws Exception {
        int checked = 0;
        java.util.Random random = new java.util.Random(20261128);
        List<String> undetected = new java.util.ArrayList<>();
        for (ExportQuery query : List.of(ExportQuery.all().withSinceSize(4).withSeqRange(1, 9),
                ExportQuery.all().withContractor("c-1"))) {
            Map<String, byte[]> files = TestLog.unzip(log.export(query));
            verify(TestLog.zip(files));
            for (String name : files.keySet()) {
                byte[] original = files.get(name);
                int[] skip = name.equals("manifest.json") ? createdValue(original) : new int[] {-1, -1};
                for (int i = 0; i < original.length; i++) {
                    if (i >= skip[0] && i < skip[1]) {
                        continue;
                    }
                    // Every byte with its low bit flipped; a seeded tenth of them again with another change.
                    int[] masks = random.nextInt(10) == 0 ? new int[] {0x01, 1 + random.nextInt(255)} : new int[] {0x01};
                    for (int mask : masks) {
                        byte[] changed = original.clone();
                        changed[i] ^= (byte) mask;
                        Map<String, byte[]> tampered = new LinkedHashMap<>(files);
                        tampered.put(name, changed);
                        byte[] zip = TestLog.zip(tampered);
                        try {
                            verify(zip);
                            undetected.add(name + " byte " + i + " ^ " + mask + ": "
                                    + new String(changed, StandardCharsets.UTF_8).substring(Math.max(0, i - 20),
                                    Math.min(changed.length, i + 20)));
                        } catch (BundleVerificationException e) {
                            assertThat(BundleFormat.FILES).contains(e.file());
                        }
                        checked++;
                    }
                }
            }
        }
        assertThat(undetected).isEmpty();
        assertThat(checked).isGreaterThan(5_000);
    }

    /** [start, end) of the created time's digits in a manifest. */
    private static int[] createdValue(byte[] manifest) {
        String s = new String(manifest, StandardCharsets.UTF_8);
        int start = s.indexOf("\"created\":\"") + "\"created\":\"".length();
        return new int[] {start, s.indexOf('"', start)};
    }

    private static byte[] dropLine(byte[] file, int index) {
        List<String> lines = new java.util.ArrayList<>(Arrays.asList(new String(file, StandardCharsets.UTF_8).split("\n")));
        lines.remove(index);
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
