package dev.schemachange.cli;

import dev.schemachange.api.Phase;
import dev.schemachange.engine.Progress;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** One progress line per step; on a terminal the line redraws in place as a bar. */
final class ProgressPrinter {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private final PrintStream out;
    private final boolean tty = System.console() != null;
    private String last = "";

    ProgressPrinter(PrintStream out) {
        this.out = out;
    }

    void print(Progress p) {
        String line = line(p);
        if (line.equals(last)) {
            return;
        }
        last = line;
        if (tty && p.phase() == Phase.Backfilling) {
            out.print("\r" + bar(p.percent()) + " " + line + "   ");
        } else {
            out.println((tty ? "\r" : "") + line);
        }
        out.flush();
    }

    static String line(Progress p) {
        StringBuilder s = new StringBuilder(p.phase().name());
        if (p.phase() == Phase.Backfilling) {
            s.append(
                    String.format(
                            " %.1f%% %d/%d rows, %.0f rows/s",
                            p.percent(), p.rowsCopied(), p.rowsEstimated(), p.rowsPerSecond()));
            if (p.eta() != null) {
                s.append(", ETA ").append(TIME.format(p.eta()));
            }
        } else if (p.message() != null) {
            s.append(": ").append(p.message());
        }
        return s.toString();
    }

    private static String bar(double percent) {
        int filled = (int) Math.round(percent / 5);
        return "[" + "#".repeat(filled) + ".".repeat(20 - filled) + "]";
    }
}
