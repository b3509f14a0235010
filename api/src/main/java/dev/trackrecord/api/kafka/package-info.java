/**
 * Kafka at the edge of an embedded node: {@link dev.trackrecord.api.kafka.KafkaIngest} appends
 * entries consumed from {@code ledger.events} (invalid ones go to {@code ledger.events.dlq}),
 * {@link dev.trackrecord.api.kafka.ChangePublisher} announces changed contractors on the compacted
 * {@code reputation.changes} topic, and {@link dev.trackrecord.api.kafka.CheckpointPublisher} puts
 * each signed checkpoint on {@code ledger.checkpoints}. {@link dev.trackrecord.api.kafka.KafkaBridge}
 * starts and stops them together. See docs/operations.md.
 */
package dev.trackrecord.api.kafka;
