package dev.trainops.queue;

/** Admission priority: URGENT first (and may preempt BACKGROUND), then NORMAL, then BACKGROUND. */
public enum Priority { URGENT, NORMAL, BACKGROUND }
