package dev.charla.server.transport.tcp;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A JFR event per drain pass of an event loop ({@link LoopDrainer}): how long the pass waited between being asked
 * for (the fan-out flushed a session of that loop) and starting on the loop, and how many sessions it wrote. The
 * loop's side of a message's path, after the writer's ({@code dev.charla.WriterBatch}); {@code charla bench stages}
 * reads both. Costs nothing unless a recording is running.
 *
 * <p>The event's own duration is the pass: writing every session that was ready when it started.
 */
@Name(LoopDrainEvent.NAME)
@Label("Loop drain")
@Category({"Charla", "Messages"})
@Description("One drain pass of an event loop: sessions with frames waiting, written")
@StackTrace(false)
final class LoopDrainEvent extends Event {
  static final String NAME = "dev.charla.LoopDrain";

  @Label("Wait")
  @Description("From the first request for this pass to its start on the event loop")
  @Timespan(Timespan.NANOSECONDS)
  long wait;

  @Label("Sessions")
  @Description("Sessions the pass drained")
  int sessions;
}
