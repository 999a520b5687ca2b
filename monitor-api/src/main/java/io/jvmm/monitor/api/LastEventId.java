package io.jvmm.monitor.api;

import io.jvmm.monitor.service.MonitorCommandException;

/** The {@code Last-Event-ID} header of an SSE client that reconnects: a non-negative number. */
final class LastEventId {
    private LastEventId() {
    }

    /**
     * The number in {@code header}, or {@code absent} if there is none.
     *
     * @param what what the number counts, for the error ("an event number", "a console offset")
     * @throws MonitorCommandException (400) if the header is not a number
     */
    static long parse(String header, long absent, String what) {
        if (header == null || header.isBlank()) {
            return absent;
        }
        try {
            return Math.max(0, Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            throw new MonitorCommandException("GenericError", "Last-Event-ID '" + header + "' is not " + what
                    + "; reconnect with the id of the last event received");
        }
    }
}
