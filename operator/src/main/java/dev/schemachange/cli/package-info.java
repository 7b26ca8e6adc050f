/**
 * The {@code osc} command line: run, status, rollback, demo and operator, over the same engine as
 * the operator.
 */
package dev.schemachange.cli;
