package dev.trainops.store;

import org.flywaydb.core.api.logging.Log;
import org.flywaydb.core.api.logging.LogCreator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Flyway's logs through SLF4J, with any JDBC URL replaced by its description: Flyway names the
 * database's URL at INFO when it starts ("Database: jdbc:postgresql://...?password=..."). Flyway
 * instantiates this class by name ({@code loggers(...)}), hence public with a no-argument constructor.
 */
public final class RedactingFlywayLogs implements LogCreator {
    @Override
    public Log createLogger(Class<?> clazz) {
        return new Redacting(LoggerFactory.getLogger(clazz));
    }

    /** Every level goes through {@link #log}: the one place a message is redacted. */
    private record Redacting(Logger log) implements Log {
        private void log(Level level, String message) {
            log.atLevel(level).log(StoreUrls.redactUrls(message));
        }

        @Override
        public boolean isDebugEnabled() {
            return log.isDebugEnabled();
        }

        @Override
        public void debug(String message) {
            log(Level.DEBUG, message);
        }

        @Override
        public void info(String message) {
            log(Level.INFO, message);
        }

        @Override
        public void warn(String message) {
            log(Level.WARN, message);
        }

        @Override
        public void error(String message) {
            log(Level.ERROR, message);
        }

        @Override
        public void error(String message, Exception e) {
            // the exception's own text may hold the URL too: its message only, redacted
            log(Level.ERROR, message + ": " + e.getMessage());
        }

        @Override
        public void notice(String message) {
            log(Level.INFO, message);
        }
    }
}
