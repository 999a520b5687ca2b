package io.jvmm.monitor.race;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The monitor load of seed 003: a tool that calls {@code info registers -a} through the real REST
 * API at a fixed period (2 ms by default) for as long as a guest lives, and reports how many calls
 * it made and their latency. Fixed-rate: a call that overruns is followed at once by the next,
 * never by a burst of catch-up calls.
 */
public final class MonitorLoad implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpRequest request;
    private final long periodNanos;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private long[] latencies = new long[1024];
    private int calls;
    private int errors;
    private String lastError;

    /** A load against VM {@code vmId} of the service at {@code baseUrl}, started at once. */
    public MonitorLoad(String baseUrl, String vmId, Duration period, BooleanSupplier alive) {
        this.request = HttpRequest.newBuilder(URI.create(baseUrl + "/vms/" + vmId + "/hmp"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"command-line\": \"info registers -a\"}")).build();
        this.periodNanos = period.toNanos();
        this.thread = new Thread(() -> loop(alive), "monitor-load-" + vmId);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(BooleanSupplier alive) {
        long next = System.nanoTime();
        while (!stop.get() && alive.getAsBoolean()) {
            long t0 = System.nanoTime();
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                record(System.nanoTime() - t0, r.statusCode() == 200 ? null : r.statusCode() + " " + r.body());
            } catch (IOException e) {
                record(System.nanoTime() - t0, e.toString());
            } catch (InterruptedException e) {
                return;
            }
            next += periodNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            } else {
                next = System.nanoTime();
            }
        }
    }

    private synchronized void record(long nanos, String error) {
        if (calls == latencies.length) {
            latencies = Arrays.copyOf(latencies, calls * 2);
        }
        latencies[calls++] = nanos;
        if (error != null) {
            errors++;
            lastError = error;
        }
    }

    /** Stops the load and waits for the thread. */
    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(30_000);
    }

    /** What the load did. */
    public synchronized Report report() {
        long[] sorted = Arrays.copyOf(latencies, calls);
        Arrays.sort(sorted);
        return new Report(calls, errors, lastError, percentile(sorted, 0.50), percentile(sorted, 0.99));
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1000;
    }

    /** Calls made, failed calls (the last failure's text), and latency percentiles in microseconds. */
    public record Report(int calls, int errors, String lastError, long p50Us, long p99Us) {
    }
}
