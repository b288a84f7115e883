/**
 * The names trainops checks before it uses them: job, batch and MLflow run ids, team names, and the
 * safe names that may be written into an MLflow filter string. Each is a value validated once, by
 * {@code parse(argument, raw)} at the domain's entry (a tool's request keeps its String, so its
 * schema does not change), and each rule lives in one place. Depends on {@code catalog} only (for
 * {@link dev.trainops.catalog.ToolException}) and on {@code kube} for the namespace rule, so every
 * capability and backend may use it.
 */
package dev.trainops.names;
