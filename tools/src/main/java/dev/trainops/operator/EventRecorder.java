package dev.trainops.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events about trainops's custom resources ({@code kubectl describe tj NAME} shows them): a core/v1 Event
 * in the object's namespace, its {@code involvedObject} the object, source component {@code trainops}. One Event per
 * object, reason and message: a controller reconciles an object again and again (every resync), and saying the same
 * thing twice is noise, so a repeat is dropped here (remembered per object uid) and, after a restart, by the Event's
 * name, which is derived from the three (the API server answers 409 to the second create). Recording never fails the
 * caller's reconcile: an Event the API server refuses is logged and tried again next time.
 */
public final class EventRecorder {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    /** The Event's {@code source.component} and {@code reportingComponent}. */
    public static final String COMPONENT = "trainops";
    /** Longer messages are cut here (the API server keeps notes short). */
    static final int MAX_MESSAGE = 1024;
    /** Objects whose Events are remembered; the oldest is forgotten beyond this (its next repeat is then caught by the 409). */
    static final int REMEMBERED_OBJECTS = 10_000;

    /** Normal or Warning, as Kubernetes spells them. */
    public enum Type {
        Normal, Warning
    }

    private final KubernetesClient client;
    private final Clock clock;
    /** Per object uid, the digests of the Events recorded for it. */
    private final Map<String, java.util.Set<String>> recorded = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, java.util.Set<String>> eldest) {
            return size() > REMEMBERED_OBJECTS;
        }
    };

    public EventRecorder(KubernetesClient client, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A Normal Event about {@code object}; see {@link #record}. */
    public boolean normal(HasMetadata object, String reason, String message) {
        return record(object, Type.Normal, reason, message);
    }

    /** A Warning Event about {@code object}; see {@link #record}. */
    public boolean warning(HasMetadata object, String reason, String message) {
        return record(object, Type.Warning, reason, message);
    }

    /**
     * Creates the Event unless this object has had one with this reason and message: true when one was created now,
     * false when it was a repeat or the API server refused it (logged; tried again on the next call).
     */
    public boolean record(HasMetadata object, Type type, String reason, String message) {
        ObjectMeta meta = object.getMetadata();
        String uid = meta.getUid() == null ? meta.getNamespace() + "/" + meta.getName() : meta.getUid();
        String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
        String digest = digest(uid + "\n" + type + "\n" + reason + "\n" + text);
        synchronized (recorded) {
            if (recorded.getOrDefault(uid, java.util.Set.of()).contains(digest)) {
                return false;
            }
        }
        String now = clock.instant().toString();
        Event event = new EventBuilder()
                .withNewMetadata().withNamespace(meta.getNamespace()).withName(name(meta.getName(), digest)).endMetadata()
                .withNewInvolvedObject().withApiVersion(object.getApiVersion()).withKind(object.getKind()).withNamespace(meta.getNamespace())
                .withName(meta.getName()).withUid(meta.getUid()).withResourceVersion(meta.getResourceVersion()).endInvolvedObject()
                .withReason(reason).withMessage(text).withType(type.name())
                .withNewSource().withComponent(COMPONENT).endSource().withReportingComponent(COMPONENT)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        boolean created;
        try {
            client.resource(event).create();
            created = true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                log.warn("cannot record Event {} on {} {}/{} (HTTP {}): {}", reason, object.getKind(), meta.getNamespace(), meta.getName(),
                        e.getCode(), e.getMessage());
                return false;
            }
            created = false; // recorded before this process started
        }
        synchronized (recorded) {
            recorded.computeIfAbsent(uid, k -> new java.util.HashSet<>()).add(digest);
        }
        return created;
    }

    /** Forgets an object's Events (it was deleted). */
    public void forget(String uid) {
        synchronized (recorded) {
            recorded.remove(uid);
        }
    }

    /** {@code object-name.digest}: unique per object, reason and message, at most 253 characters, as Kubernetes names are. */
    static String name(String objectName, String digest) {
        String base = objectName.length() > 200 ? objectName.substring(0, 200) : objectName;
        return (base + "." + digest.substring(0, 16)).toLowerCase(Locale.ROOT);
    }

    private static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
