/**
 * SQL text built from a plan: the forward and reverse triggers and the key expressions every
 * chunked statement uses. Builders only — they return strings and run nothing, so their output is
 * pinned by server-free tests.
 */
package dev.schemachange.engine.sql;
