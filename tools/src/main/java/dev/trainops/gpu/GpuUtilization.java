package dev.trainops.gpu;

import java.util.OptionalDouble;

/** Where GPU utilisation comes from: DCGM through Prometheus, or the sandbox's simulated kubelet. */
@FunctionalInterface
public interface GpuUtilization {
    /** Mean utilisation of the node's GPUs in percent, if known. */
    OptionalDouble nodePercent(String node);

    /** GPU memory used / total on the node's GPUs (0-1), if known. */
    default OptionalDouble nodeMemoryRatio(String node) {
        return OptionalDouble.empty();
    }

    /** Both figures of the node from one read of the source; sources that refresh override it to read one snapshot. */
    default NodeReading node(String node) {
        return new NodeReading(nodePercent(node), nodeMemoryRatio(node));
    }

    /** A short name of the source, shown in answers ("dcgm", "sandbox"). */
    default String source() {
        return "dcgm";
    }

    GpuUtilization UNKNOWN = new GpuUtilization() {
        @Override
        public OptionalDouble nodePercent(String node) {
            return OptionalDouble.empty();
        }

        @Override
        public String source() {
            return "none";
        }
    };
}
