package dev.trainops.recommend;

/** The kinds of advice recommend_cost_optimization gives; the names are fixed by docs/tools.md. */
public enum RecommendationType {
    EARLY_STOPPING,
    BATCH_SIZE,
    LEARNING_RATE,
    LOW_GPU_UTILIZATION,
    RIGHT_SIZE_GPU,
    OFF_PEAK,
    SPOT,
    MIXED_PRECISION,
    DATA_LOADING
}
