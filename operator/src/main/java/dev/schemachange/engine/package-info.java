/**
 * The online schema change, as plain JDBC: {@link dev.schemachange.engine.Migrator} walks the
 * phases (Validating, Preparing, Backfilling, Verifying, AwaitingSwap, Swapping, Swapped,
 * Completed; RollingBack, RolledBack; Failed) one slice of work at a time and reports a {@link
 * dev.schemachange.engine.Progress}; {@link dev.schemachange.engine.Controls} carry the platform
 * team's steering in. Those three, plus the connection and validation entry points, are all the
 * operator and the CLI see (ArchitectureTest). The sub-packages are the roles a phase is made of;
 * docs/architecture.md maps phases to packages. Nothing here imports Kubernetes.
 */
package dev.schemachange.engine;
