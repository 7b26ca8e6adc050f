package dev.schemachange.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The schema users install (crds/, which CrdUpToDateTest keeps equal to the generated one), and
 * manifests read as the API server receives them: plain JSON values, integers as longs.
 */
final class CrdSchema {
    private static final YAMLMapper YAML =
            YAMLMapper.builder().enable(DeserializationFeature.USE_LONG_FOR_INTS).build();

    private CrdSchema() {}

    /** {@code spec.versions[v1alpha1].schema.openAPIV3Schema} of the checked-in CRD. */
    @SuppressWarnings("unchecked")
    static SchemaNode checkedIn() {
        Map<String, Object> crd = documents(read(CrdUpToDateTest.CHECKED_IN)).get(0);
        List<Map<String, Object>> versions =
                (List<Map<String, Object>>) ((Map<String, Object>) crd.get("spec")).get("versions");
        Map<String, Object> version =
                versions.stream()
                        .filter(v -> SchemaChange.VERSION.equals(v.get("name")))
                        .findFirst()
                        .orElseThrow();
        return SchemaNode.of(((Map<String, Object>) version.get("schema")).get("openAPIV3Schema"));
    }

    /** The SchemaChange of a manifest that may also hold other objects (the examples' Secret). */
    static Map<String, Object> schemaChange(String yaml) {
        return documents(yaml).stream()
                .filter(d -> "SchemaChange".equals(d.get("kind")))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no SchemaChange in\n" + yaml));
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(String yaml) {
        try (MappingIterator<Map<String, Object>> docs =
                YAML.readerFor(Map.class).readValues(yaml)) {
            return docs.readAll().stream().filter(d -> d != null).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
