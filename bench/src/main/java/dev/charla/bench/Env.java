package dev.charla.bench;

import java.time.Duration;

/**
 * What a scenario runs with: the shared client, a way to get a server (a fresh child process per call with
 * {@code --start-server}, else the one given by host and port), and the warm-up and measurement periods.
 */
record Env(LoadClient client, Servers servers, Duration warmup, Duration measure) {

  /** Supplies the server for one run. */
  interface Servers {
    /** A server with the given durability ("FAST" or "DURABLE"), or null for the default. */
    ServerUnderTest get(String durability) throws Exception;

    /** Whether {@link #get} honours the durability (it can only when it starts the server). */
    boolean startsServers();
  }
}
