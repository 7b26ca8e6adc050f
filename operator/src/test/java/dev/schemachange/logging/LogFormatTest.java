package dev.schemachange.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The two log formats as {@link LogSetup} builds them, written through the process's real logback
 * and MDC.
 */
class LogFormatTest {
    private final ObjectMapper mapper = new ObjectMapper();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private Logger logger;
    private OutputStreamAppender<ILoggingEvent> appender;

    /** A logger of its own, writing only to {@code out}, with the encoder the console would get. */
    private Logger loggerIn(LogFormat format) {
        appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(LogSetup.encoder(format, context));
        appender.setOutputStream(out);
        appender.start();
        logger = context.getLogger("dev.schemachange.test.Format" + format);
        logger.setAdditive(false);
        logger.addAppender(appender);
        return logger;
    }

    @AfterEach
    void detach() {
        if (logger == null) {
            return;
        }
        logger.detachAppender(appender);
        appender.stop();
    }

    private List<String> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void jsonIsOneObjectPerLineWithLevelLoggerMessageAndTheChange() throws Exception {
        Logger log = loggerIn(LogFormat.JSON);
        try (ChangeMdc ignored = ChangeMdc.of("shop", "orders-bigint-id")) {
            log.info("{} -> {}: \"quoted\"\nand a second line", "Backfilling", "Verifying");
        }
        log.warn("no change here", new IllegalStateException("boom"));

        List<String> lines = lines();
        assertThat(lines).hasSize(2);
        JsonNode first = mapper.readTree(lines.get(0));
        assertThat(first.get("level").asText()).isEqualTo("INFO");
        assertThat(first.get("logger").asText()).isEqualTo("dev.schemachange.test.FormatJSON");
        assertThat(first.get("message").asText())
                .isEqualTo("Backfilling -> Verifying: \"quoted\"\nand a second line");
        assertThat(first.get("namespace").asText()).isEqualTo("shop");
        assertThat(first.get("name").asText()).isEqualTo("orders-bigint-id");
        assertThat(first.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z");
        JsonNode second = mapper.readTree(lines.get(1));
        assertThat(second.get("level").asText()).isEqualTo("WARN");
        assertThat(second.has("namespace")).as("no change, no namespace").isFalse();
        assertThat(second.has("name")).isFalse();
        assertThat(second.get("exception").asText()).contains("IllegalStateException: boom");
    }

    @Test
    void textNamesTheChangeBeforeTheMessageAndOtherwiseKeepsTheFormerLine() {
        Logger log = loggerIn(LogFormat.TEXT);
        try (ChangeMdc ignored = ChangeMdc.of("shop", "orders-bigint-id")) {
            log.info("shop.orders: Backfilling -> Verifying");
        }
        log.info("watching SchemaChanges in all namespaces");

        assertThat(lines())
                .satisfiesExactly(
                        l ->
                                assertThat(l)
                                        .matches(
                                                "\\d{4}-\\d\\d-\\d\\dT\\S+ INFO FormatTEXT - "
                                                        + "shop/orders-bigint-id: shop.orders: Backfilling -> Verifying"),
                        l ->
                                assertThat(l)
                                        .endsWith(
                                                " INFO FormatTEXT - watching SchemaChanges in all namespaces"));
    }

    @Test
    void aScopeRestoresTheChangeItInterrupted() {
        Logger log = loggerIn(LogFormat.TEXT);
        try (ChangeMdc ignoredOuter = ChangeMdc.of("a", "outer")) {
            try (ChangeMdc ignoredInner = ChangeMdc.of("b", "inner")) {
                log.info("inner");
            }
            log.info("outer again");
        }
        log.info("none");

        assertThat(lines())
                .satisfiesExactly(
                        l -> assertThat(l).endsWith("b/inner: inner"),
                        l -> assertThat(l).endsWith("a/outer: outer again"),
                        l -> assertThat(l).endsWith("- none"));
    }

    @Test
    void theEnvironmentPicksJsonAndAnUnknownFormatFallsBackToTextWithAWarning() throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext json = new LoggerContext();
        LoggerContext unknown = new LoggerContext();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            configure(json, Map.of(LogFormat.ENV, "JSON", LogSetup.LEVEL_ENV, "warn"));
            json.getLogger("x.Json").info("below the level");
            json.getLogger("x.Json").warn("to stderr");
            configure(unknown, Map.of(LogFormat.ENV, "yaml"));
            unknown.getLogger("x.Text").info("as text");
        } finally {
            System.setErr(err);
            json.stop();
            unknown.stop();
        }

        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(mapper.readTree(lines.get(0)).get("message").asText()).isEqualTo("to stderr");
        assertThat(lines.get(1)).contains("WARN", "OSC_LOG_FORMAT=yaml is not a log format");
        assertThat(lines.get(2)).endsWith("INFO Text - as text");
    }

    private static void configure(LoggerContext context, Map<String, String> env) {
        context.setMDCAdapter(
                MDC.getMDCAdapter()); // what logback's SLF4J provider does for its own context
        LogSetup setup = new LogSetup(env);
        setup.setContext(context);
        setup.configure(context);
    }
}
