package dev.schemachange.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OscHelpTest {

    @Test
    void helpListsEverySubcommandOfTheContract() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new Osc());
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("--help")).isZero();
        assertThat(out.toString()).contains("run", "status", "rollback", "operator", "demo");
    }
}
