package dev.trainops.gpu;

/** How a GPU resource is handed out. */
public enum Sharing {
    /** One pod per physical GPU. */
    EXCLUSIVE,
    /** A hardware MIG slice with its own memory and compute. */
    MIG,
    /** Time-sliced replicas of a physical GPU: no memory or fault isolation. */
    TIME_SLICED,
    /** NVIDIA Multi-Process Service replicas. */
    MPS
}
