/**
 * WaitingForSwap through Completed: the gate (pause, approval, not-before, cron windows), the
 * atomic cut-over or DropSwap, the migration version recorded in the same RENAME, the split's
 * compatibility view, reverse sync for a lossless rollback, and the reverse swap itself. Every step
 * is recognised by inspection after a crash.
 */
package dev.schemachange.engine.swap;
