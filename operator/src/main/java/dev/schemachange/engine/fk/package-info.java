/**
 * Foreign keys across the swap: the table's own constraints keep their names (ORMs look them up),
 * children are re-pointed at the live table, self-references follow the rename; each is undone by a
 * rollback.
 */
package dev.schemachange.engine.fk;
