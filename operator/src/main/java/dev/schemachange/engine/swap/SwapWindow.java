package dev.schemachange.engine.swap;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.schemachange.api.Durations;
import dev.schemachange.api.SchemaChangeSpec;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * When a swap may start: windows that open at each firing of a 5-field UNIX cron {@code schedule},
 * evaluated in {@code timeZone}, and stay open for {@code duration} of elapsed time. No window
 * means any time.
 *
 * <p>Daylight saving time follows cron-utils, checked in SwapWindowTest: a start whose local time
 * does not exist (the skipped spring hour) does not open a window that day — a swap never starts at
 * a time nobody asked for; a start whose local time occurs twice (autumn) opens once, at the first
 * occurrence. The duration is elapsed time, so a 2h window that crosses a DST change still lasts 2
 * hours.
 */
public final class SwapWindow {
    private static final SwapWindow ALWAYS =
            new SwapWindow(null, null, Duration.ZERO, ZoneId.of("UTC"));
    private static final CronParser UNIX_CRON =
            new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    /**
     * Any schedule that can fire at all fires within 28 years (leap days on a given weekday) of
     * this point.
     */
    private static final ZonedDateTime SOME_POINT = ZonedDateTime.parse("2000-01-01T00:00:00Z");

    private final String schedule;
    private final ExecutionTime starts;
    private final Duration duration;
    private final ZoneId zone;

    private SwapWindow(String schedule, ExecutionTime starts, Duration duration, ZoneId zone) {
        this.schedule = schedule;
        this.starts = starts;
        this.duration = duration;
        this.zone = zone;
    }

    /** A window that is always open. */
    public static SwapWindow always() {
        return ALWAYS;
    }

    /**
     * @param w the spec's window; null means any time
     * @throws IllegalArgumentException naming the field at fault and how to fix it
     */
    public static SwapWindow of(SchemaChangeSpec.Window w) {
        if (w == null) {
            return ALWAYS;
        }
        ZoneId zone = zone(w.timeZone());
        ExecutionTime starts = schedule(w.schedule());
        Duration duration = duration(w.duration());
        if (starts.nextExecution(SOME_POINT.withZoneSameInstant(zone)).isEmpty()) {
            throw new IllegalArgumentException(
                    "spec.swap.window.schedule: '"
                            + w.schedule()
                            + "' never fires (e.g. February 30th) — pick a date that exists");
        }
        return new SwapWindow(w.schedule(), starts, duration, zone);
    }

    private static ZoneId zone(String id) {
        try {
            return ZoneId.of(id);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    "spec.swap.window.timeZone: '"
                            + id
                            + "' is not a time zone — use an"
                            + " IANA name such as Europe/Berlin, America/New_York or UTC",
                    e);
        }
    }

    private static ExecutionTime schedule(String cron) {
        if (cron == null || cron.isBlank()) {
            throw new IllegalArgumentException(
                    "spec.swap.window.schedule: missing — give the window's start as a "
                            + "5-field cron, e.g. \"0 2 * * 6\" for Saturdays at 02:00");
        }
        try {
            return ExecutionTime.forCron(UNIX_CRON.parse(cron.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "spec.swap.window.schedule: '"
                            + cron
                            + "' is not a 5-field cron ("
                            + e.getMessage()
                            + ") — use minute hour day-of-month month day-of-week, e.g. \"0 2 * * 6\"",
                    e);
        }
    }

    private static Duration duration(String text) {
        if (text == null || !Durations.isValid(text) || Durations.parse(text).isZero()) {
            throw new IllegalArgumentException(
                    "spec.swap.window.duration: '"
                            + text
                            + "' is not a positive "
                            + "duration — say how long the window stays open, e.g. 30m or 2h");
        }
        return Durations.parse(text);
    }

    public boolean isAlways() {
        return starts == null;
    }

    /**
     * True when {@code now} is inside a window and an attempt taking {@code needed} ends before it
     * closes.
     */
    public boolean allows(Instant now, Duration needed) {
        if (isAlways()) {
            return true;
        }
        return currentStart(now)
                .map(start -> !now.plus(needed).isAfter(start.plus(duration)))
                .orElse(false);
    }

    /**
     * The start of the window {@code now} is in, else of the next one; empty when there is no
     * window at all.
     */
    public Optional<Instant> nextStart(Instant now) {
        if (isAlways()) {
            return Optional.empty();
        }
        return currentStart(now).or(() -> nextFirstOccurrence(local(now)));
    }

    private Optional<Instant> nextFirstOccurrence(ZonedDateTime after) {
        Optional<ZonedDateTime> next = starts.nextExecution(after);
        while (next.isPresent() && isRepeat(next.get())) {
            next = starts.nextExecution(next.get());
        }
        return next.map(ZonedDateTime::toInstant);
    }

    /** The second of two equal local times in the autumn hour that repeats. */
    private static boolean isRepeat(ZonedDateTime t) {
        return !t.withEarlierOffsetAtOverlap().equals(t);
    }

    /** The end of the window {@code now} is in, if any. */
    public Optional<Instant> currentEnd(Instant now) {
        return isAlways() ? Optional.empty() : currentStart(now).map(start -> start.plus(duration));
    }

    /**
     * The latest start at or before {@code now} whose window still covers {@code now}. All windows
     * last equally long, so when windows overlap the latest start is also the one that stays open
     * longest.
     */
    private Optional<Instant> currentStart(Instant now) {
        ZonedDateTime local = local(now);
        ZonedDateTime minute = local.truncatedTo(ChronoUnit.MINUTES);
        // cron-utils' lastExecution is strictly before its argument, so a start at exactly now is
        // checked apart
        Optional<ZonedDateTime> latest =
                minute.equals(local) && starts.isMatch(minute)
                        ? Optional.of(minute)
                        : starts.lastExecution(local);
        // cron-utils finds both of two equal local times in the autumn hour that repeats, depending
        // on where it
        // starts looking: a start there counts once, at its first occurrence
        return latest.map(start -> start.withEarlierOffsetAtOverlap().toInstant())
                .filter(start -> now.isBefore(start.plus(duration)));
    }

    private ZonedDateTime local(Instant now) {
        return now.atZone(zone);
    }

    @Override
    public String toString() {
        return isAlways() ? "any time" : "'" + schedule + "' for " + duration + " in " + zone;
    }
}
