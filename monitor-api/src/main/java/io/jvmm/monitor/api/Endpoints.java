package io.jvmm.monitor.api;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The REST endpoints, read from the resource classes' annotations: which methods a path takes.
 * {@link ErrorMapper} uses it to answer a request for a path that exists, with a method it does not
 * take, with 405 and the methods it does take, wherever the router answered 404 (a path that two
 * resource classes share a prefix of, such as {@code GET /vms/{id}/pause}).
 */
final class Endpoints {
    /** Every REST resource of the service. */
    static final List<Class<?>> RESOURCES = List.of(VmResource.class, VmActionsResource.class, ConsoleResource.class,
            EventsResource.class, VmEventsResource.class);

    /** One operation: its method, its path template ({@code /vms/{id}}), and that template as a pattern. */
    private record Endpoint(String method, String template, Pattern path) {
    }

    private static final List<Endpoint> ALL = read();

    private Endpoints() {
    }

    private static List<Endpoint> read() {
        List<Endpoint> out = new ArrayList<>();
        for (Class<?> c : RESOURCES) {
            String base = c.getAnnotation(Path.class).value();
            for (Method m : c.getDeclaredMethods()) {
                String verb = m.isAnnotationPresent(GET.class) ? "GET" : m.isAnnotationPresent(POST.class) ? "POST"
                        : m.isAnnotationPresent(DELETE.class) ? "DELETE" : null;
                if (verb != null) {
                    Path p = m.getAnnotation(Path.class);
                    String template = (base + (p == null ? "" : p.value())).replace("//", "/");
                    out.add(new Endpoint(verb, template,
                            Pattern.compile(template.replaceAll("\\{[^}]+}", "[^/]+") + "/?")));
                }
            }
        }
        return out;
    }

    /** Every operation, as "METHOD template" ({@code "GET /vms/{id}"}). */
    static Set<String> operations() {
        Set<String> out = new TreeSet<>();
        ALL.forEach(e -> out.add(e.method() + " " + e.template()));
        return out;
    }

    /** The methods {@code path} takes: empty when no endpoint has this path. */
    static Set<String> methodsOf(String path) {
        Set<String> out = new TreeSet<>();
        for (Endpoint e : ALL) {
            if (e.path().matcher(path).matches()) {
                out.add(e.method());
            }
        }
        return out;
    }
}
