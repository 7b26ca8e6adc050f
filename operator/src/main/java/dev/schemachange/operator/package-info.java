/**
 * The Kubernetes side: the JOSDK reconciler that drives the engine one slice per reconcile, status
 * conditions, steering annotations, credentials, leader election, metrics and events.
 */
package dev.schemachange.operator;
