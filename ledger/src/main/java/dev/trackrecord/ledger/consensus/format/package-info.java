/**
 * Reading label files for consensus: CSV/TSV {@code item,contractor,label[,gold]}, and the
 * formats of the public data sets in {@code shared/datasets/} (Snow et al. 2008 TSV,
 * Welinder et al. 2010 YAML, Zheng et al. 2017 CSV). Errors name the source, the line and
 * the field.
 */
package dev.trackrecord.ledger.consensus.format;
