package dev.schemachange.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * Configures logback from the environment when logging starts (found through {@code
 * META-INF/services/ch.qos.logback.classic.spi.Configurator}): every line to stderr, so stdout
 * stays the CLI's own ({@code osc run} ends it with {@code phase=...}); {@value LogFormat#ENV}=json
 * for one JSON object per line, else text; {@value #LEVEL_ENV} for the level (default info). Code
 * rather than a logback.xml so an unknown format falls back to text with a warning instead of
 * silently logging nothing. A {@code -Dlogback.configurationFile=...} still wins: then this steps
 * aside.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    public static final String LEVEL_ENV = "OSC_LOG_LEVEL";

    /**
     * The line slf4j-simple printed before we moved to logback, plus the change when there is one.
     */
    static final String TEXT_PATTERN =
            "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX} %level %logger{0} - %change%msg%n";

    private final Map<String, String> env;

    /** Used by logback's ServiceLoader. */
    public LogSetup() {
        this(System.getenv());
    }

    LogSetup(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LogFormat format = LogFormat.parse(env.get(LogFormat.ENV));
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget("System.err");
        console.setEncoder(encoder(format == null ? LogFormat.TEXT : format, context));
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(env.get(LEVEL_ENV), Level.INFO));
        root.addAppender(console);
        if (format == null) {
            root.warn(
                    "{}={} is not a log format (text or json): logging as text",
                    LogFormat.ENV,
                    env.get(LogFormat.ENV));
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * The started encoder for {@code format}: what the console appender writes, and what the tests
     * check.
     */
    static Encoder<ILoggingEvent> encoder(LogFormat format, LoggerContext context) {
        Layout<ILoggingEvent> layout;
        if (format == LogFormat.JSON) {
            layout = new JsonLineLayout();
        } else {
            PatternLayout pattern = new PatternLayout();
            pattern.getInstanceConverterMap().put("change", ChangeConverter::new);
            pattern.setPattern(TEXT_PATTERN);
            layout = pattern;
        }
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        return encoder;
    }
}
