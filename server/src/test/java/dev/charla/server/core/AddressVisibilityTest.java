package dev.charla.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.security.PasswordHasher;
import dev.charla.server.store.sqlite.SqliteChatStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddressVisibilityTest {
  @TempDir Path dir;

  @Test
  void withSelfVisibilityOthersAddressesAreHiddenButOwnAreShown() {
    FakeTicker ticker = new FakeTicker();
    try (SqliteChatStore store = SqliteChatStore.open(dir.resolve("v.db"));
        ChatCore core = new ChatCore(
            ChatConfig.defaults().toBuilder().addressVisibility(ChatConfig.AddressVisibility.SELF).build(), store,
            new PasswordHasher(PasswordHasher.Params.OWASP, new SecureRandom()), ticker)) {
      RecordingLink a = new RecordingLink(1111);
      RecordingLink b = new RecordingLink(2222);
      Session sa = core.open(a);
      Session sb = core.open(b);
      core.onFrame(sa, new ClientFrame.Hello(null, 1, "x"));
      core.onFrame(sb, new ClientFrame.Hello(null, 1, "x"));
      core.onFrame(sa, new ClientFrame.Guest("g", "ana"));
      core.onFrame(sb, new ClientFrame.Guest("g", "bob"));
      await().atMost(Duration.ofSeconds(5)).until(() -> sa.isLoggedIn() && sb.isLoggedIn());
      core.onFrame(sa, new ClientFrame.Who("w"));
      var sessions = a.of(ServerFrame.Users.class).get(0).sessions();
      assertThat(sessions).filteredOn(s -> s.name().equals("ana")).singleElement()
          .satisfies(s -> assertThat(s.port()).isEqualTo(1111));
      assertThat(sessions).filteredOn(s -> s.name().equals("bob")).singleElement()
          .satisfies(s -> {
            assertThat(s.ip()).isNull();
            assertThat(s.port()).isNull();
            assertThat(s.transport()).isEqualTo("tcp");
          });
    }
  }
}
