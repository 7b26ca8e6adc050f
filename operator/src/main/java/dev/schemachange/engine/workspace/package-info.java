/**
 * The helper objects of one change — shadow tables, work-schema views, our triggers, the conflicts
 * table — built and removed idempotently, each step starting from what the database holds.
 */
package dev.schemachange.engine.workspace;
