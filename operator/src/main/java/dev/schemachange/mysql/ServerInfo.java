package dev.schemachange.mysql;

import java.util.Set;

/** Facts about the server and the session's user that decide what the engine may do. */
public record ServerInfo(
        String version,
        boolean mariaDb,
        int major,
        int minor,
        boolean logBin,
        String binlogFormat,
        boolean trustFunctionCreators,
        String sqlMode,
        String user,
        Set<String> globalPrivileges) {

    public boolean hasSuper() {
        return globalPrivileges.contains("SUPER") || globalPrivileges.contains("ALL PRIVILEGES");
    }

    public String flavor() {
        return (mariaDb ? "MariaDB " : "MySQL ") + major + "." + minor;
    }

    /** MariaDB 10.6+ and MySQL 5.7/8.x. */
    public boolean isSupported() {
        return mariaDb
                ? (major > 10 || (major == 10 && minor >= 6))
                : (major == 5 && minor >= 7) || major >= 8;
    }
}
