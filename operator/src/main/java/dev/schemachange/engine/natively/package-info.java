/**
 * The native strategy: when the server applies the whole ALTER as INSTANT (or, with {@code
 * native.allowInplace}, in place without blocking writes), the change runs as that one ALTER at the
 * swap instead of a shadow table and a copy. The server itself decides, on a scratch copy of the
 * empty table; the choice, its reason and the shape the ALTER produces are stored next to the state
 * row, so a resumed run keeps the choice and recognises an ALTER that already landed.
 */
package dev.schemachange.engine.natively;
