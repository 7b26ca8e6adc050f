/**
 * Preparing, the pure part: the user's ALTER clause checked and read, the tables the change builds,
 * and the {@link dev.schemachange.engine.plan.Plan} derived from spec + inspection. No server
 * access; the plan hash decides whether a resumed run still means the same change.
 */
package dev.schemachange.engine.plan;
