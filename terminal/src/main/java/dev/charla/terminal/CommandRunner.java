package dev.charla.terminal;

import dev.charla.client.CharlaClient;
import dev.charla.client.Transport;
import dev.charla.client.TransferListener;
import dev.charla.protocol.Names;
import dev.charla.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Carries out parsed {@link Input}s against a logged-in {@link CharlaClient}.
 *
 * <p>Thread rules: {@link #run} is called only by the reader thread, which owns {@link #target}. Requests whose
 * reply the user is waiting for (join, who, history, ...) block that thread for at most {@link #replyTimeout};
 * incoming messages keep printing meanwhile. Chat lines are not awaited: the client retries them across
 * reconnects, and the server's echo shows them, so the user can keep typing.
 */
final class CommandRunner {
  /** What the read loop should do after a line. */
  enum Outcome {
    CONTINUE,
    QUIT,
    LOGGED_OUT
  }

  private final CharlaClient client;
  private final Screen screen;
  /** The transport chosen with /via; null means the session's own. */
  private Transport via;
  private final ChatFormatter format;
  private final OldestSeen seen;
  private final TerminalListener listener;
  private final List<CommandSpec> commands;
  private final Duration replyTimeout;

  /** The current conversation: {@code #room} or {@code @user}. Reader thread only. */
  private String target = Names.LOBBY;

  CommandRunner(
      CharlaClient client,
      Screen screen,
      ChatFormatter format,
      OldestSeen seen,
      TerminalListener listener,
      List<CommandSpec> commands,
      Duration replyTimeout) {
    this.client = client;
    this.screen = screen;
    this.format = format;
    this.seen = seen;
    this.listener = listener;
    this.commands = commands;
    this.replyTimeout = replyTimeout;
  }

  String target() {
    return target;
  }

  Outcome run(Input input) {
    switch (input) {
      case Input.Blank b -> {}
      case Input.Invalid i -> screen.print(format.problem(i.message()));
      case Input.Say s -> send(target, s.text());
      case Input.PrivateMessage p -> send("@" + p.user(), p.text());
      case Input.SwitchTarget t -> switchTo(t.conv());
      case Input.Join j -> join(j.room());
      case Input.Leave l -> leave(l.room());
      case Input.ListRooms r -> listRooms();
      case Input.Topic t -> topic(t.room(), t.text());
      case Input.History h -> history(h.conv(), h.count());
      case Input.Users u -> users();
      case Input.Via v -> via(v.transport());
      case Input.WhoAmI w -> await(client.whoami()).ifPresent(s -> screen.print(format.identity(s)));
      case Input.Help h -> help();
      case Input.ListFiles f -> listFiles();
      case Input.PutFile p -> transfer("put " + p.path(),
          client.upload(Path.of(p.path()), progress(p.path())).thenApply(f -> "stored " + describe(f)));
      case Input.GetFile g -> transfer("get " + g.id(),
          client.download(g.id(), dest(g.dest()), progress(g.id())).thenApply(saved -> "saved " + saved));
      case Input.RemoveFile r -> {
        if (succeeded(client.deleteFile(r.id()))) {
          screen.print(format.note("deleted " + r.id()));
        }
      }
      case Input.OfferFile o -> transfer("send " + o.path() + " to " + o.user(),
          client.offer(o.user(), Path.of(o.path()), progress(o.path()))
              .thenApply(f -> CharlaClient.isDirectFile(f.id())
                  ? "sent " + f.name() + " (" + bytes(f.size()) + ") to " + o.user()
                      + " over the direct connection; they verified it"
                  : "offered " + describe(f) + " to " + o.user()));
      case Input.AcceptOffer a -> transfer("accept " + a.id(),
          client.download(a.id(), dest(a.dest()), progress(a.id()))
              .thenCompose(saved -> client.deleteFile(a.id()).thenApply(v -> "saved " + saved)));
      case Input.DeclineOffer d -> {
        if (succeeded(client.deleteFile(d.id()))) {
          screen.print(format.note("declined " + d.id()));
        }
      }
      case Input.DirectAsk d -> await(client.requestDirect(d.user())).ifPresent(link ->
          listener.direct().opened(d.user(), link));
      case Input.DirectAccept d -> {
        String link = listener.direct().takeRequest(d.user());
        if (link == null) {
          screen.print(format.problem(d.user() == null
              ? "no single direct request waiting; say whose: /accept-direct <user>"
              : "no direct request from " + d.user()));
        } else {
          succeeded(client.acceptDirect(link));
        }
      }
      case Input.DirectDecline d -> {
        String link = listener.direct().takeRequest(d.user());
        if (link == null) {
          screen.print(format.problem(d.user() == null
              ? "no single direct request waiting; say whose: /decline-direct <user>"
              : "no direct request from " + d.user()));
        } else if (succeeded(client.declineDirect(link))) {
          screen.print(format.note("declined"));
        }
      }
      case Input.DirectSay d -> {
        String link = listener.direct().linkWith(d.user());
        if (link == null) {
          screen.print(format.problem("no direct conversation with " + d.user() + "; start one: /direct " + d.user()));
        } else if (succeeded(client.sendDirect(link, d.text()))) {
          screen.print("[" + client.directMode(link).name().toLowerCase(java.util.Locale.ROOT) + "] "
              + listener.me() + ": " + d.text());
        }
      }
      case Input.DirectClose d -> {
        String link = listener.direct().linkWith(d.user());
        if (link == null) {
          screen.print(format.problem("no direct conversation with " + d.user()));
        } else {
          succeeded(client.closeDirect(link));
        }
      }
      case Input.Quit q -> {
        return Outcome.QUIT;
      }
      case Input.Logout l -> {
        listener.closing();
        succeeded(client.logout());
        screen.print("** logged out");
        return Outcome.LOGGED_OUT;
      }
    }
    return Outcome.CONTINUE;
  }

  /** Joins {@code room} and shows it with its recent messages; used at login too. Returns whether it worked. */
  boolean showJoin(String room) {
    Optional<ServerFrame.Joined> joined = await(client.join(room));
    joined.ifPresent(
        j -> {
          screen.print(format.joined(j));
          for (ServerFrame.Msg m : j.recent()) {
            screen.print(format.message(m, listener.me()));
          }
          seen.recordAll(j.recent(), listener.me());
        });
    return joined.isPresent();
  }

  private void via(Transport transport) {
    if (transport == null) {
      Transport current = via != null ? via : client.transport();
      screen.print(format.note("sending over " + current.wire()
          + (client.hasUdpPath() ? " (a UDP path is attached)" : "")));
      return;
    }
    if (transport == Transport.UDP && client.transport() == Transport.TCP && !client.hasUdpPath()) {
      Optional<ServerFrame.SessionInfo> udp = await(client.attachUdp());
      if (udp.isEmpty()) {
        return;
      }
      screen.print(format.note("UDP path attached (" + udp.get().ip() + ":" + udp.get().port() + " udp)"));
    }
    if (transport == Transport.TCP && client.transport() == Transport.UDP) {
      screen.print(format.problem("this session runs over UDP; start with --transport tcp to send over TCP"));
      return;
    }
    via = transport;
    screen.print(format.note("sending over " + transport.wire() + " from now on"));
  }

  private void send(String to, String text) {
    client
        .send(to, text, via)
        .whenComplete(
            (stored, error) -> {
              if (error != null) {
                screen.print(format.error(error));
              }
            });
  }

  private void switchTo(String conv) {
    target = conv;
    screen.print(format.note("now talking to " + conv));
  }

  private void join(String room) {
    if (showJoin(room)) {
      target = room;
    }
  }

  private void leave(String room) {
    String which = room != null ? room : target;
    if (!which.startsWith("#")) {
      screen.print(format.problem("the current conversation is not a room; say which: /leave #room"));
      return;
    }
    if (!succeeded(client.leave(which))) {
      return;
    }
    screen.print(format.note("you left " + which));
    if (which.equals(target)) {
      target = Names.LOBBY.equals(which) ? target : Names.LOBBY;
      screen.print(format.note("now talking to " + target));
    }
  }

  private void listRooms() {
    await(client.rooms())
        .ifPresent(
            rooms -> {
              screen.print(format.note(rooms.size() + (rooms.size() == 1 ? " room:" : " rooms:")));
              rooms.forEach(r -> screen.print(format.room(r)));
            });
  }

  private void topic(String room, String text) {
    String which = room != null ? room : target;
    if (!which.startsWith("#")) {
      screen.print(format.problem("the current conversation is not a room; say which: /topic #room text"));
      return;
    }
    if (text == null) {
      await(client.rooms())
          .ifPresent(
              rooms ->
                  rooms.stream()
                      .filter(r -> r.name().equalsIgnoreCase(which))
                      .findFirst()
                      .ifPresentOrElse(
                          r -> screen.print(format.topic(new ServerFrame.TopicSet(null, r.name(), r.topic(), null))),
                          () -> screen.print(format.problem("no such room: " + which))));
      return;
    }
    succeeded(client.topic(which, text)); // the server announces the new topic to the room, us included
  }

  private void history(String conv, int count) {
    String which = conv != null ? conv : target;
    Long before = seen.oldest(which);
    await(client.history(which, before, count))
        .ifPresent(
            page -> {
              if (page.messages().isEmpty()) {
                screen.print(format.note("no older messages in " + which));
                return;
              }
              int n = page.messages().size();
              screen.print(format.note(n + (n == 1 ? " older message in " : " older messages in ") + which + ":"));
              for (ServerFrame.Msg m : page.messages()) {
                screen.print(format.message(m, listener.me()));
              }
              seen.recordAll(page.messages(), listener.me());
              screen.print(format.note(page.more() ? "/history for more" : "that is the beginning of " + which));
            });
  }

  private void users() {
    await(client.who())
        .ifPresent(
            sessions -> {
              screen.print(format.note(sessions.size() + (sessions.size() == 1 ? " session online:" : " sessions online:")));
              sessions.forEach(s -> screen.print(format.session(s)));
            });
  }

  private void listFiles() {
    await(client.files()).ifPresent(list -> {
      screen.print(format.note(list.files().size() + (list.files().size() == 1 ? " file" : " files")
          + " (you use " + bytes(list.usedBytes()) + " of " + bytes(list.quotaBytes()) + "; largest file "
          + bytes(list.maxFileBytes()) + "):"));
      list.files().forEach(f -> screen.print("   " + describe(f)));
    });
  }

  /** Transfers run in the background: the prompt stays usable; progress and the outcome print when they come. */
  private void transfer(String what, CompletableFuture<String> outcome) {
    screen.print(format.note(what + " ..."));
    outcome.whenComplete((done, error) ->
        screen.print(error != null ? format.error(error) : format.note(done)));
  }

  /** Prints a transfer's progress about every two seconds. */
  private TransferListener progress(String what) {
    long[] last = {System.nanoTime()};
    return p -> {
      long now = System.nanoTime();
      if (now - last[0] < 2_000_000_000L || p.done() == p.total()) {
        return;
      }
      last[0] = now;
      screen.print(format.note(String.format(java.util.Locale.ROOT, "%s: %d%% of %s, %s/s, %s left", what,
          (int) (p.fraction() * 100), bytes(p.total()), bytes((long) p.bytesPerSecond()),
          p.etaMillis() < 0 ? "?" : (p.etaMillis() / 1000) + " s")));
    };
  }

  private static Path dest(String dest) {
    return dest == null ? Path.of("").toAbsolutePath() : Path.of(dest);
  }

  static String describe(ServerFrame.FileInfo f) {
    return f.id() + "  " + f.name() + "  " + bytes(f.size()) + "  by " + f.owner();
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String units = "KMGTPE";
    int u = (63 - Long.numberOfLeadingZeros(n)) / 10;
    return String.format(java.util.Locale.ROOT, "%.1f %siB", n / (double) (1L << (u * 10)), units.charAt(u - 1));
  }

  private void help() {
    screen.print(format.note("commands (plain text goes to the current conversation, " + target + "):"));
    for (CommandSpec c : commands) {
      String spelled = c.usage() + (c.aliases().isEmpty() ? "" : "  (also " + String.join(", ", c.aliases()) + ")");
      screen.print(String.format(java.util.Locale.ROOT, "   %-44s %s", spelled, c.summary()));
    }
    screen.print(String.format(java.util.Locale.ROOT, "   %-44s %s", ":p-name-message", "private message to name"));
    screen.print(String.format(java.util.Locale.ROOT, "   %-44s %s", "//text", "send text that starts with /"));
  }

  /** Waits for a reply with a value; prints the error (with its code) or the timeout and returns empty. */
  private <T> Optional<T> await(CompletableFuture<T> reply) {
    return succeeded(reply) ? Optional.ofNullable(reply.getNow(null)) : Optional.empty();
  }

  /** Waits for a reply (value or not); prints the error or the timeout and returns false if it failed. */
  private boolean succeeded(CompletableFuture<?> reply) {
    try {
      reply.get(replyTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      screen.print(format.error(e));
    } catch (TimeoutException e) {
      screen.print(format.problem("no reply from the server within " + replyTimeout.toSeconds() + " s"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }
}
