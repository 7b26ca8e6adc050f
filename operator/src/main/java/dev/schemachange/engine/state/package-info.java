/**
 * The state row ({@code <workSchema>.schemachange_state}): the durable truth of one change — phase,
 * plan hash, cursor, counts — written in the same transaction as the chunk it describes, so any
 * process resumes it.
 */
package dev.schemachange.engine.state;
