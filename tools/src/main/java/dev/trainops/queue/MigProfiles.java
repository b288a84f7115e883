package dev.trainops.queue;

import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import dev.trainops.gpu.GpuTypes;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A request for MIG slices (docs/queue.md, "MIG slices"): {@code mig_profile} ({@code 1g.10gb})
 * next to {@code gpu_type} ({@code A100-80GB}), or a {@code gpu_type} that carries the profile as
 * GPU Feature Discovery writes it under strategy single ({@code A100-80GB-MIG-1g.10gb}). Each
 * profile on a node is a pool of its own; a job's {@code gpu_count} is its number of slices.
 */
final class MigProfiles {
    private static final String EXAMPLE = "For example gpu_type=A100-80GB with mig_profile=1g.10gb.";

    /** What was asked: the GPU type as given (null: none) and the MIG profile (null: whole or shared GPUs). */
    record Asked(String gpuType, String migProfile) {
    }

    private MigProfiles() {
    }

    /** Splits {@code gpu_type} and {@code mig_profile} into a type and a profile; a malformed profile is INVALID_ARGUMENT. */
    static Asked parse(String gpuType, String migProfile) {
        String type = gpuType == null || gpuType.isBlank() ? null : gpuType.trim();
        // the profile as GPU Feature Discovery writes it at the end of a product under strategy single
        String fromType = GpuTypes.migProfileFromProduct(type);
        if (fromType != null) {
            type = type.substring(0, type.length() - ("-MIG-" + fromType).length());
        }
        String profile = migProfile == null || migProfile.isBlank() ? null : migProfile.trim().toLowerCase(Locale.ROOT);
        if (profile != null && (profile.length() > 16 || !GpuTypes.isMigProfile(profile))) {
            throw ToolException.invalidArgument("mig_profile", "Argument 'mig_profile' must be a MIG profile such as 1g.10gb or 3g.40gb (got "
                    + Json.shorten(migProfile) + ").", EXAMPLE);
        }
        if (profile != null && fromType != null && !profile.equals(fromType)) {
            throw ToolException.invalidArgument("mig_profile", "Argument 'mig_profile' (" + profile + ") differs from the profile in gpu_type ("
                    + fromType + ").", EXAMPLE);
        }
        return new Asked(type, profile != null ? profile : fromType);
    }

    /**
     * The GPU type for a MIG request without one: the one type whose nodes offer the profile;
     * INVALID_ARGUMENT naming gpu_type when none or several do.
     */
    static String typeOffering(String profile, List<Snapshot.NodeRoom> rooms) {
        List<String> types = rooms.stream().filter(r -> profile.equals(r.migProfile())).map(Snapshot.NodeRoom::gpuType).distinct().sorted().toList();
        if (types.size() == 1) {
            return types.get(0);
        }
        throw ToolException.invalidArgument("gpu_type", types.isEmpty() ? "No node in the cluster offers MIG " + profile + " slices."
                : "MIG " + profile + " slices are offered on " + String.join(", ", types) + "; say which.",
                "Give gpu_type with mig_profile; MIG profiles here: " + offered(rooms) + ".");
    }

    /** The rooms a request of this type and profile can be placed in (a MIG request only in its profile's pools, others never in one). */
    static List<Snapshot.NodeRoom> matching(List<Snapshot.NodeRoom> rooms, String gpuType, String profile) {
        return rooms.stream().filter(r -> r.gpuType().equals(gpuType) && Objects.equals(r.migProfile(), profile)).toList();
    }

    /** The type/profile pairs the cluster offers, e.g. {@code A100-80GB 1g.10gb}; "none" when it has no MIG pool. */
    static String offered(List<Snapshot.NodeRoom> rooms) {
        List<String> pairs = rooms.stream().filter(r -> r.migProfile() != null).map(r -> r.gpuType() + " " + r.migProfile()).distinct().sorted().toList();
        return pairs.isEmpty() ? "none" : String.join(", ", pairs);
    }
}
