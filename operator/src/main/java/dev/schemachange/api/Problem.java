package dev.schemachange.api;

/**
 * Why a change cannot proceed, said so a human can act: the field at fault, the reason, and the
 * fix.
 */
public record Problem(String field, String reason, String fix) {
    @Override
    public String toString() {
        return (field == null ? "" : field + ": ")
                + reason
                + (fix == null || fix.isBlank() ? "" : " — " + fix);
    }
}
