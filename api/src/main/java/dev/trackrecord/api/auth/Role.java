package dev.trackrecord.api.auth;

import java.util.Optional;

/** What a token lets its holder do (DESIGN.md, "API shape"). */
public enum Role {
    /** Appends entries. */
    INGEST("ingest"),
    /** Reads scores for routing and pricing. */
    MARKETPLACE("marketplace"),
    /** Reads everything and exports signed audit trails. */
    COMPLIANCE("compliance"),
    /** Reads and disputes their own record only; the token names the contractor. */
    CONTRACTOR("contractor"),
    /** Operates the service: policies, erasure, everything compliance can do. */
    ADMIN("admin");

    private final String claim;

    Role(String claim) {
        this.claim = claim;
    }

    /** The value in a token's {@code roles} claim. */
    public String claim() {
        return claim;
    }

    public static Optional<Role> fromClaim(String value) {
        for (Role r : values()) {
            if (r.claim.equals(value)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
