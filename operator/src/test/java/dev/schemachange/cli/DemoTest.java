package dev.schemachange.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The quick start is the project's main job: if it breaks, the build is red. */
class DemoTest {

    @Test
    void theDemoChangesALiveTableEndToEndWithNoDifferences() {
        assertThat(Osc.execute("demo", "--rows", "20000")).isZero();
    }
}
