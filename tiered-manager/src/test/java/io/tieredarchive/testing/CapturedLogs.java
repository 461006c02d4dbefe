package io.tieredarchive.testing;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.io.StringWriter;
import java.util.UUID;

/** Everything logged (with stack traces) while open, for tests that assert what the logs hold, or do not. */
public final class CapturedLogs implements AutoCloseable {

    private final StringWriter out = new StringWriter();
    private final WriterAppender appender;
    private final LoggerContext context;

    public CapturedLogs() {
        context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        appender = WriterAppender.newBuilder()
                .setName("captured-" + UUID.randomUUID())
                .setTarget(out)
                .setLayout(PatternLayout.newBuilder().withPattern("%level %logger %msg %throwable%n")
                        .withConfiguration(config).build())
                .build();
        appender.start();
        config.getRootLogger().addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    public String text() {
        synchronized (out) {
            return out.toString();
        }
    }

    @Override
    public void close() {
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }
}
