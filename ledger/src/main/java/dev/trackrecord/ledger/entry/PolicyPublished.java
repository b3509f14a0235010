package dev.trackrecord.ledger.entry;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * {@code policy.published}: a scoring policy version, published by {@code _system}; every score
 * names the policy it was computed under.
 *
 * @param params the policy's integer parameters by name, in name order
 */
public record PolicyPublished(Instant occurredAt, String policyId, Map<String, Long> params) implements EntryBody {

    public PolicyPublished {
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(policyId, "policyId");
        params = Collections.unmodifiableSortedMap(new TreeMap<>(params));
        if (params.containsValue(null)) {
            throw new NullPointerException("params holds a null value");
        }
    }

    @Override
    public EntryKind kind() {
        return EntryKind.POLICY_PUBLISHED;
    }

    /** The parameter called {@code name}, if the policy sets it. */
    public OptionalLong param(String name) {
        Long value = params.get(name);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
