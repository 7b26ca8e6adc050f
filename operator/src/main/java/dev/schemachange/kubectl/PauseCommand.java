package dev.schemachange.kubectl;

import dev.schemachange.api.SchemaChange;
import dev.schemachange.operator.AnnotationControls;
import picocli.CommandLine.Command;

@Command(
        name = "pause",
        mixinStandardHelpOptions = true,
        description =
                "Pause copying and swapping within one slice (annotation"
                        + " schemachange.dev/paused=\"true\"); the triggers keep the shadow equal.")
final class PauseCommand extends SteeringCommand {
    @Override
    int act(KubectlCommand.Session s, SchemaChange c) {
        refuseIfMeaningless(Action.PAUSE, c);
        String id = Changes.id(c);
        if (isTrue(c, AnnotationControls.PAUSED)) {
            s.out().println(id + ": already paused");
            return 0;
        }
        s.changes().annotate(c, AnnotationControls.PAUSED, "true");
        s.out()
                .println(
                        id
                                + " paused ("
                                + AnnotationControls.PAUSED
                                + "=true); kubectl schemachange resume "
                                + c.getMetadata().getName()
                                + " continues");
        return 0;
    }
}
