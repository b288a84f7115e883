package dev.trainops.server;

import dev.trainops.access.Principal;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who a bearer token is: a token of the {@code --auth-token-file} ({@link TokenFile}), else a JWT
 * the {@code --oidc-issuer} signed ({@link OidcVerifier}); either, both or neither may be configured.
 * The HTTP filter and {@code trainops chat --token} ask the same question here.
 */
public final class Authenticator {
    /** No authentication: every caller is the server's local principal (loopback only). */
    public static final Authenticator NONE = new Authenticator(null, null);

    /** What a token turned out to be. */
    public sealed interface Outcome {
        /** A valid token, and who it is. */
        record Accepted(Principal principal) implements Outcome {
        }

        /** Not a token this server accepts; {@code message} says what to do (and, when safe, why: expired, wrong audience). */
        record Rejected(String message) implements Outcome {
        }

        /** The identity provider could not be reached to check it; try again shortly. */
        record Unavailable(String message) implements Outcome {
        }
    }

    private final TokenFile tokens;
    private final OidcVerifier oidc;

    /** Either may be null; both null is {@link #NONE}. */
    public Authenticator(TokenFile tokens, OidcVerifier oidc) {
        this.tokens = tokens;
        this.oidc = oidc;
    }

    /** Bare tokens, each an admin. */
    static Authenticator adminTokens(Set<String> tokens) {
        return tokens.isEmpty() ? NONE : new Authenticator(TokenFile.ofAdminTokens(tokens, Clock.systemUTC()), null);
    }

    /** Whether a caller must present a token. */
    public boolean configured() {
        return tokens != null || oidc != null;
    }

    /** The OAuth settings, when trainops is a resource server. */
    public Optional<OidcVerifier.Settings> oidc() {
        return Optional.ofNullable(oidc).map(OidcVerifier::settings);
    }

    public Outcome authenticate(String token) {
        Objects.requireNonNull(token, "token must not be null");
        if (tokens != null) {
            Optional<Principal> found = tokens.principal(token);
            if (found.isPresent()) {
                return new Outcome.Accepted(found.get());
            }
        }
        if (oidc != null && token.chars().filter(c -> c == '.').count() >= 1) {
            return oidc.verify(token);
        }
        return new Outcome.Rejected(tokens != null
                ? "The token is not one of the server's --auth-token-file tokens; ask its operator for one."
                : "The bearer token is not a token this server accepts.");
    }
}
