package dev.charla.server.core;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A JFR event per turn of the message writer: where a batch's time went, from the moment its oldest send was
 * accepted to the moment it was fanned out (or handed to the fan-out thread). Together with the store's sync and
 * checkpoint events it says what a delayed message was waiting for ({@code charla bench stages} reads them from a
 * recording). Costs nothing unless a recording is running: the JDK then skips the event entirely.
 *
 * <p>The event's own duration runs from when the writer took the batch off the queue to the end of its fan-out.
 */
@Name(WriterBatchEvent.NAME)
@Label("Writer batch")
@Category({"Charla", "Messages"})
@Description("One turn of the message writer: a batch of sends taken off the queue, stored, and fanned out")
@StackTrace(false)
final class WriterBatchEvent extends Event {
  static final String NAME = "dev.charla.WriterBatch";

  @Label("Sends")
  @Description("Sends in the batch")
  int sends;

  @Label("Oldest Wait")
  @Description("How long the batch's oldest send waited in the queue for the writer")
  @Timespan(Timespan.NANOSECONDS)
  long oldestWait;

  @Label("Store")
  @Description("Resolving targets, appending the batch and syncing it: the store's part")
  @Timespan(Timespan.NANOSECONDS)
  long store;

  @Label("Fan-out")
  @Description("Fanning the batch out on the writer, or handing it to the fan-out thread")
  @Timespan(Timespan.NANOSECONDS)
  long fanout;

  @Label("Inline")
  @Description("Whether the writer fanned the batch out itself")
  boolean inline;
}
