/**
 * Validating: everything that can be known before anything is built — the spec alone ({@link
 * dev.schemachange.engine.check.SpecValidation}, also run by the operator and the CLI before
 * connecting), then the server (privileges, chunk key, split coverage, unique keys the ALTER adds).
 * A problem here is a {@code Failed} condition naming the field, the reason and the fix; nothing
 * has changed yet.
 */
package dev.schemachange.engine.check;
