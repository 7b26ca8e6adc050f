package dev.schemachange.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Memory and CPU of a running process as the kernel counts them: {@code VmHWM} (peak resident set,
 * what a container's memory limit is measured against) and {@code VmRSS} from /proc/PID/status, CPU
 * time (user + system) from the JDK's process handle. Linux only, as the benchmark is.
 */
record ProcessUsage(long peakRssKib, long rssKib, Duration cpu) {

    static ProcessUsage of(ProcessHandle process) throws IOException {
        String status = Files.readString(Path.of("/proc", Long.toString(process.pid()), "status"));
        Duration cpu =
                process.info()
                        .totalCpuDuration()
                        .orElseThrow(() -> new IOException("no CPU time for pid " + process.pid()));
        return new ProcessUsage(kib(status, "VmHWM:"), kib(status, "VmRSS:"), cpu);
    }

    private static long kib(String status, String field) throws IOException {
        for (String line : status.lines().toList()) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
            }
        }
        throw new IOException(field + " missing from /proc/PID/status");
    }

    long peakRssMib() {
        return peakRssKib / 1024;
    }

    long rssMib() {
        return rssKib / 1024;
    }

    double cpuSeconds() {
        return cpu.toMillis() / 1000.0;
    }
}
