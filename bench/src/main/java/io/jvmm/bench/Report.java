package io.jvmm.bench;

import java.util.List;

final class Report {
    private Report() {
    }

    static void write(Env env, List<Section> sections) throws Exception {
        Table t = new Table("measurement", "ours", "peer", "ratio", "unit");
        for (Section s : sections) {
            for (Measurement m : s.measurements) {
                t.row(m.name(), Json.number(m.ours()), m.peer() == null ? "-" : Json.number(m.peer()), F.ratio(m.ratio()), m.unit());
            }
        }
        System.out.println(t.text());
    }
}
