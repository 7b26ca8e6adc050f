package dev.schemachange.kubectl;

import dev.schemachange.api.SchemaChange;
import dev.schemachange.operator.AnnotationControls;
import picocli.CommandLine.Command;

@Command(
        name = "approve",
        mixinStandardHelpOptions = true,
        description =
                "Approve the swap (annotation schemachange.dev/swap-approved=\"true\"); needed when"
                        + " spec.swap.approval is Required.")
final class ApproveCommand extends SteeringCommand {
    @Override
    int act(KubectlCommand.Session s, SchemaChange c) {
        refuseIfMeaningless(Action.APPROVE, c);
        String id = Changes.id(c);
        if (isTrue(c, AnnotationControls.SWAP_APPROVED)) {
            s.out().println(id + ": already approved");
            return 0;
        }
        s.changes().annotate(c, AnnotationControls.SWAP_APPROVED, "true");
        s.out().println(id + " approved (" + AnnotationControls.SWAP_APPROVED + "=true)");
        if (!approvalRequired(c)) {
            s.out()
                    .println(
                            "note: spec.swap.approval is None, so the swap did not wait for this;"
                                    + " windows and swap-not-before still apply");
        }
        return 0;
    }
}
