package dev.charla.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.List;

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
  @JsonSubTypes.Type(ClientFrame.Files.class),
  @JsonSubTypes.Type(ClientFrame.Put.class),
  @JsonSubTypes.Type(ClientFrame.Get.class),
  @JsonSubTypes.Type(ClientFrame.Rm.class),
  @JsonSubTypes.Type(ClientFrame.Chunk.class),
  @JsonSubTypes.Type(ClientFrame.Ack.class),
  @JsonSubTypes.Type(ClientFrame.Offer.class),
  @JsonSubTypes.Type(ClientFrame.Direct.class),
  @JsonSubTypes.Type(ClientFrame.DirectAccept.class),
  @JsonSubTypes.Type(ClientFrame.DirectDecline.class),
  @JsonSubTypes.Type(ClientFrame.DirectMsg.class),
  @JsonSubTypes.Type(ClientFrame.DirectClose.class),
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

  // ---- files (docs/PROTOCOL.md, "Files") ----

  /** List the server's shared file area. */
  @JsonTypeName("files")
  record Files(String id) implements ClientFrame {}

  /**
   * Start (or resume) an upload to the shared file area: the server answers {@code upload_ready} with the
   * transfer id and the offset to send from (non-zero when an earlier upload of the same content by the same user
   * was interrupted).
   */
  @JsonTypeName("put")
  record Put(String id, String name, long size, String sha256) implements ClientFrame {
    public Put {
      Checks.required(name, "name");
      Checks.required(sha256, "sha256");
      Checks.sha256(sha256);
      Checks.maxLength(name, Limits.MAX_FILE_NAME_CHARS, "name");
      if (size < 0) {
        throw new IllegalArgumentException("field 'size' must not be negative: " + size);
      }
    }
  }

  /** Download a file of the area (or one offered to you) from {@code offset} (default 0). */
  @JsonTypeName("get")
  record Get(String id, String file, Long offset) implements ClientFrame {
    public Get {
      Checks.required(file, "file");
      if (offset != null && offset < 0) {
        throw new IllegalArgumentException("field 'offset' must not be negative: " + offset);
      }
    }
  }

  /** Delete a file: your own from the area, or decline one offered to you. */
  @JsonTypeName("rm")
  record Rm(String id, String file) implements ClientFrame {
    public Rm {
      Checks.required(file, "file");
    }
  }

  /**
   * Bytes of an upload: {@code data} (base64 in JSON, at most {@link Limits#FILE_CHUNK_BYTES} decoded) belongs at
   * {@code offset} of transfer {@code xfer}. Chunks must come in order; the server acknowledges with {@code ack}.
   */
  @JsonTypeName("chunk")
  record Chunk(String id, String xfer, long offset, @JsonSerialize(using = Base64Bytes.Serializer.class) @JsonDeserialize(using = Base64Bytes.Deserializer.class) byte[] data) implements ClientFrame {
    public Chunk {
      Checks.required(xfer, "xfer");
      Checks.required(data, "data");
      if (data.length > Limits.FILE_CHUNK_BYTES) {
        throw new IllegalArgumentException(
            "chunk too large: " + data.length + " bytes (limit: " + Limits.FILE_CHUNK_BYTES + ")");
      }
    }

    @Override
    public String toString() {
      return "Chunk[xfer=" + xfer + ", offset=" + offset + ", " + data.length + " bytes]";
    }
  }

  /** Acknowledges a download's bytes below {@code next}: they are written, the server may send further. */
  @JsonTypeName("ack")
  record Ack(String id, String xfer, long next) implements ClientFrame {
    public Ack {
      Checks.required(xfer, "xfer");
    }
  }

  /**
   * Offer a file to a user: like {@code put}, but the file is kept for {@code to} only (not listed in the area)
   * and offered to them ({@code file_offer}) once its upload completes, or at their next login if offline.
   */
  @JsonTypeName("offer")
  record Offer(String id, String to, String name, long size, String sha256) implements ClientFrame {
    public Offer {
      Checks.required(to, "to");
      Checks.required(name, "name");
      Checks.required(sha256, "sha256");
      Checks.sha256(sha256);
      Checks.maxLength(name, Limits.MAX_FILE_NAME_CHARS, "name");
      if (size < 0) {
        throw new IllegalArgumentException("field 'size' must not be negative: " + size);
      }
    }
  }

  // ---- direct connections (docs/PROTOCOL.md, "Direct connections") ----

  /**
   * Ask user {@code to} for a direct connection. {@code candidates} ({@code ip:port}, at most
   * {@link Limits#MAX_DIRECT_CANDIDATES}) are where this client listens for TCP, {@code udp} (the same rules; may
   * be absent) where its UDP socket for this link is bound; they are shown to {@code to} only if they accept. The
   * server answers {@code direct_pending} with the link id.
   */
  @JsonTypeName("direct")
  record Direct(String id, String to, List<String> candidates, List<String> udp) implements ClientFrame {
    public Direct {
      Checks.required(to, "to");
      candidates = Checks.candidates(candidates);
      udp = Checks.candidates(udp);
    }

    /** A request with TCP candidates only. */
    public Direct(String id, String to, List<String> candidates) {
      this(id, to, candidates, null);
    }
  }

  /** Accept a {@code direct_request}: the server answers {@code direct_ready} (and tells the requester too). */
  @JsonTypeName("direct_accept")
  record DirectAccept(String id, String link, List<String> candidates, List<String> udp) implements ClientFrame {
    public DirectAccept {
      Checks.required(link, "link");
      candidates = Checks.candidates(candidates);
      udp = Checks.candidates(udp);
    }

    /** An acceptance with TCP candidates only. */
    public DirectAccept(String id, String link, List<String> candidates) {
      this(id, link, candidates, null);
    }
  }

  /** Decline a {@code direct_request}: the requester is told, and learns nothing about you. */
  @JsonTypeName("direct_decline")
  record DirectDecline(String id, String link) implements ClientFrame {
    public DirectDecline {
      Checks.required(link, "link");
    }
  }

  /** A message of a direct conversation that could not go direct: the server relays it and stores nothing. */
  @JsonTypeName("direct_msg")
  record DirectMsg(String id, String link, String text) implements ClientFrame {
    public DirectMsg {
      Checks.required(link, "link");
      Checks.required(text, "text");
    }
  }

  /** End (or withdraw) a direct conversation; the other side gets {@code direct_closed}. */
  @JsonTypeName("direct_close")
  record DirectClose(String id, String link) implements ClientFrame {
    public DirectClose {
      Checks.required(link, "link");
    }
  }
}
