package dev.schemachange.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads SchemaChange manifests (YAML or JSON) as the CLI and the tests see them. */
public final class Manifests {
    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory())
                    .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private Manifests() {}

    public static SchemaChange read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    /**
     * The SchemaChange in the text; other documents of a multi-document file (e.g. its Secret) are
     * skipped.
     */
    public static SchemaChange parse(String text) throws IOException {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && "SchemaChange".equals(doc.path("kind").asText())) {
                    SchemaChange change = YAML.treeToValue(doc, SchemaChange.class);
                    if (change.getSpec() == null) {
                        throw new IOException("the SchemaChange has no spec");
                    }
                    return change;
                }
            }
        }
        throw new IOException("no document of kind SchemaChange found");
    }
}
