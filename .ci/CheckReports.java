import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads every Surefire and Failsafe XML report under the given directory and fails (status 1)
 * if a test was skipped while what it needs is here: any skip at all on a machine with a usable
 * /dev/kvm (CI installs QEMU and Prometheus, so nothing else may be missing either); on a machine
 * without KVM, only skips whose reason says KVM is unavailable are accepted. Also fails if a test
 * failed or errored, and if no test ran, so that it can be run on its own over any reports.
 * Run with: java .ci/CheckReports.java ROOT
 */
public class CheckReports {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        List<Path> reports;
        try (Stream<Path> s = Files.walk(root)) {
            reports = s.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml"))
                    .filter(p -> p.toString().contains("surefire-reports") || p.toString().contains("failsafe-reports"))
                    .sorted().toList();
        }
        boolean kvmHere = new File("/dev/kvm").canRead() && new File("/dev/kvm").canWrite();
        int tests = 0;
        int failed = 0;
        List<String> skipped = new ArrayList<>();
        List<String> badSkips = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Path r : reports) {
            Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(r.toFile());
            NodeList cases = d.getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                Element c = (Element) cases.item(i);
                tests++;
                String name = c.getAttribute("classname") + "." + c.getAttribute("name");
                if (c.getElementsByTagName("failure").getLength() > 0 || c.getElementsByTagName("error").getLength() > 0) {
                    failed++;
                    failures.add(name);
                }
                NodeList sk = c.getElementsByTagName("skipped");
                if (sk.getLength() > 0) {
                    String why = ((Element) sk.item(0)).getAttribute("message");
                    skipped.add(name + ": " + why);
                    if (kvmHere || !why.startsWith("KVM unavailable")) {
                        badSkips.add(name + ": " + why);
                    }
                }
            }
        }
        System.out.printf("%d reports, %d tests, %d failed, %d skipped; /dev/kvm %s%n", reports.size(), tests, failed,
                skipped.size(), kvmHere ? "usable" : "not usable");
        skipped.forEach(s -> System.out.println("  skipped: " + s));
        if (tests == 0) {
            System.out.println("FAIL: no test ran");
            System.exit(1);
        }
        failures.forEach(f -> System.out.println("  failed: " + f));
        if (failed > 0) {
            System.out.println("FAIL: " + failed + " test(s) failed or errored");
            System.exit(1);
        }
        if (!badSkips.isEmpty()) {
            System.out.println("FAIL: " + badSkips.size() + " test(s) skipped although what they need is here"
                    + (kvmHere ? " (this machine has /dev/kvm)" : ""));
            System.exit(1);
        }
        System.out.println("OK: no test was skipped that could have run");
    }
}
