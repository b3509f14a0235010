package dev.trackrecord.ledger.entry;

import java.util.Optional;
import java.util.function.Function;

/** Lookup of the closed sets' JSON names. */
final class Wire {
    private Wire() {
    }

    static <E extends Enum<E>> Optional<E> lookup(E[] values, Function<E, String> wire, String name) {
        for (E value : values) {
            if (wire.apply(value).equals(name)) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }
}
