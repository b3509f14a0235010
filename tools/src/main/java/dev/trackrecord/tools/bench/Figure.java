package dev.trackrecord.tools.bench;

/**
 * One measured figure: a value in {@code unit} (a rate such as entries/s, or an amount such as
 * ms), optionally with p50 and p99 latencies in milliseconds; or the reason it was not measured.
 */
public record Figure(double value, String unit, double p50Ms, double p99Ms, String notMeasured) {

    public static Figure of(double value, String unit) {
        return new Figure(value, unit, Double.NaN, Double.NaN, null);
    }

    public static Figure of(double value, String unit, double p50Ms, double p99Ms) {
        return new Figure(value, unit, p50Ms, p99Ms, null);
    }

    /** A figure that could not be taken, with the reason shown in its place. */
    public static Figure notMeasured(String reason) {
        return new Figure(Double.NaN, "", Double.NaN, Double.NaN, reason);
    }

    public boolean measured() {
        return notMeasured == null;
    }

    public boolean hasLatency() {
        return measured() && !Double.isNaN(p50Ms);
    }

    /** The value with its unit, e.g. {@code 12,345 entries/s}; or {@code not measured: reason}. */
    public String text() {
        if (!measured()) {
            return "not measured: " + notMeasured;
        }
        return number(value) + (unit.isEmpty() ? "" : " " + unit);
    }

    static String number(double v) {
        if (v >= 100) {
            return String.format("%,.0f", v);
        }
        if (v >= 10) {
            return String.format("%.1f", v);
        }
        return String.format("%.2f", v);
    }

    static String millis(double ms) {
        if (Double.isNaN(ms)) {
            return "";
        }
        return ms < 1 ? String.format("%.0f µs", ms * 1000) : String.format("%.2f ms", ms);
    }
}
