package dev.schemachange.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * One JSON object per line, for log shippers (Fluent Bit, Vector, Promtail parse it without a
 * regex): {@code time} (RFC 3339, UTC), {@code level}, {@code logger}, {@code thread}, {@code
 * message}, and {@code namespace}/{@code name} of the SchemaChange when the line belongs to one,
 * {@code exception} (the stack trace as one string) when there is one. Flat and with fixed names,
 * so queries do not depend on logback's own JSON encoder, whose shape (raw message pattern plus an
 * arguments array) is made for replay, not search. Jackson escapes: a message with newlines or
 * quotes still makes exactly one line.
 */
public final class JsonLineLayout extends LayoutBase<ILoggingEvent> {
    private final JsonFactory json = new JsonFactory();

    @Override
    public String doLayout(ILoggingEvent event) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", event.getThreadName());
            g.writeStringField("message", event.getFormattedMessage());
            Map<String, String> mdc = event.getMDCPropertyMap();
            writeIfPresent(g, ChangeMdc.NAMESPACE, mdc.get(ChangeMdc.NAMESPACE));
            writeIfPresent(g, ChangeMdc.NAME, mdc.get(ChangeMdc.NAME));
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                g.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return out.append(CoreConstants.LINE_SEPARATOR).toString();
    }

    private static void writeIfPresent(JsonGenerator g, String field, String value)
            throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }
}
