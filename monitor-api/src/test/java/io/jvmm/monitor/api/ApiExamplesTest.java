package io.jvmm.monitor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.RequiresKvm;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every curl example in docs/api.md, run in order against the live service: each must succeed. */
@QuarkusTest
class ApiExamplesTest {
    @TestHTTPResource("/")
    URL root;

    static List<String> examples() throws Exception {
        List<String> out = new ArrayList<>();
        boolean inSh = false;
        for (String line : Files.readAllLines(Path.of("..", "docs", "api.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("```")) {
                inSh = !inSh && line.equals("```sh");
            } else if (inSh && line.startsWith("curl ")) {
                out.add(line);
            }
        }
        return out;
    }

    @Test
    void theDocumentHasAnExampleForEveryOperation() throws Exception {
        String all = String.join("\n", examples());
        for (String op : new String[] {"POST $JVMM/vms ", "$JVMM/vms\n", "$JVMM/vms/doc-vm\n", "/resume", "/pause",
            "/nmi", "/reset", "/powerdown", "/hmp", "/cpus\n", "/registers", "/console", "/events",
            "DELETE $JVMM/vms/doc-vm"}) {
            assertTrue((all + "\n").contains(op), "no example for " + op.strip());
        }
    }

    @Test
    @RequiresKvm
    void everyExampleRunsAgainstTheService() throws Exception {
        String base = root.toString().replaceAll("/$", "");
        for (String cmd : examples()) {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true);
            pb.environment().put("JVMM", base);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), cmd);
            assertEquals(0, p.exitValue(), cmd + "\n" + out);
        }
    }
}
