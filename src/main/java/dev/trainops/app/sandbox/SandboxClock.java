package dev.trainops.app.sandbox;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

/**
 * The sandbox's clock: starts at {@code origin} and runs {@code speed} times faster than the
 * wall clock, so an hour of training can pass in minutes ({@code --sandbox-speed}).
 */
public final class SandboxClock extends Clock {
    private final Clock wall;
    private final Instant wallOrigin;
    private final Instant origin;
    private final double speed;

    public SandboxClock(Clock wall, Instant origin, double speed) {
        if (!(speed > 0) || speed > 100_000) {
            throw new IllegalArgumentException("sandbox speed must be above 0 and at most 100000, was " + speed);
        }
        this.wall = wall;
        this.wallOrigin = wall.instant();
        this.origin = origin;
        this.speed = speed;
    }

    public double speed() {
        return speed;
    }

    @Override
    public Instant instant() {
        long wallNanos = java.time.Duration.between(wallOrigin, wall.instant()).toNanos();
        return origin.plusNanos((long) (wallNanos * speed));
    }

    @Override
    public ZoneId getZone() {
        return wall.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new SandboxClock(wall.withZone(zone), instant(), speed);
    }
}
