package dev.charla.server.store.sqlite;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A JFR event per {@code fdatasync} that {@link WalSync} makes: of the WAL after a commit (messages wait for it),
 * or of the database file after a checkpoint. Its duration is the sync's. See {@code WriterBatchEvent}.
 */
@Name(SyncEvent.NAME)
@Label("Store sync")
@Category({"Charla", "Store"})
@Description("An fdatasync of the message store's WAL (after a commit) or database file (after a checkpoint)")
@StackTrace(false)
final class SyncEvent extends Event {
  static final String NAME = "dev.charla.StoreSync";

  @Label("File")
  @Description("wal or database")
  String file;
}
