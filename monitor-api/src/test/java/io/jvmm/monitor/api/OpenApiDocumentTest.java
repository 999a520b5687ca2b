package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document the service serves: the one SmallRye generates from the resources (here, in
 * the tests) and the build stores; valid OpenAPI 3, every operation the resources declare and
 * nothing else, each with its error answers, and the bearer scheme.
 */
@QuarkusTest
class OpenApiDocumentTest {
    /** Where the tests' SmallRye OpenAPI serves the document it generates (application.properties). */
    private static final String GENERATED = "/q/openapi-generated";

    private static OpenAPI parsed(String path) {
        String json = given().queryParam("format", "json").get(path).then().statusCode(200).extract().asString();
        SwaggerParseResult r = new OpenAPIV3Parser().readContents(json);
        assertTrue(r.getMessages() == null || r.getMessages().isEmpty(), "not valid OpenAPI: " + r.getMessages());
        assertNotNull(r.getOpenAPI(), "not parsed");
        return r.getOpenAPI();
    }

    @Test
    void theDocumentIsValidAndListsEveryOperationWithItsErrors() {
        OpenAPI doc = parsed("/q/openapi");
        assertTrue(doc.getOpenapi().startsWith("3."), doc.getOpenapi());
        Set<String> documented = new TreeSet<>();
        Map<String, String> operationIds = new java.util.HashMap<>();
        for (Map.Entry<String, PathItem> p : doc.getPaths().entrySet()) {
            for (Map.Entry<PathItem.HttpMethod, Operation> o : p.getValue().readOperationsMap().entrySet()) {
                String op = o.getKey().name() + " " + p.getKey();
                documented.add(op);
                Operation operation = o.getValue();
                assertNotNull(operation.getSummary(), op + " has no summary");
                // Clients generated from the document name their methods after these: each says
                // what it does on its own (not a Java method name such as "all" or "stream").
                String id = operation.getOperationId();
                assertTrue(id != null && id.matches("[a-z]+[A-Z][A-Za-z]*"), op + ": operationId " + id
                        + " is not a verb and an object in lower camel case");
                String before = operationIds.put(id, op);
                assertTrue(before == null, "operationId " + id + " names both " + before + " and " + op);
                assertTrue(operation.getResponses().keySet().stream().anyMatch(c -> c.startsWith("2")),
                        op + " documents no success: " + operation.getResponses().keySet());
                for (String code : new String[] {"401", "403"}) {
                    assertNotNull(operation.getResponses().get(code), op + " does not document " + code);
                }
                operation.getResponses().forEach((code, response) -> {
                    if (code.startsWith("4") || code.startsWith("5")) {
                        assertEquals("#/components/responses/Error", response.get$ref(), op + " " + code);
                    }
                });
            }
        }
        assertEquals(Endpoints.operations(), documented);
        assertNotNull(doc.getComponents().getResponses().get("Error"), "no Error response");
        SecurityScheme bearer = doc.getComponents().getSecuritySchemes().get("bearer");
        assertEquals(SecurityScheme.Type.HTTP, bearer.getType());
        assertEquals("bearer", bearer.getScheme());
    }

    @Test
    void theErrorsEachMethodCanAnswerAreDocumented() {
        OpenAPI doc = parsed("/q/openapi");
        Operation create = doc.getPaths().get("/vms").getPost();
        assertEquals(Set.of("201", "400", "401", "403", "404", "409", "503"), create.getResponses().keySet());
        Operation pause = doc.getPaths().get("/vms/{id}/pause").getPost();
        assertTrue(pause.getResponses().keySet().containsAll(Set.of("204", "404", "409")), pause.getResponses().keySet().toString());
    }

    @Test
    void theOldPathServesTheSameDocument() {
        assertEquals(given().get(ApiDocumentRoute.PATH).then().statusCode(200).extract().asString(),
                given().get(ApiDocumentRoute.ALIAS).then().statusCode(200).extract().asString());
    }

    /**
     * The stored document the service serves is the one SmallRye generates from the resources
     * now. When a resource changes, this fails until the document is stored again:
     * {@code ./mvnw -pl monitor-api test -Dtest=OpenApiDocumentTest -Djvmm.openapi.update=true}.
     */
    @Test
    void theServedDocumentIsTheOneTheResourcesGenerate() throws IOException {
        boolean update = Boolean.getBoolean("jvmm.openapi.update");
        for (String format : new String[] {"yaml", "json"}) {
            String generated = given().queryParam("format", format).get(GENERATED).then().statusCode(200).extract()
                    .asString();
            String served = given().queryParam("format", format).get(ApiDocumentRoute.PATH).then().statusCode(200)
                    .extract().asString();
            Path stored = Path.of("src/main/resources", ApiDocumentRoute.STORED + "." + format);
            if (update && !generated.equals(served)) {
                Files.writeString(stored, generated, StandardCharsets.UTF_8);
                continue;
            }
            assertEquals(generated, served, "The stored OpenAPI document " + stored + " no longer matches the "
                    + "resources: store it again with ./mvnw -pl monitor-api test -Dtest=OpenApiDocumentTest "
                    + "-Djvmm.openapi.update=true");
        }
    }

    @Test
    void theFormatIsChosenAsSmallRyeChoosesItAndBadRequestsAreRefused() {
        given().get(ApiDocumentRoute.PATH).then().statusCode(200).contentType("application/yaml;charset=UTF-8");
        given().queryParam("format", "JSON").get(ApiDocumentRoute.PATH).then().statusCode(200)
                .contentType("application/json;charset=UTF-8");
        given().accept("application/json").get(ApiDocumentRoute.PATH).then().statusCode(200)
                .contentType("application/json;charset=UTF-8");
        given().accept("application/json").queryParam("format", "yaml").get(ApiDocumentRoute.PATH).then()
                .statusCode(200).contentType("application/yaml;charset=UTF-8");
        given().queryParam("format", "xml").get(ApiDocumentRoute.PATH).then().statusCode(400)
                .body("error.desc", equalTo("Unknown format 'xml': give format=json or format=yaml"));
        given().queryParam("format", "x\"\n").get(ApiDocumentRoute.PATH).then().statusCode(400)
                .body("error.desc", equalTo("Unknown format 'x\"\n': give format=json or format=yaml"));
        given().post(ApiDocumentRoute.ALIAS).then().statusCode(405).header("Allow", "GET")
                .body("error.desc", equalTo("POST is not allowed on /openapi; it takes GET"));
    }
}
