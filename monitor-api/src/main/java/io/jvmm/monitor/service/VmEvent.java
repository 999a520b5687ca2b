package io.jvmm.monitor.service;

import java.time.Instant;
import java.util.Map;

/**
 * One lifecycle event: its number in the service's sequence, when, which VM (id and name), what
 * happened, and details. Types: {@value #CREATED}, {@value #PAUSED}, {@value #RESUMED},
 * {@value #RESET} (data "by": "guest" or "operator"), {@value #POWERDOWN} (the power button was
 * pressed), {@value #ENDED} (data "kind", "code", "reason"), {@value #VCPU_CRASHED}, and
 * {@value #LOST} (a reconnecting client asked for events no longer kept: "from", "to", "count").
 */
public record VmEvent(long seq, Instant time, String vm, String name, String type, Map<String, Object> data) {
    public static final String CREATED = "created";
    public static final String PAUSED = "paused";
    public static final String RESUMED = "resumed";
    public static final String RESET = "reset";
    public static final String POWERDOWN = "powerdown";
    public static final String ENDED = "ended";
    public static final String VCPU_CRASHED = "vcpu-crashed";
    public static final String LOST = "events-lost";
}
