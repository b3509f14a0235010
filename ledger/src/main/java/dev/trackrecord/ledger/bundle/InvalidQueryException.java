package dev.trackrecord.ledger.bundle;

/** An export query parameter breaks a rule; names the parameter as the API spells it. */
public final class InvalidQueryException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String parameter;

    public InvalidQueryException(String parameter, String rule) {
        super(parameter + ": " + rule);
        this.parameter = parameter;
    }

    /** The parameter at fault: contractor, from_seq, to_seq, kinds or since_size. */
    public String parameter() {
        return parameter;
    }
}
