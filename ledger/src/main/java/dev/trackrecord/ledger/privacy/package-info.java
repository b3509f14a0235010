/**
 * Personal data kept off the chain: a vault of per-contractor keys in plain files of the data
 * directory, records encrypted with AES-GCM under them, HMAC-SHA-256 commitments that entries
 * hold instead of the data, and retention by key. Destroying a key (crypto-shredding) makes the
 * data it sealed unreadable while every entry, proof and checkpoint stays as it was. See
 * {@code docs/privacy.md}.
 */
package dev.trackrecord.ledger.privacy;
