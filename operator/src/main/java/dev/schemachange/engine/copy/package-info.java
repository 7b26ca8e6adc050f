/**
 * Backfilling and Verifying: chunks over the key, the copier that moves one chunk with its
 * checkpoint, the watermark and journal that make lock-free copying exact, and the chunk-by-chunk
 * checksum that repairs what differs.
 */
package dev.schemachange.engine.copy;
