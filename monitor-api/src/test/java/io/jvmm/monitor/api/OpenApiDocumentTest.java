package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The served OpenAPI document lists exactly the operations the REST resources declare. */
@QuarkusTest
class OpenApiDocumentTest {
    private static Set<String> declared() {
        Set<String> ops = new TreeSet<>();
        for (Class<?> c : new Class<?>[] {VmResource.class, VmActionsResource.class, ConsoleResource.class,
            EventsResource.class, VmEventsResource.class, OpenApiResource.class}) {
            String base = c.getAnnotation(Path.class).value();
            for (Method m : c.getDeclaredMethods()) {
                String verb = m.isAnnotationPresent(GET.class) ? "get" : m.isAnnotationPresent(POST.class) ? "post"
                        : m.isAnnotationPresent(DELETE.class) ? "delete" : null;
                if (verb == null) {
                    continue;
                }
                Path p = m.getAnnotation(Path.class);
                ops.add(verb + " " + (base + (p == null ? "" : p.value())).replace("//", "/"));
            }
        }
        return ops;
    }

    /** "verb path" for each operation of the YAML document (indentation: 2 for paths, 4 for verbs). */
    private static Set<String> documented(String yaml) {
        Set<String> ops = new TreeSet<>();
        String path = null;
        boolean inPaths = false;
        for (String line : yaml.split("\n")) {
            if (line.equals("paths:")) {
                inPaths = true;
            } else if (inPaths && !line.startsWith(" ") && !line.isBlank()) {
                inPaths = false;
            } else if (inPaths && line.matches("  /[^ ]*:")) {
                path = line.trim().replaceAll(":$", "");
            } else if (inPaths && path != null && line.matches("    (get|post|put|delete|patch):")) {
                ops.add(line.trim().replaceAll(":$", "") + " " + path);
            }
        }
        return ops;
    }

    @Test
    void everyEndpointIsDocumentedAndNothingElse() {
        String yaml = given().get("/openapi").then().statusCode(200).contentType("application/yaml").extract()
                .asString();
        assertTrue(yaml.startsWith("openapi: 3."), yaml.substring(0, 40));
        assertEquals(declared(), documented(yaml));
    }
}
