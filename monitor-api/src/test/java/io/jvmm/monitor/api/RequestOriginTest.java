package io.jvmm.monitor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Requests a browser could be made to send from a foreign page (a rebound DNS name, a cross-origin
 * request) are refused with a 403 that says why; the loopback names still work. Sent over a raw
 * socket, so that the Host and Origin headers are exactly the test's.
 */
@QuarkusTest
class RequestOriginTest {
    @TestHTTPResource("/")
    URL root;

    private record Answer(int status, String body) {
    }

    private Answer get(String path, String host, String origin) throws Exception {
        try (Socket s = new Socket("127.0.0.1", root.getPort())) {
            StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\n");
            if (host != null) {
                req.append("Host: ").append(host).append("\r\n");
            }
            if (origin != null) {
                req.append("Origin: ").append(origin).append("\r\n");
            }
            req.append("Connection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            return new Answer(status, text.substring(text.indexOf("\r\n\r\n") + 4));
        }
    }

    @Test
    void aForeignHostIsRefused() throws Exception {
        for (String host : new String[] {"evil.example", "evil.example:" + root.getPort(), "127.0.0.1.nip.io"}) {
            Answer a = get("/vms", host, null);
            assertEquals(403, a.status(), host + ": " + a.body());
            assertTrue(a.body().contains("is not a name this service is reachable as"), a.body());
            assertTrue(a.body().contains("DNS rebinding"), a.body());
        }
    }

    @Test
    void aForeignOriginIsRefused() throws Exception {
        Answer a = get("/vms", "127.0.0.1:" + root.getPort(), "http://evil.example");
        assertEquals(403, a.status(), a.body());
        assertTrue(a.body().contains("Cross-origin request from 'http://evil.example' refused"), a.body());
        a = get("/q/metrics", "localhost", "null");
        assertEquals(403, a.status(), "a sandboxed page's Origin 'null': " + a.body());
    }

    @Test
    void loopbackNamesAndSameOriginRequestsWork() throws Exception {
        int port = root.getPort();
        for (String host : new String[] {"localhost", "localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port,
            "LOCALHOST"}) {
            assertEquals(200, get("/vms", host, null).status(), host);
        }
        assertEquals(200, get("/vms", "localhost:" + port, "http://localhost:" + port).status());
        assertEquals(200, get("/vms", "127.0.0.1:" + port, "http://127.0.0.1:" + port).status());
    }

    @Test
    void hostHeadersAreParsedAsBrowsersSendThem() {
        assertEquals("localhost", RequestOrigin.hostPart("LocalHost:8080"));
        assertEquals("::1", RequestOrigin.hostPart("[::1]:8080"));
        assertEquals("::1", RequestOrigin.hostPart("[::1]"));
        assertEquals("evil.example", RequestOrigin.originHost("https://Evil.Example:8443"));
        assertEquals("", RequestOrigin.originHost("null"));
    }
}
