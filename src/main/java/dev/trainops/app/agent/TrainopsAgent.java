package dev.trainops.app.agent;

/** The chat agent: one user turn in, the assistant's answer out; memory carries across turns. */
public interface TrainopsAgent {
    String chat(String userMessage);
}
