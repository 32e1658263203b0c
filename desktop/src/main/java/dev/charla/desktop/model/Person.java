package dev.charla.desktop.model;

import dev.charla.protocol.ServerFrame.SessionInfo;
import java.util.List;

/** Someone online, with each of their sessions (address, transport, client label). */
public record Person(String name, boolean guest, List<SessionInfo> sessions) {
  public Person {
    sessions = List.copyOf(sessions);
  }
}
