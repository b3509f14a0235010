package dev.trackrecord.api.auth;

/** A bearer token that is missing, malformed, badly signed, expired or otherwise refused. */
public final class TokenException extends Exception {
    public TokenException(String message) {
        super(message);
    }
}
