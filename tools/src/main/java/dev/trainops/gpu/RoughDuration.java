package dev.trainops.gpu;

/** A wait as a person reads it in an answer: "1 min", "25 min", "3 h", "2 days". */
final class RoughDuration {
    private RoughDuration() {
    }

    static String of(long seconds) {
        if (seconds < 90) {
            return "1 min";
        }
        if (seconds < 90 * 60) {
            return Math.round(seconds / 60.0) + " min";
        }
        if (seconds < 36 * 3600) {
            return Math.round(seconds / 3600.0) + " h";
        }
        return Math.round(seconds / 86400.0) + " days";
    }
}
