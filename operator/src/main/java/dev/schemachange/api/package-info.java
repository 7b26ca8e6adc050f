/**
 * The SchemaChange custom resource: spec, status, phases and problems, as the CRD and the CLI
 * manifest share them.
 */
package dev.schemachange.api;
