/**
 * The RFC 9162 Merkle tree of the ledger: leaf and node hashing, the compact range that
 * extends the tree on append, inclusion and consistency proofs, and their verification.
 *
 * <p>The code here is pure: storage supplies stored node hashes through {@link
 * dev.trackrecord.ledger.merkle.NodeReader} and receives new ones through {@link
 * dev.trackrecord.ledger.merkle.NodeWriter}; nothing in this package does I/O.
 *
 * <p>A hash is a 32-byte {@code byte[]}, not an object, because appends and proofs run in
 * hot paths. Hash arrays are values: nothing in this package modifies an array it was given
 * or has handed out, and callers must not modify them either. Arrays are therefore passed
 * on without defensive copies.
 */
package dev.trackrecord.ledger.merkle;
