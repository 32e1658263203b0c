package dev.charla.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * Frames a client sends to the server. Each is a JSON object whose {@code type} names the record below.
 *
 * <p>Requests carry an optional {@code id} (a string the client picks); every reply to a request carries the same
 * value as {@code re}, so a client can match replies to requests while unrelated frames (messages, notices)
 * arrive in between. A switch over this sealed type is exhaustive: adding a frame without handling it does not
 * compile.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(ClientFrame.Hello.class),
  @JsonSubTypes.Type(ClientFrame.Register.class),
  @JsonSubTypes.Type(ClientFrame.Login.class),
  @JsonSubTypes.Type(ClientFrame.Guest.class),
  @JsonSubTypes.Type(ClientFrame.Resume.class),
  @JsonSubTypes.Type(ClientFrame.Logout.class),
  @JsonSubTypes.Type(ClientFrame.Send.class),
  @JsonSubTypes.Type(ClientFrame.Join.class),
  @JsonSubTypes.Type(ClientFrame.Leave.class),
  @JsonSubTypes.Type(ClientFrame.Rooms.class),
  @JsonSubTypes.Type(ClientFrame.Topic.class),
  @JsonSubTypes.Type(ClientFrame.Who.class),
  @JsonSubTypes.Type(ClientFrame.Whoami.class),
  @JsonSubTypes.Type(ClientFrame.History.class),
  @JsonSubTypes.Type(ClientFrame.Received.class),
  @JsonSubTypes.Type(ClientFrame.Ping.class),
  @JsonSubTypes.Type(ClientFrame.Quit.class),
})
public sealed interface ClientFrame {

  /** The request id to echo as {@code re}, or null. */
  String id();

  /** First frame on every connection: the protocol version and a free-form client label. */
  @JsonTypeName("hello")
  record Hello(String id, int v, String client) implements ClientFrame {}

  /** Create an account and log in with it. */
  @JsonTypeName("register")
  record Register(String id, String name, String password) implements ClientFrame {
    public Register {
      Checks.required(name, "name");
      Checks.required(password, "password");
    }

    @Override
    public String toString() {
      return "Register[id=" + id + ", name=" + name + ", password=<redacted>]";
    }
  }

  /** Log in to an existing account. */
  @JsonTypeName("login")
  record Login(String id, String name, String password) implements ClientFrame {
    public Login {
      Checks.required(name, "name");
      Checks.required(password, "password");
    }

    @Override
    public String toString() {
      return "Login[id=" + id + ", name=" + name + ", password=<redacted>]";
    }
  }

  /** Join as a guest with only a nickname. */
  @JsonTypeName("guest")
  record Guest(String id, String name) implements ClientFrame {
    public Guest {
      Checks.required(name, "name");
    }
  }

  /** Log in again with the token from an earlier login, without the password. */
  @JsonTypeName("resume")
  record Resume(String id, String token) implements ClientFrame {
    public Resume {
      Checks.required(token, "token");
    }

    @Override
    public String toString() {
      return "Resume[id=" + id + ", token=<redacted>]";
    }
  }

  /** End this session and revoke its token. */
  @JsonTypeName("logout")
  record Logout(String id) implements ClientFrame {}

  /**
   * Send a message to a room ({@code #name}) or a user ({@code @name}). {@code cmid} is the client's message id:
   * a send retried with the same cmid is stored once and acknowledged with the same message.
   */
  @JsonTypeName("send")
  record Send(String id, String to, String text, String cmid) implements ClientFrame {
    public Send {
      Checks.required(to, "to");
      Checks.required(text, "text");
      Checks.maxLength(cmid, Limits.MAX_ID_CHARS, "cmid");
    }
  }

  /** Join a room, creating it if it does not exist. */
  @JsonTypeName("join")
  record Join(String id, String room) implements ClientFrame {
    public Join {
      Checks.required(room, "room");
    }
  }

  @JsonTypeName("leave")
  record Leave(String id, String room) implements ClientFrame {
    public Leave {
      Checks.required(room, "room");
    }
  }

  /** List rooms. */
  @JsonTypeName("rooms")
  record Rooms(String id) implements ClientFrame {}

  /** Set a room's topic (members only). */
  @JsonTypeName("topic")
  record Topic(String id, String room, String topic) implements ClientFrame {
    public Topic {
      Checks.required(room, "room");
      Checks.required(topic, "topic");
    }
  }

  /** List the sessions online. */
  @JsonTypeName("who")
  record Who(String id) implements ClientFrame {}

  /** Describe this session. */
  @JsonTypeName("whoami")
  record Whoami(String id) implements ClientFrame {}

  /**
   * A page of history of a room or a private conversation ({@code #room}, {@code @user} or {@code @a,b}):
   * messages with seq below {@code before}, or above {@code after}, at most {@code limit}.
   */
  @JsonTypeName("history")
  record History(String id, String conv, Long before, Long after, Integer limit) implements ClientFrame {
    public History {
      Checks.required(conv, "conv");
    }
  }

  /** Acknowledges offline messages ({@code pending: true}) up to and including server id {@code upto}. */
  @JsonTypeName("received")
  record Received(String id, long upto) implements ClientFrame {}

  @JsonTypeName("ping")
  record Ping(String id) implements ClientFrame {}

  /** Log out and close the connection. */
  @JsonTypeName("quit")
  record Quit(String id) implements ClientFrame {}
}
