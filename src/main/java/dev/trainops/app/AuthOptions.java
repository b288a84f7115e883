package dev.trainops.app;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.server.Authenticator;
import dev.trainops.server.OidcVerifier;
import dev.trainops.server.TokenFile;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Who may call, for {@code serve} (HTTP) and {@code chat --token}: the token file, the OAuth
 * issuer, and the local principal of stdio (DESIGN.md, "Identity and tenancy").
 */
final class AuthOptions {
    @Option(names = "--auth-token-file", paramLabel = "FILE", description = "Bearer tokens, one a line: TOKEN (an admin) or "
            + "TOKEN subject=NAME role=viewer|member|admin teams=team-a,team-b. Read again when it changes.")
    Path tokenFile;

    @Option(names = "--oidc-issuer", paramLabel = "URL", description = "Accept JWT access tokens of this OAuth/OIDC issuer "
            + "(https; http only on loopback), keys from its /.well-known/openid-configuration.")
    String oidcIssuer;

    @Option(names = "--oidc-audience", paramLabel = "URI", description = "The audience (aud) the issuer's tokens must carry; required with --oidc-issuer.")
    String oidcAudience;

    @Option(names = "--teams-claim", paramLabel = "CLAIM", defaultValue = "groups", description = "Claim whose values are team names (default: ${DEFAULT-VALUE}).")
    String teamsClaim;

    @Option(names = "--admin-group", paramLabel = "GROUP", defaultValue = "trainops-admins",
            description = "Value of the teams claim that makes an admin (default: ${DEFAULT-VALUE}).")
    String adminGroup;

    /** The authenticator these options describe ({@link Authenticator#NONE} for none); throws saying what to fix. */
    Authenticator authenticator(Clock clock) {
        TokenFile tokens = tokenFile == null ? null : TokenFile.load(tokenFile, clock);
        OidcVerifier oidc = null;
        if (oidcIssuer != null) {
            URI issuer;
            try {
                issuer = new URI(oidcIssuer);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("--oidc-issuer must be a URL such as https://idp.example.com/realms/main, was '"
                        + oidcIssuer + "'.");
            }
            oidc = new OidcVerifier(new OidcVerifier.Settings(issuer, oidcAudience, teamsClaim, adminGroup), clock);
        } else if (oidcAudience != null) {
            throw new IllegalArgumentException("--oidc-audience needs --oidc-issuer: the issuer whose tokens carry that audience.");
        }
        return tokens == null && oidc == null ? Authenticator.NONE : new Authenticator(tokens, oidc);
    }

    /**
     * Who {@code trainops chat} acts for: {@code token} (from {@code --token}, else the environment's
     * {@code TRAINOPS_TOKEN}) as the token file or the issuer says, else the local principal.
     */
    Principal chatPrincipal(String token, Map<String, String> env, Clock clock) {
        String t = token != null ? token : env.get("TRAINOPS_TOKEN");
        if (t == null || t.isBlank()) {
            return localPrincipal(env);
        }
        Authenticator authenticator = authenticator(clock);
        if (!authenticator.configured()) {
            throw new IllegalArgumentException("--token needs --auth-token-file FILE or --oidc-issuer URL --oidc-audience URI to say who it is.");
        }
        Authenticator.Outcome outcome = authenticator.authenticate(t.strip());
        if (outcome instanceof Authenticator.Outcome.Accepted accepted) {
            return accepted.principal();
        }
        String message = outcome instanceof Authenticator.Outcome.Rejected r ? r.message() : ((Authenticator.Outcome.Unavailable) outcome).message();
        throw new IllegalArgumentException("--token: " + message);
    }

    /**
     * The local user, for stdio and an HTTP server without authentication: an admin, unless
     * {@code TRAINOPS_TEAMS} (comma list) and {@code TRAINOPS_ROLE} say otherwise; the subject is
     * {@code USER} (else {@code local}).
     */
    static Principal localPrincipal(Map<String, String> env) {
        String teamsVar = env.getOrDefault("TRAINOPS_TEAMS", "");
        String roleVar = env.getOrDefault("TRAINOPS_ROLE", "");
        if (teamsVar.isBlank() && roleVar.isBlank()) {
            return Principal.LOCAL;
        }
        Set<String> teams = new LinkedHashSet<>();
        for (String t : teamsVar.split(",")) {
            if (!t.isBlank()) {
                teams.add(t.strip());
            }
        }
        Role role;
        try {
            role = roleVar.isBlank() ? Role.MEMBER : Role.parse(roleVar);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TRAINOPS_ROLE must be viewer, member or admin, was '" + roleVar + "'.");
        }
        if (role != Role.ADMIN && teams.isEmpty()) {
            throw new IllegalArgumentException("TRAINOPS_ROLE=" + role.wireName() + " needs TRAINOPS_TEAMS, e.g. TRAINOPS_TEAMS=team-a,team-b.");
        }
        String user = env.getOrDefault("USER", "");
        return new Principal(user.isBlank() ? "local" : user, teams, role);
    }
}
