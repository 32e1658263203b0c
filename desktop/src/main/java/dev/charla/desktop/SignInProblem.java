package dev.charla.desktop;

import dev.charla.client.ChatException;
import java.util.concurrent.CompletionException;

/** Why signing in failed, in the terms the sign-in screen explains (each has a message in the bundle). */
public enum SignInProblem {
  UNREACHABLE("error.unreachable"),
  AUTH_FAILED("error.auth_failed"),
  NAME_TAKEN("error.name_taken"),
  SERVER_FULL("error.server_full"),
  THROTTLED("error.throttled"),
  BAD_NAME("error.bad_name"),
  BAD_PASSWORD("error.bad_password"),
  TOO_MANY_CONNECTIONS("error.too_many_connections"),
  OTHER("error.other");

  private final String key;

  SignInProblem(String key) {
    this.key = key;
  }

  /** The message key in the resource bundle. */
  public String key() {
    return key;
  }

  /**
   * Classifies a failure. {@code connecting} says whether it happened while opening the connection, where any
   * failure that is not a server's error code means the server could not be reached.
   */
  public static SignInProblem of(Throwable failure, boolean connecting) {
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (t instanceof ChatException ce) {
      switch (ce.code()) {
        case AUTH_FAILED, BAD_TOKEN:
          return AUTH_FAILED;
        case NAME_TAKEN:
          return NAME_TAKEN;
        case SERVER_FULL:
          return SERVER_FULL;
        case THROTTLED:
          return THROTTLED;
        case BAD_NAME:
          return BAD_NAME;
        case BAD_PASSWORD:
          return BAD_PASSWORD;
        case TOO_MANY_CONNECTIONS:
          return TOO_MANY_CONNECTIONS;
        default:
          break;
      }
    }
    return connecting ? UNREACHABLE : OTHER;
  }
}
