package dev.schemachange.operator;

import dev.schemachange.api.Problem;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Reads {@code spec.database.credentialsSecret} from the change's own namespace, never another one:
 * a change must not be able to borrow credentials its namespace does not hold. A direct GET rather
 * than an informer, so the operator needs only "get" on Secrets and caches none of them.
 */
public final class CredentialsReader {
    private static final String FIELD = "spec.database.credentialsSecret";

    /** Either credentials or the problem that stops us from having them. */
    public record Result(DbCredentials credentials, Problem problem, String reason) {
        static Result found(DbCredentials c) {
            return new Result(c, null, null);
        }

        static Result missing(String reason, Problem p) {
            return new Result(null, p, reason);
        }

        public boolean ok() {
            return credentials != null;
        }
    }

    private final KubernetesClient client;

    public CredentialsReader(KubernetesClient client) {
        this.client = client;
    }

    public Result read(String namespace, String secretName) {
        Secret secret;
        try {
            secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        } catch (KubernetesClientException e) {
            return Result.missing(
                    Reasons.CREDENTIALS_MISSING,
                    new Problem(
                            FIELD,
                            "Secret "
                                    + namespace
                                    + "/"
                                    + secretName
                                    + " cannot be read (HTTP "
                                    + e.getCode()
                                    + ")",
                            "let the operator's ServiceAccount get Secrets in " + namespace));
        }
        if (secret == null) {
            return Result.missing(
                    Reasons.CREDENTIALS_MISSING,
                    new Problem(
                            FIELD,
                            "Secret " + namespace + "/" + secretName + " does not exist",
                            "create it with keys username and password, e.g. kubectl -n "
                                    + namespace
                                    + " create secret generic "
                                    + secretName
                                    + " --from-literal=username=osc --from-literal=password=..."));
        }
        String user = value(secret, "username");
        String password = value(secret, "password");
        if (user == null || user.isBlank() || password == null) {
            return Result.missing(
                    Reasons.CREDENTIALS_MISSING,
                    new Problem(
                            FIELD,
                            "Secret "
                                    + namespace
                                    + "/"
                                    + secretName
                                    + " lacks a non-empty username or a password key",
                            "add keys username and password to the Secret"));
        }
        return Result.found(new DbCredentials(user, password));
    }

    private static String value(Secret secret, String key) {
        Map<String, String> data = secret.getData();
        if (data != null && data.get(key) != null) {
            return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
        }
        Map<String, String> plain = secret.getStringData();
        return plain == null ? null : plain.get(key);
    }
}
