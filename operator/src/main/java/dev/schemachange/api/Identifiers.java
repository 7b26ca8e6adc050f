package dev.schemachange.api;

import java.util.regex.Pattern;

/**
 * The names a spec may use for schemas, tables and columns, and the hosts it may connect to. Shared
 * by the CRD (OpenAPI patterns) and the Java validation, which the engine runs whatever admission
 * let through.
 */
public final class Identifiers {
    /** Unquoted MySQL identifiers: nothing that could end a back-quoted name or a statement. */
    public static final String PATTERN = "^[A-Za-z0-9_$]{1,64}$";

    /**
     * A DNS name, IPv4 address or bracketed IPv6 address: it goes into a JDBC URL, so no '/', '?'
     * or '&'.
     */
    public static final String HOST_PATTERN =
            "^([A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]{2,45}\\])$";

    /** A replica to watch for lag: host, optionally with a port. */
    public static final String HOST_PORT_PATTERN =
            "^([A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?$";

    private static final Pattern NAME = Pattern.compile(PATTERN);
    private static final Pattern HOST = Pattern.compile(HOST_PATTERN);
    private static final Pattern HOST_PORT = Pattern.compile(HOST_PORT_PATTERN);

    private Identifiers() {}

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static boolean isHost(String host) {
        return host != null && HOST.matcher(host).matches();
    }

    public static boolean isHostPort(String hostPort) {
        return hostPort != null && HOST_PORT.matcher(hostPort).matches();
    }
}
