/**
 * The Kubernetes-native API of trainops (docs/kubernetes.md): {@link dev.trainops.resource.TrainingJob} and
 * {@link dev.trainops.resource.TrainingBatch}, group {@code trainops.dev}, version {@code v1alpha1}, namespaced by
 * team. The CRDs in deploy/crds are generated from these classes by fabric8's crd-generator at build time.
 */
package dev.trainops.resource;
