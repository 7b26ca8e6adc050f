package dev.schemachange.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** Reads SchemaChange manifests (YAML or JSON) as the CLI and the tests see them. */
public final class Manifests {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private Manifests() {
    }

    public static SchemaChange read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    public static SchemaChange parse(String text) throws IOException {
        SchemaChange change = YAML.readValue(text, SchemaChange.class);
        if (change.getSpec() == null) {
            throw new IOException("the manifest has no spec");
        }
        return change;
    }
}
