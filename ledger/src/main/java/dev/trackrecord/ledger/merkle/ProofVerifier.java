package dev.trackrecord.ledger.merkle;

import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * Verifies RFC 9162 inclusion and consistency proofs with the algorithms of §2.1.3.2 and
 * §2.1.4.2. Needs nothing but SHA-256, so it runs where the tree is not: in the bundle
 * verifier and in clients.
 *
 * <p>A root means nothing without its tree size, and the size is not hashed into the root:
 * for some pairs of sizes a proof for one also computes the same root at the other (the
 * tree shapes along the path coincide). Take the size and the root together from one signed
 * checkpoint.
 *
 * <p>Checks run cheapest first: sizes and index, hash and proof lengths, then hashing.
 */
public final class ProofVerifier {

    private ProofVerifier() {
    }

    /**
     * Returns the root that an inclusion proof leads to for the leaf at {@code index} in a tree
     * of {@code treeSize} leaves (RFC 9162 §2.1.3.2, without the final comparison).
     * Requires {@code 0 <= index < treeSize}, a 32-byte leaf hash and 32-byte proof hashes.
     *
     * @throws ProofException.IndexOutOfRange if the index is not in the tree
     * @throws ProofException.WrongHashLength if the leaf hash or a proof hash is not 32 bytes
     * @throws ProofException.WrongProofLength if the proof has too few or too many hashes
     */
    public static byte[] rootFromInclusionProof(long index, long treeSize, byte[] leafHash,
            List<byte[]> proof) throws ProofException {
        Objects.requireNonNull(leafHash, "leafHash");
        Objects.requireNonNull(proof, "proof");
        // RFC 9162 §2.1.3.2 step 1.
        if (index < 0 || index >= treeSize) {
            throw new ProofException.IndexOutOfRange(index, treeSize);
        }
        if (leafHash.length != Rfc9162.HASH_SIZE) {
            throw new ProofException.WrongHashLength("leaf hash", leafHash.length);
        }
        int want = ProofShape.inclusionLength(index, treeSize);
        if (proof.size() != want) {
            throw new ProofException.WrongProofLength("inclusion proof for index " + index
                    + " in tree size " + treeSize, want, proof.size());
        }
        requireHashes(proof);

        MessageDigest md = Rfc9162.sha256();
        // Steps 2 to 4. fn walks up from the leaf, sn from the last leaf; where they meet with
        // fn even, the node has no right sibling and is lifted until it is a right child.
        long fn = index;
        long sn = treeSize - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                throw new ProofException.WrongProofLength("inclusion proof", want, proof.size());
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = Rfc9162.nodeHash(md, p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                r = Rfc9162.nodeHash(md, r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        // Step 5, first half; the length check above makes this unreachable.
        if (sn != 0) {
            throw new ProofException.WrongProofLength("inclusion proof", want, proof.size());
        }
        return r;
    }

    /**
     * Verifies that the leaf with {@code leafHash} is at {@code index} in the tree of
     * {@code treeSize} leaves with root {@code root} (RFC 9162 §2.1.3.2).
     * Requires {@code 0 <= index < treeSize}, a 32-byte leaf hash and 32-byte proof hashes.
     *
     * @throws ProofException.RootMismatch if the proof leads to another root
     * @throws ProofException the other failures of {@link #rootFromInclusionProof}
     */
    public static void verifyInclusion(long index, long treeSize, byte[] leafHash,
            List<byte[]> proof, byte[] root) throws ProofException {
        Objects.requireNonNull(root, "root");
        byte[] calculated = rootFromInclusionProof(index, treeSize, leafHash, proof);
        if (!MessageDigest.isEqual(calculated, root)) {
            throw new ProofException.RootMismatch("root", root, calculated);
        }
    }

    /**
     * Verifies that the tree of {@code size2} leaves with root {@code root2} extends the tree of
     * {@code size1} leaves with root {@code root1} (RFC 9162 §2.1.4.2). Requires
     * {@code 0 < size1 <= size2}. When the sizes are equal, which §2.1.4.2 leaves out, the
     * proof must be empty and the roots equal.
     *
     * @throws ProofException.InvalidSizes if size1 is 0 or exceeds size2
     * @throws ProofException.WrongProofLength if the proof has too few or too many hashes
     * @throws ProofException.WrongHashLength if a proof hash is not 32 bytes
     * @throws ProofException.RootMismatch if the proof leads to another root1 or root2
     */
    public static void verifyConsistency(long size1, long size2, List<byte[]> proof, byte[] root1,
            byte[] root2) throws ProofException {
        Objects.requireNonNull(proof, "proof");
        Objects.requireNonNull(root1, "root1");
        Objects.requireNonNull(root2, "root2");
        if (size1 <= 0 || size1 > size2) {
            throw new ProofException.InvalidSizes(size1, size2);
        }
        if (size1 == size2) {
            if (!proof.isEmpty()) {
                throw new ProofException.WrongProofLength(
                        "consistency proof between equal sizes " + size1, 0, proof.size());
            }
            if (!MessageDigest.isEqual(root1, root2)) {
                throw new ProofException.RootMismatch("root2", root2, root1);
            }
            return;
        }
        // Step 1 (an empty proof) is covered by the exact length.
        int want = ProofShape.consistencyLength(size1, size2);
        if (proof.size() != want) {
            throw new ProofException.WrongProofLength(
                    "consistency proof from size " + size1 + " to " + size2, want, proof.size());
        }
        requireHashes(proof);

        MessageDigest md = Rfc9162.sha256();
        // Step 2: a power-of-two size1 tree is itself a complete subtree of the size2 tree, so
        // the proof leaves out its root, which the verifier has.
        boolean powerOfTwo = (size1 & (size1 - 1)) == 0;
        int next = powerOfTwo ? 0 : 1;
        byte[] seed = powerOfTwo ? root1 : proof.get(0);
        // Steps 3 and 4: start at the shared complete subtree holding leaf size1 - 1.
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        // Step 5.
        byte[] fr = seed;
        byte[] sr = seed;
        // Step 6: left siblings feed both roots, right siblings only the larger tree's.
        for (int i = next; i < want; i++) {
            byte[] c = proof.get(i);
            if (sn == 0) {
                throw new ProofException.WrongProofLength("consistency proof", want, proof.size());
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = Rfc9162.nodeHash(md, c, fr);
                sr = Rfc9162.nodeHash(md, c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                sr = Rfc9162.nodeHash(md, sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        // Step 7.
        if (sn != 0) {
            throw new ProofException.WrongProofLength("consistency proof", want, proof.size());
        }
        if (!MessageDigest.isEqual(fr, root1)) {
            throw new ProofException.RootMismatch("root1", root1, fr);
        }
        if (!MessageDigest.isEqual(sr, root2)) {
            throw new ProofException.RootMismatch("root2", root2, sr);
        }
    }

    private static void requireHashes(List<byte[]> proof) throws ProofException.WrongHashLength {
        for (int i = 0; i < proof.size(); i++) {
            byte[] hash = proof.get(i);
            Objects.requireNonNull(hash, "proof hash");
            if (hash.length != Rfc9162.HASH_SIZE) {
                throw new ProofException.WrongHashLength("proof[" + i + "]", hash.length);
            }
        }
    }
}
