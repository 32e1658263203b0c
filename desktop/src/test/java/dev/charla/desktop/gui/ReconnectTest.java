package dev.charla.desktop.gui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.desktop.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server restart: the banner comes and goes, and a message written meanwhile is delivered. */
class ReconnectTest extends GuiTestBase {
  @TempDir Path dir;
  private TestServer server;

  @BeforeEach
  void server() throws InterruptedException {
    server = new TestServer(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void afterAServerRestartTheBannerGoesAwayAndNothingIsMissed() throws InterruptedException {
    DesktopDriver a = open(server, "ana").register("correct horse battery");
    DesktopDriver b = open(server, "beto").register("correct horse battery");
    assertThat(a.bannerShown()).isFalse();

    server.stop();

    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> {
      assertThat(a.bannerShown()).isTrue();
      assertThat(a.banner()).isEqualTo("Connection lost — reconnecting…");
      assertThat(b.bannerShown()).isTrue();
    });
    a.send("#lobby", "written while the server was down");
    a.awaitText("#lobby", "written while the server was down   sending…");

    server.startAgain();

    await().atMost(DesktopDriver.WAIT).until(() -> !a.bannerShown());
    a.awaitText("#lobby", "written while the server was down   ✓");
    b.awaitText("#lobby", "ana: written while the server was down");
    await().atMost(DesktopDriver.WAIT).until(() -> !b.bannerShown());
  }
}
