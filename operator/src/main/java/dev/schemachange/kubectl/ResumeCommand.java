package dev.schemachange.kubectl;

import dev.schemachange.api.SchemaChange;
import dev.schemachange.operator.AnnotationControls;
import picocli.CommandLine.Command;

@Command(
        name = "resume",
        mixinStandardHelpOptions = true,
        description = "Resume a paused change (removes the annotation schemachange.dev/paused).")
final class ResumeCommand extends SteeringCommand {
    @Override
    int act(KubectlCommand.Session s, SchemaChange c) {
        refuseIfMeaningless(Action.RESUME, c);
        String id = Changes.id(c);
        if (Changes.annotations(c).get(AnnotationControls.PAUSED) == null) {
            s.out().println(id + ": not paused, nothing to do");
            return 0;
        }
        s.changes().annotate(c, AnnotationControls.PAUSED, null);
        s.out().println(id + " resumed (" + AnnotationControls.PAUSED + " removed)");
        return 0;
    }
}
