package dev.charla.bench;

import java.util.OptionalLong;

/** The server a scenario drives: where it listens and, when the generator can see its process, its pid. */
interface ServerUnderTest extends AutoCloseable {
  String host();

  int port();

  /** The server's process id when it is a separate process on this machine whose CPU and RSS can be read. */
  OptionalLong pid();

  @Override
  default void close() {}

  /** A server someone else runs: nothing to start or stop, no process statistics. */
  record Remote(String host, int port) implements ServerUnderTest {
    @Override
    public OptionalLong pid() {
      return OptionalLong.empty();
    }
  }
}
