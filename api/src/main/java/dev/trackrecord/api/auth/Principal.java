package dev.trackrecord.api.auth;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The verified caller of a request.
 *
 * @param subject    the token's {@code sub}; recorded as {@code source} on the entries it appends
 * @param roles      what the token allows
 * @param contractor for the contractor role, the only contractor whose record it may see
 */
public record Principal(String subject, Set<Role> roles, Optional<String> contractor) {
    public Principal {
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }
}
