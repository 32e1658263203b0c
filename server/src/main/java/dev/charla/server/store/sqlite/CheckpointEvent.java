package dev.charla.server.store.sqlite;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A JFR event per checkpoint of the message store ({@link WalSync}): its duration covers copying the WAL into the
 * database file and that file's sync. See {@code WriterBatchEvent}.
 */
@Name(CheckpointEvent.NAME)
@Label("Store checkpoint")
@Category({"Charla", "Store"})
@Description("A checkpoint of the message store: WAL frames copied into the database file, then that file synced")
@StackTrace(false)
final class CheckpointEvent extends Event {
  static final String NAME = "dev.charla.StoreCheckpoint";

  @Label("WAL Frames")
  @Description("Frames in the WAL")
  long walFrames;

  @Label("Frames Copied")
  @Description("Frames in the database file once the checkpoint ended (readers may hold some back)")
  long copiedFrames;
}
