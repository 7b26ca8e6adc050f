package dev.schemachange.kubectl;

/** An action the plugin will not take; the message says why and what to do instead. */
final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refusal(String message) {
        super(message);
    }
}
