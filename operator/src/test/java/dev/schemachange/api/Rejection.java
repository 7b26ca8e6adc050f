package dev.schemachange.api;

/**
 * One reason the API server refuses an object, as {@code kubectl apply} prints it: the field path
 * ({@code spec.split[1].table}), what refused it (an OpenAPI keyword such as {@code pattern}, or a
 * CEL rule's expression) and the message.
 */
record Rejection(String field, String by, String message) {
    @Override
    public String toString() {
        return field + ": " + message + " [" + by + "]";
    }
}
