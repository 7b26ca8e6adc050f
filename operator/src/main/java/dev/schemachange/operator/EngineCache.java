package dev.schemachange.operator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps one engine per change between reconciles, so what it learns in memory (the chunk size that
 * meets chunkTime) carries over from slice to slice. A new spec or new credentials build a new
 * engine; the state in the database, not this cache, is what resumes a change after a restart.
 */
final class EngineCache {
    private record Entry(String fingerprint, Engine engine) {}

    private final Engine.Factory factory;
    private final Map<String, Entry> engines = new ConcurrentHashMap<>();

    EngineCache(Engine.Factory factory) {
        this.factory = factory;
    }

    Engine get(ChangeTarget target, String specHash) {
        String fingerprint =
                specHash
                        + "|"
                        + target.jdbcUrl()
                        + "|"
                        + target.credentials().username()
                        + "|"
                        + target.credentials().password().hashCode();
        Entry entry =
                engines.compute(
                        target.owner(),
                        (owner, old) ->
                                old != null && old.fingerprint().equals(fingerprint)
                                        ? old
                                        : new Entry(fingerprint, factory.create(target)));
        return entry.engine();
    }

    void forget(String owner) {
        engines.remove(owner);
    }
}
