/**
 * The TrackRecord domain: entries, canonical JSON, the RFC 9162 Merkle tree and its proofs,
 * signed checkpoints, storage, reputation scoring and export bundles.
 */
package dev.trackrecord.ledger;
