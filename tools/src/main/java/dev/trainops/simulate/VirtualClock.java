package dev.trainops.simulate;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The simulation's clock: it stands still until the replay moves it forward, never back. */
public final class VirtualClock extends Clock {
    private Instant now;

    public VirtualClock(Instant start) {
        this.now = start;
    }

    /** Moves the clock to {@code to}; moving backwards is a bug in the replay. */
    public void advanceTo(Instant to) {
        if (to.isBefore(now)) {
            throw new IllegalStateException("the virtual clock cannot go back from " + now + " to " + to);
        }
        now = to;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (!ZoneOffset.UTC.equals(zone)) {
            throw new IllegalArgumentException("the virtual clock runs in UTC only");
        }
        return this;
    }
}
