package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With an access token configured, every endpoint (metrics and health included) needs it. */
@QuarkusTest
@TestProfile(AccessTokenTest.WithToken.class)
class AccessTokenTest {
    /** Runs the service with a token. */
    public static final class WithToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("jvmm.access-token", "s3cret-token");
        }
    }

    @Test
    void requestsWithoutTheTokenAreRefused() {
        for (String path : new String[] {"/vms", "/q/metrics", "/q/health/ready", "/openapi", "/nothing"}) {
            given().get(path).then().statusCode(401).header("WWW-Authenticate", "Bearer realm=\"jvmm\"")
                    .body("error.class", equalTo("Unauthorized"));
            given().header("Authorization", "Bearer wrong").get(path).then().statusCode(401);
        }
    }

    @Test
    void requestsWithTheTokenGetThrough() {
        given().header("Authorization", "Bearer s3cret-token").get("/vms").then().statusCode(200);
        given().header("Authorization", "Bearer s3cret-token").get("/q/metrics").then().statusCode(200);
        given().header("Authorization", "Bearer s3cret-token").get("/openapi").then().statusCode(200);
    }
}
