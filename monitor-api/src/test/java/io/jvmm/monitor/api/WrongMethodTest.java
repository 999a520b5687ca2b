package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * A path that exists, asked with a method it does not take, is a 405 that names the methods it
 * takes (and an Allow header), whichever resource class serves it; a path that does not exist is
 * a 404. Needs no VM: the answer does not depend on one existing.
 */
@QuarkusTest
class WrongMethodTest {
    @Test
    void anActionPathAskedWithGetSaysItTakesPost() {
        given().get("/vms/vm-9/pause").then().statusCode(405).header("Allow", "POST")
                .body("error.class", equalTo("GenericError"))
                .body("error.desc", equalTo("GET is not allowed on /vms/vm-9/pause; it takes POST (see /q/openapi)"));
        given().delete("/vms/vm-9/hmp").then().statusCode(405).header("Allow", "POST");
        given().put("/vms/vm-9/console").then().statusCode(405).header("Allow", "GET, POST");
    }

    @Test
    void aCollectionAskedWithAnotherMethodSaysWhichItTakes() {
        given().put("/vms").then().statusCode(405).header("Allow", "GET, POST")
                .body("error.desc", equalTo("PUT is not allowed on /vms; it takes GET, POST (see /q/openapi)"));
    }

    @Test
    void aPathThatDoesNotExistIsStillNotFound() {
        given().get("/vms/vm-9/nothing").then().statusCode(404).body("error.class", equalTo("NotFound"));
        given().post("/elsewhere").then().statusCode(404);
    }
}
