/**
 * Log setup: text or JSON lines, with the change (namespace/name, schema.table) in every line of
 * its work.
 */
package dev.schemachange.logging;
