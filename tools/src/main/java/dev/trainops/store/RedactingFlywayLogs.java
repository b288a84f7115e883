package dev.trainops.store;

import org.flywaydb.core.api.logging.Log;
import org.flywaydb.core.api.logging.LogCreator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private record Redacting(Logger log) implements Log {
        @Override
        public boolean isDebugEnabled() {
            return log.isDebugEnabled();
        }

        @Override
        public void debug(String message) {
            log.debug(StoreUrls.redactUrls(message));
        }

        @Override
        public void info(String message) {
            log.info(StoreUrls.redactUrls(message));
        }

        @Override
        public void warn(String message) {
            log.warn(StoreUrls.redactUrls(message));
        }

        @Override
        public void error(String message) {
            log.error(StoreUrls.redactUrls(message));
        }

        @Override
        public void error(String message, Exception e) {
            // the exception's own text may hold the URL too: its message only, redacted
            log.error(StoreUrls.redactUrls(message + ": " + e.getMessage()));
        }

        @Override
        public void notice(String message) {
            log.info(StoreUrls.redactUrls(message));
        }
    }
}
