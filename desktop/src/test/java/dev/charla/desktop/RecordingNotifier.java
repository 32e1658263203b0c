package dev.charla.desktop;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records private-message notifications instead of showing them. */
public final class RecordingNotifier implements Notifier {
  public record Note(String from, String text) {}

  public final List<Note> notes = new CopyOnWriteArrayList<>();

  @Override
  public void privateMessage(String from, String text) {
    notes.add(new Note(from, text));
  }
}
