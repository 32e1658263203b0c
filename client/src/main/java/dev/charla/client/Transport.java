package dev.charla.client;

/** The transport a client uses to reach the server. */
public enum Transport {
  TCP,
  UDP;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
