package dev.schemachange.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;

/**
 * {@code %change} in the text pattern: "namespace/name: " when the line belongs to a SchemaChange,
 * else nothing.
 */
public final class ChangeConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        Map<String, String> mdc = event.getMDCPropertyMap();
        String name = mdc.get(ChangeMdc.NAME);
        if (name == null) {
            return "";
        }
        String namespace = mdc.get(ChangeMdc.NAMESPACE);
        return (namespace == null ? "" : namespace + "/") + name + ": ";
    }
}
