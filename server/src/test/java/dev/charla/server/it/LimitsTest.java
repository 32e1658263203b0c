package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every documented limit, exercised against a real server configured with small values. */
class LimitsTest {
  @TempDir Path dir;

  @Test
  void aConnectionThatNeverLogsInIsClosedAfterTheLoginTimeout() throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.toBuilder().loginTimeout(Duration.ofMillis(500)).build());
        RawConnection c = new RawConnection(server.port()).hello()) {
      assertThat(c.readLine()).contains("\"code\":\"login_timeout\"");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void aLoggedInConnectionIsNotHitByTheLoginTimeout() throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.toBuilder().loginTimeout(Duration.ofMillis(300)).build());
        RawConnection c = new RawConnection(server.port()).hello().guest("ana")) {
      await().pollDelay(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3)).until(() -> true);
      c.send("{\"type\":\"ping\",\"id\":\"still\"}");
      assertThat(c.readUntil("pong")).contains("still");
    }
  }

  @Test
  void aSilentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.toBuilder().idleTimeout(Duration.ofMillis(500)).build());
        RawConnection c = new RawConnection(server.port()).hello().guest("ana")) {
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void connectionsPerIpAreLimited() throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.toBuilder().maxConnectionsPerIp(3).build())) {
      List<RawConnection> open = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        open.add(new RawConnection(server.port()).hello());
      }
      try (RawConnection fourth = new RawConnection(server.port())) {
        assertThat(fourth.readLine()).contains("\"code\":\"too_many_connections\"");
        assertThat(fourth.closedByServer()).isTrue();
      }
      open.get(0).close();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        try (RawConnection again = new RawConnection(server.port())) {
          again.hello();
        }
      });
      for (RawConnection c : open) {
        c.close();
      }
    }
  }

  @Test
  void floodControlDropsSendsBeyondTheBurst() throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.toBuilder().messagesPerSecond(1).messageBurst(5).build());
        RawConnection c = new RawConnection(server.port()).hello().guest("ana")) {
      for (int i = 0; i < 8; i++) {
        c.send("{\"type\":\"send\",\"id\":\"s" + i + "\",\"to\":\"#lobby\",\"text\":\"m" + i + "\"}");
      }
      int stored = 0;
      int limited = 0;
      for (int i = 0; i < 8 + 5; i++) { // 8 replies plus 5 echoed messages
        String line = c.readLine();
        if (line.contains("\"stored\"")) {
          stored++;
        } else if (line.contains("\"rate_limited\"")) {
          limited++;
        }
      }
      assertThat(stored).isEqualTo(5);
      assertThat(limited).isEqualTo(3);
    }
  }

  @Test
  void loginAttemptsPerAddressAreThrottled() throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.toBuilder().loginAttemptsPerMinute(3).build());
        RawConnection c = new RawConnection(server.port()).hello()) {
      for (int i = 0; i < 3; i++) {
        c.send("{\"type\":\"login\",\"id\":\"l" + i + "\",\"name\":\"ghost\",\"password\":\"wrong-password\"}");
        assertThat(c.readLine()).contains("\"auth_failed\"");
      }
      c.send("{\"type\":\"guest\",\"id\":\"g\",\"name\":\"ana\"}");
      assertThat(c.readLine()).contains("\"code\":\"throttled\"");
    }
  }

  @Test
  void registrationsPerAddressAreThrottled() throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.toBuilder().registrationsPerHour(2).build())) {
      for (String name : List.of("ana", "bob")) {
        try (RawConnection c = new RawConnection(server.port()).hello()) {
          c.send("{\"type\":\"register\",\"id\":\"r\",\"name\":\"" + name + "\",\"password\":\"long enough\"}");
          assertThat(c.readLine()).contains("\"logged_in\"");
        }
      }
      try (RawConnection c = new RawConnection(server.port()).hello()) {
        c.send("{\"type\":\"register\",\"id\":\"r\",\"name\":\"cid\",\"password\":\"long enough\"}");
        assertThat(c.readLine()).contains("\"code\":\"throttled\"");
      }
    }
  }

  @Test
  void failedLoginsPerAccountAreThrottledWhateverTheAddress() throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.toBuilder().failedLoginsPerAccountPerMinute(2).build());
        RawConnection c = new RawConnection(server.port()).hello()) {
      c.send("{\"type\":\"register\",\"id\":\"r\",\"name\":\"ana\",\"password\":\"long enough\"}");
      c.readUntil("logged_in");
      try (RawConnection attacker = new RawConnection(server.port()).hello()) {
        for (int i = 0; i < 2; i++) {
          attacker.send("{\"type\":\"login\",\"id\":\"l\",\"name\":\"ana\",\"password\":\"guess" + i + "xxx\"}");
          assertThat(attacker.readLine()).contains("\"auth_failed\"");
        }
        attacker.send("{\"type\":\"login\",\"id\":\"l\",\"name\":\"ana\",\"password\":\"long enough\"}");
        assertThat(attacker.readLine()).contains("\"code\":\"throttled\"");
      }
    }
  }

  @Test
  void successfulLoginsDoNotSpendTheAccountsFailureAllowance() throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.toBuilder().failedLoginsPerAccountPerMinute(2).build())) {
      try (RawConnection c = new RawConnection(server.port()).hello()) {
        c.send("{\"type\":\"register\",\"id\":\"r\",\"name\":\"ana\",\"password\":\"long enough\"}");
        c.readUntil("logged_in");
      }
      for (int i = 0; i < 4; i++) {
        try (RawConnection c = new RawConnection(server.port()).hello()) {
          c.send("{\"type\":\"login\",\"id\":\"l\",\"name\":\"ana\",\"password\":\"long enough\"}");
          assertThat(c.readLine()).as("login " + i).contains("\"logged_in\"");
        }
      }
    }
  }

  @Test
  void aReaderThatDoesNotKeepUpIsDisconnectedAndOthersAreUnaffected() throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.unlimited().toBuilder().maxOutboundBytes(256 << 10).build())) {
      RawConnection stuck = new RawConnection(server.port(), 4096).hello().guest("stuck"); // never reads again
      var fastEvents = new RecordingListener();
      CharlaClient fast = server.client(fastEvents);
      fast.guest("fast").join();
      CharlaClient sender = server.client(new RecordingListener());
      sender.guest("sender").join();
      String big = "x".repeat(3_900);
      int sent = 0;
      for (; sent < 2_000; sent++) {
        sender.send("#lobby", big + sent).join();
        if (sent % 50 == 0 && sender.who().join().stream().noneMatch(s -> "stuck".equals(s.name()))) {
          break;
        }
      }
      assertThat(sent).as("stuck reader was disconnected before 2000 x 4 KB messages").isLessThan(2_000);
      final int total = sent + 1;
      await().atMost(Duration.ofSeconds(10)).until(() -> fastEvents.messages.size() >= total);
      assertThat(stuck.closedByServer()).isTrue();
      stuck.close();
    }
  }
}
