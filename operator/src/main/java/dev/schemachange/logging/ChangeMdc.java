package dev.schemachange.logging;

import org.slf4j.MDC;

/**
 * Names the SchemaChange a thread works on, in the SLF4J MDC, for as long as the returned scope is
 * open: every line logged meanwhile (the engine's too, which knows tables, not resources) carries
 * its namespace/name. Our own keys rather than JOSDK's {@code resource.*}, which JOSDK can switch
 * off and may rename.
 */
public final class ChangeMdc implements AutoCloseable {
    public static final String NAMESPACE = "namespace";
    public static final String NAME = "name";

    private final String previousNamespace;
    private final String previousName;

    private ChangeMdc(String namespace, String name) {
        // a reconcile may run inside another's scope (tests drive several reconcilers on one
        // thread): restore it
        previousNamespace = MDC.get(NAMESPACE);
        previousName = MDC.get(NAME);
        put(NAMESPACE, namespace);
        put(NAME, name);
    }

    public static ChangeMdc of(String namespace, String name) {
        return new ChangeMdc(namespace, name);
    }

    @Override
    public void close() {
        put(NAMESPACE, previousNamespace);
        put(NAME, previousName);
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
