package dev.trainops.gpu;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Canonical GPU type names (H100, H200, A100-40GB, A100-80GB, L40S, L4, T4, A10G, ...) from GPU
 * Feature Discovery's {@code nvidia.com/gpu.product}, which carries vendor prefixes and suffixes
 * such as {@code -SHARED} or {@code -MIG-1g.5gb}.
 */
public final class GpuTypes {
    /** The types trainops prices and names in its answers; others keep their product name. */
    public static final List<String> KNOWN = List.of("H200", "H100", "A100-80GB", "A100-40GB", "L40S", "L4", "A10G", "T4", "V100");

    private static final Pattern MIG_SUFFIX = Pattern.compile("-MIG-(\\d+g\\.\\d+gb)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern MIG_PROFILE = Pattern.compile("^(\\d+)g\\.(\\d+)gb$");

    private GpuTypes() {
    }

    public static String canonical(String product, long memoryMib) {
        if (product == null || product.isBlank()) {
            return "unknown";
        }
        String p = product.toUpperCase(Locale.ROOT);
        p = p.replaceFirst("-SHARED$", "");
        p = MIG_SUFFIX.matcher(p).replaceFirst("");
        p = p.replaceFirst("^NVIDIA-", "");
        if (p.contains("H200")) {
            return "H200";
        }
        if (p.contains("H100")) {
            return "H100";
        }
        if (p.contains("A100")) {
            boolean big = p.contains("80GB") || memoryMib > 50_000;
            return big ? "A100-80GB" : "A100-40GB";
        }
        if (p.contains("L40S")) {
            return "L40S";
        }
        if (p.contains("A10G")) {
            return "A10G";
        }
        if (p.matches(".*\\bL4\\b.*") || p.equals("L4") || p.startsWith("L4-")) {
            return "L4";
        }
        if (p.contains("T4")) {
            return "T4";
        }
        if (p.contains("V100")) {
            return "V100";
        }
        return p;
    }

    /** Whether {@code name} is a MIG profile such as {@code 1g.10gb}. */
    public static boolean isMigProfile(String name) {
        return name != null && MIG_PROFILE.matcher(name).matches();
    }

    /** {@code -MIG-1g.5gb} at the end of a product name under MIG strategy single (or a GPU type written so), or null. */
    public static String migProfileFromProduct(String product) {
        if (product == null) {
            return null;
        }
        Matcher m = MIG_SUFFIX.matcher(product);
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }

    /** Memory of a MIG profile such as {@code 3g.40gb}, in MiB; 0 if the name is not a profile. */
    static long migMemoryMib(String profile) {
        Matcher m = MIG_PROFILE.matcher(profile);
        return m.matches() ? Long.parseLong(m.group(2)) * 1024 : 0;
    }
}
