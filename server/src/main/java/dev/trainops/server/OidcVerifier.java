package dev.trainops.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.trainops.access.Access;
import dev.trainops.access.Principal;
import dev.trainops.server.Authenticator.Outcome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * trainops as an OAuth 2.1 resource server (DESIGN.md, "Identity and tenancy"): checks a JWT
 * access token against the issuer's keys and turns its claims into a {@link Principal}.
 *
 * <p>The keys come from the issuer's JWKS, found through {@code <issuer>/.well-known/openid-configuration};
 * they are fetched on the first token, kept, and fetched again when a token names a key ({@code kid})
 * they do not hold, or when they are older than {@link #MAX_KEY_AGE}. Fetches are at most one per
 * {@link #REFRESH_INTERVAL} (a flood of made-up key ids cannot hammer the identity provider), each
 * bounded by {@link #FETCH_TIMEOUT}: a dead identity provider costs a request a few seconds and an
 * {@link Outcome.Unavailable}, never a hang. Only RS256 and ES256 signatures are accepted; {@code iss},
 * {@code aud}, {@code exp} and {@code nbf} are checked with {@link #SKEW} of clock skew, on the
 * injected clock.
 */
public final class OidcVerifier {
    private static final Logger log = LoggerFactory.getLogger(OidcVerifier.class);
    static final Duration SKEW = Duration.ofSeconds(60);
    static final Duration REFRESH_INTERVAL = Duration.ofSeconds(30);
    static final Duration MAX_KEY_AGE = Duration.ofHours(1);
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(3);
    private static final Set<JWSAlgorithm> ACCEPTED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

    /**
     * What the identity provider is and how its tokens name teams and admins.
     *
     * @param issuer     the issuer URL; https, except on a loopback address
     * @param audience   the audience a token must carry ({@code aud}), usually this server's URL or API id
     * @param teamsClaim the claim whose values are team names ({@code groups})
     * @param adminGroup the value of that claim that makes an admin ({@code trainops-admins})
     */
    public record Settings(URI issuer, String audience, String teamsClaim, String adminGroup) {
        public Settings {
            if (issuer == null || issuer.getHost() == null) {
                throw new IllegalArgumentException("--oidc-issuer must be an absolute URL such as https://idp.example.com/realms/main, was '"
                        + issuer + "'.");
            }
            if (!"https".equalsIgnoreCase(issuer.getScheme()) && !("http".equalsIgnoreCase(issuer.getScheme()) && loopback(issuer))) {
                throw new IllegalArgumentException("--oidc-issuer must be https (plain http only on a loopback address), was " + issuer + ".");
            }
            if (audience == null || audience.isBlank()) {
                throw new IllegalArgumentException("--oidc-audience is required with --oidc-issuer: the audience (aud) this server's "
                        + "tokens carry, e.g. https://trainops.example.com/mcp.");
            }
            if (teamsClaim == null || teamsClaim.isBlank()) {
                throw new IllegalArgumentException("--teams-claim must name a claim, e.g. groups.");
            }
            if (adminGroup == null || adminGroup.isBlank()) {
                throw new IllegalArgumentException("--admin-group must name a group, e.g. trainops-admins.");
            }
        }
    }

    private record Keys(JWKSet set, Instant fetched) {
    }

    private final Settings settings;
    private final Clock clock;
    private final HttpClient http;
    private final ReentrantLock fetching = new ReentrantLock();
    private volatile Keys keys;
    private volatile URI jwksUri;
    private volatile Instant lastFetch;

    public OidcVerifier(Settings settings, Clock clock) {
        this(settings, clock, HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build());
    }

    OidcVerifier(Settings settings, Clock clock, HttpClient http) {
        this.settings = settings;
        this.clock = clock;
        this.http = http;
    }

    public Settings settings() {
        return settings;
    }

    /** Accepted with the token's principal, Rejected saying what is wrong with it, or Unavailable when the keys cannot be had. */
    public Outcome verify(String token) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            return rejected("The bearer token is not a token this server accepts.");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            return rejected("The token is not signed (alg none); send an access token signed by " + settings.issuer() + ".");
        }
        JWSHeader header = signed.getHeader();
        if (!ACCEPTED.contains(header.getAlgorithm())) {
            return rejected("Tokens signed with " + header.getAlgorithm() + " are not accepted; the issuer must sign with RS256 or ES256.");
        }
        Instant now = clock.instant();
        Keys held = keys;
        if (held != null && now.isAfter(held.fetched().plus(MAX_KEY_AGE))) {
            refresh(now); // on failure the keys held stay in use
            held = keys;
        }
        List<JWK> candidates = held == null ? List.of() : candidates(held.set(), header);
        if (candidates.isEmpty()) {
            if (!refresh(now) && keys == null) {
                return new Outcome.Unavailable("The identity provider " + settings.issuer() + " did not answer with its keys; retry shortly.");
            }
            candidates = candidates(keys.set(), header);
            if (candidates.isEmpty()) {
                return rejected("The token is signed with a key that " + settings.issuer() + " does not publish; get a new token.");
            }
        }
        if (!verified(signed, candidates)) {
            return rejected("The token's signature is not valid; get a new token from " + settings.issuer() + ".");
        }
        JWTClaimsSet claims;
        try {
            claims = signed.getJWTClaimsSet();
        } catch (ParseException e) {
            return rejected("The token's claims are not a JSON object.");
        }
        return checked(claims, now);
    }

    private Outcome checked(JWTClaimsSet claims, Instant now) {
        if (claims.getIssuer() == null || !trimSlash(claims.getIssuer()).equals(trimSlash(settings.issuer().toString()))) {
            return rejected("The token is from the wrong issuer; get one from " + settings.issuer() + ".");
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(settings.audience())) {
            return rejected("The token is for the wrong audience; ask " + settings.issuer() + " for a token with audience "
                    + settings.audience() + ".");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return rejected("The token has no expiry (exp); the issuer must set one.");
        }
        if (now.minus(SKEW).isAfter(exp.toInstant())) {
            return rejected("The token has expired; get a new one.");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(SKEW).isBefore(nbf.toInstant())) {
            return rejected("The token is not valid yet (nbf); check the clocks of this server and the identity provider.");
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            return rejected("The token has no subject (sub).");
        }
        List<String> teams = values(claims.getClaim(settings.teamsClaim()));
        List<String> scopes = new ArrayList<>(values(claims.getClaim("scope")));
        scopes.addAll(values(claims.getClaim("scp")));
        dev.trainops.access.Role role = teams.contains(settings.adminGroup()) ? dev.trainops.access.Role.ADMIN
                : scopes.contains(Access.WRITE_SCOPE) ? dev.trainops.access.Role.MEMBER : dev.trainops.access.Role.VIEWER;
        List<String> teamNames = teams.stream().filter(t -> !t.equals(settings.adminGroup())).toList();
        return new Outcome.Accepted(new Principal(subject, Set.copyOf(teamNames), role));
    }

    /**
     * A claim's values: a JSON array, or one string of values separated by spaces or commas. A
     * leading {@code /} is dropped (Keycloak's full group paths: {@code /team-a} is team-a).
     */
    static List<String> values(Object claim) {
        List<String> raw = new ArrayList<>();
        if (claim instanceof List<?> list) {
            list.forEach(v -> raw.add(String.valueOf(v)));
        } else if (claim instanceof String s) {
            raw.addAll(List.of(s.split("[\\s,]+")));
        }
        return raw.stream().map(String::strip).map(v -> v.startsWith("/") ? v.substring(1) : v).filter(v -> !v.isEmpty()).distinct().toList();
    }

    private List<JWK> candidates(JWKSet set, JWSHeader header) {
        List<JWK> out = new ArrayList<>();
        for (JWK key : set.getKeys()) {
            if (header.getKeyID() != null && !header.getKeyID().equals(key.getKeyID())) {
                continue;
            }
            if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
                continue;
            }
            if (key.getAlgorithm() != null && !key.getAlgorithm().equals(header.getAlgorithm())) {
                continue;
            }
            boolean fits = JWSAlgorithm.RS256.equals(header.getAlgorithm()) ? key instanceof RSAKey
                    : key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve());
            if (fits) {
                out.add(key);
            }
        }
        return out;
    }

    private static boolean verified(SignedJWT signed, List<JWK> candidates) {
        for (JWK key : candidates) {
            try {
                JWSVerifier verifier = key instanceof RSAKey rsa ? new RSASSAVerifier(rsa) : new ECDSAVerifier((ECKey) key);
                if (signed.verify(verifier)) {
                    return true;
                }
            } catch (JOSEException e) {
                log.debug("key {} cannot verify: {}", key.getKeyID(), e.getMessage());
            }
        }
        return false;
    }

    /**
     * Fetches the keys (and, the first time, the discovery document), unless a fetch was made less
     * than {@link #REFRESH_INTERVAL} ago or another request is fetching (then waits for it, bounded).
     * True when this call fetched them.
     */
    private boolean refresh(Instant now) {
        try {
            if (!fetching.tryLock(2 * FETCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            Instant last = lastFetch;
            if (last != null && now.isBefore(last.plus(REFRESH_INTERVAL))) {
                return false;
            }
            lastFetch = now;
            if (jwksUri == null) {
                jwksUri = discover();
            }
            JWKSet set = JWKSet.parse(get(jwksUri)).toPublicJWKSet();
            keys = new Keys(set, now);
            log.info("keys of {} fetched: {} keys", settings.issuer(), set.getKeys().size());
            return true;
        } catch (IOException | ParseException | RuntimeException e) {
            log.warn("cannot fetch the keys of {}: {}", settings.issuer(), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            fetching.unlock();
        }
    }

    private URI discover() throws IOException, InterruptedException, ParseException {
        URI document = URI.create(trimSlash(settings.issuer().toString()) + "/.well-known/openid-configuration");
        Map<String, Object> discovery = JSONObjectUtils.parse(get(document));
        Object jwks = discovery.get("jwks_uri");
        if (!(jwks instanceof String s)) {
            throw new IOException(document + " has no jwks_uri");
        }
        URI uri = URI.create(s);
        if (!"https".equalsIgnoreCase(uri.getScheme()) && !("http".equalsIgnoreCase(uri.getScheme()) && loopback(uri))) {
            throw new IOException("jwks_uri " + uri + " is not https");
        }
        return uri;
    }

    private String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(FETCH_TIMEOUT)
                .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered HTTP " + response.statusCode());
        }
        return response.body();
    }

    private static Outcome rejected(String message) {
        return new Outcome.Rejected(message);
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    static boolean loopback(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return false;
        }
        host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return host.equalsIgnoreCase("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
    }
}
