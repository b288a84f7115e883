package dev.trainops.simulate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A GPU job trace in the Microsoft ITP format ({@code job_id,submission_time,duration,num_gpu};
 * ../shared/data/gputrace/SOURCE.md): seconds from the start of collection, the recorded duration,
 * and the GPUs the job used. Jobs are kept in submission order (ties in file order).
 */
public record Trace(String name, List<Job> jobs) {

    /** The header every ITP trace file starts with. */
    public static final String HEADER = "job_id,submission_time,duration,num_gpu";

    public record Job(String id, long submitted, long duration, int gpus) {
        public long gpuSeconds() {
            return duration * gpus;
        }
    }

    public Trace {
        jobs = List.copyOf(jobs);
    }

    /** Reads a trace file; a malformed line is an error naming the file, the line and what is wrong. */
    public static Trace read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
            throw new IllegalArgumentException(file + ": the first line must be the header '" + HEADER + "' (the ITP trace format).");
        }
        List<Job> jobs = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != 4) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected 4 fields (" + HEADER + "), got " + f.length + ".");
            }
            try {
                Job j = new Job(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]));
                if (j.id().isEmpty() || j.submitted() < 0 || j.duration() <= 0 || j.gpus() <= 0) {
                    throw new NumberFormatException();
                }
                jobs.add(j);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": job_id must be non-empty, submission_time >= 0, duration "
                        + "and num_gpu > 0 (whole numbers).");
            }
        }
        if (jobs.isEmpty()) {
            throw new IllegalArgumentException(file + ": no jobs after the header.");
        }
        jobs.sort(Comparator.comparingLong(Job::submitted)); // stable: ties keep file order
        return new Trace(file.getFileName().toString(), jobs);
    }

    /** GPU-seconds of all jobs. */
    public long gpuSeconds() {
        return jobs.stream().mapToLong(Job::gpuSeconds).sum();
    }

    public long firstSubmit() {
        return jobs.get(0).submitted();
    }

    /** The end of the last job if every job ran from its submission (no queueing). */
    public long lastEndWithoutQueueing() {
        return jobs.stream().mapToLong(j -> j.submitted() + j.duration()).max().orElseThrow();
    }

    /**
     * The cluster size for an offered load: GPUs = ceil(GPU-seconds / (span x load)), rounded up to
     * whole nodes of {@code perNode}, where span runs from the first submission to the last end
     * without queueing. A load of 1.0 is a cluster exactly as large as the trace's average demand.
     */
    public int gpusForLoad(double load, int perNode) {
        if (!(load > 0)) {
            throw new IllegalArgumentException("--load must be above 0 (e.g. 0.8 or 1.2).");
        }
        double span = Math.max(1, lastEndWithoutQueueing() - firstSubmit());
        long gpus = (long) Math.ceil(gpuSeconds() / (span * load));
        long nodes = Math.max(1, (gpus + perNode - 1) / perNode);
        return Math.toIntExact(nodes * perNode);
    }

    /** The offered load on {@code gpus} GPUs: the trace's GPU-seconds over span x GPUs. */
    public double loadOn(int gpus) {
        double span = Math.max(1, lastEndWithoutQueueing() - firstSubmit());
        return gpuSeconds() / (span * gpus);
    }
}
