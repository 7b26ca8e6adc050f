package dev.schemachange.operator;

/** A database login read from the change's Secret. Never logged: toString hides the password. */
public record DbCredentials(String username, String password) {
    @Override
    public String toString() {
        return "DbCredentials[username=" + username + ", password=***]";
    }
}
