/**
 * Sessions and their failures: opening engine sessions with the settings every phase relies on,
 * running DDL that needs a metadata lock without piling up the application, and the two kinds of
 * failure — transient ({@link dev.schemachange.engine.db.EngineException}, retried) and
 * deterministic ({@link dev.schemachange.engine.db.Refused}, the change fails), with one classifier
 * for server errors ({@link dev.schemachange.engine.db.ServerErrors}). The bottom of the engine:
 * depends on no other engine package.
 */
package dev.schemachange.engine.db;
