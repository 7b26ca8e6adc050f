package dev.schemachange.kubectl;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Columns as kubectl prints them: upper-case headers, left-aligned, three spaces apart. */
final class Table {
    private final List<List<String>> rows = new ArrayList<>();

    Table(List<String> header) {
        rows.add(header);
    }

    Table row(List<String> cells) {
        rows.add(cells);
        return this;
    }

    void print(PrintWriter out) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                widths[i] = Math.max(widths[i], r.get(i).length());
            }
        }
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                line.append(r.get(i));
                if (i < r.size() - 1) {
                    line.append(" ".repeat(widths[i] - r.get(i).length() + 3));
                }
            }
            out.println(line);
        }
    }
}
