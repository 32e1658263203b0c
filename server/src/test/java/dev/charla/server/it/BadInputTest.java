package dev.charla.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gets an error frame with a stable code; the connection stays usable where that is safe and is closed
 * after the error where it is not; the server keeps serving everyone else.
 */
class BadInputTest {
  @TempDir Path dir;
  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** After an error the same connection still answers a ping. */
  private static void stillUsable(RawConnection c) throws Exception {
    c.send("{\"type\":\"ping\",\"id\":\"alive\"}");
    assertThat(c.readUntil("\"pong\"")).contains("\"re\":\"alive\"");
  }

  @Test
  void framesBeforeHelloAreRefusedWithHelloRequired() throws Exception {
    try (RawConnection c = new RawConnection(server.port())) {
      c.send("{\"type\":\"guest\",\"name\":\"ana\"}");
      assertThat(c.readLine()).contains("\"code\":\"hello_required\"");
      c.hello();
      stillUsable(c);
    }
  }

  @Test
  void chatFramesBeforeLoginAreRefusedWithNotLoggedIn() throws Exception {
    try (RawConnection c = new RawConnection(server.port()).hello()) {
      for (String f : List.of(
          "{\"type\":\"send\",\"id\":\"1\",\"to\":\"#lobby\",\"text\":\"x\"}",
          "{\"type\":\"join\",\"id\":\"2\",\"room\":\"#a\"}",
          "{\"type\":\"who\",\"id\":\"3\"}",
          "{\"type\":\"history\",\"id\":\"4\",\"conv\":\"#lobby\"}")) {
        c.send(f);
        assertThat(c.readLine()).contains("\"code\":\"not_logged_in\"");
      }
      stillUsable(c);
    }
  }

  @Test
  void malformedJsonIsReportedAndTheConnectionSurvives() throws Exception {
    try (RawConnection c = new RawConnection(server.port()).hello()) {
      for (String bad : List.of("{\"type\":", "hello", "[1,2]", "{\"type\":\"ping\"}}", "{'type':'ping'}")) {
        c.send(bad);
        assertThat(c.readLine()).as(bad).contains("\"code\":\"bad_json\"");
      }
      stillUsable(c);
    }
  }

  @Test
  void unknownTypesAndBadFieldsAreReported() throws Exception {
    try (RawConnection c = new RawConnection(server.port()).hello().guest("ana")) {
      c.send("{\"type\":\"fly\",\"id\":\"1\"}");
      assertThat(c.readUntil("error")).contains("\"code\":\"unknown_type\"");
      c.send("{\"id\":\"1\"}");
      assertThat(c.readUntil("error")).contains("\"code\":\"bad_frame\"");
      c.send("{\"type\":\"send\",\"id\":\"1\",\"to\":\"#lobby\"}");
      assertThat(c.readUntil("error")).contains("\"code\":\"bad_frame\"").contains("text");
      c.send("{\"type\":\"send\",\"id\":\"1\",\"to\":\"#lobby\",\"text\":42}");
      assertThat(c.readUntil("error")).contains("\"code\":\"bad_frame\"");
      c.send("{\"type\":\"history\",\"id\":\"1\",\"conv\":\"#lobby\",\"limit\":\"ten\"}");
      assertThat(c.readUntil("error")).contains("\"code\":\"bad_frame\"");
      c.send("{\"type\":\"send\",\"id\":\"1\",\"to\":\"#lobby\",\"text\":\"" + "x".repeat(4001) + "\"}");
      assertThat(c.readUntil("error")).contains("\"code\":\"bad_text\"");
      c.send("{\"type\":\"join\",\"id\":\"1\",\"room\":\"no spaces\"}");
      assertThat(c.readUntil("error")).contains("\"code\":\"bad_name\"");
      stillUsable(c);
    }
  }

  @Test
  void invalidUtf8IsReportedAndTheConnectionSurvives() throws Exception {
    try (RawConnection c = new RawConnection(server.port()).hello()) {
      byte[] prefix = "{\"type\":\"ping\",\"id\":\"".getBytes(UTF_8);
      byte[] frame = new byte[prefix.length + 4];
      System.arraycopy(prefix, 0, frame, 0, prefix.length);
      frame[prefix.length] = (byte) 0xC0; // overlong encoding: never valid
      frame[prefix.length + 1] = (byte) 0xAF;
      frame[prefix.length + 2] = '"';
      frame[prefix.length + 3] = '}';
      c.sendBytes(frame).sendBytes(new byte[] {'\n'});
      assertThat(c.readLine()).contains("\"code\":\"bad_utf8\"");
      stillUsable(c);
    }
  }

  @Test
  void anEndlessLineIsCutOffWithFrameTooLargeAndClosed() throws Exception {
    try (RawConnection c = new RawConnection(server.port()).hello()) {
      byte[] chunk = "x".repeat(8192).getBytes(UTF_8);
      try {
        for (int i = 0; i < 16; i++) { // 128 KiB without a newline, twice the limit
          c.sendBytes(chunk);
        }
      } catch (java.io.IOException reset) {
        // the server may close while we are still writing; that is the point
      }
      assertThat(c.readLine()).contains("\"code\":\"frame_too_large\"");
      assertThat(c.closedByServer()).isTrue();
    }
    // everyone else is unaffected
    try (RawConnection other = new RawConnection(server.port()).hello()) {
      stillUsable(other);
    }
  }

  @Test
  void anUnsupportedVersionIsRefusedAndClosed() throws Exception {
    try (RawConnection c = new RawConnection(server.port())) {
      c.send("{\"type\":\"hello\",\"v\":99}");
      assertThat(c.readLine()).contains("\"code\":\"unsupported_version\"");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void framesDeliveredByteByByteParseLikeWholeFrames() throws Exception {
    String script = String.join("\n",
        "{\"type\":\"hello\",\"v\":1,\"client\":\"raw\"}",
        "{\"type\":\"ping\",\"id\":\"p1\"}",
        "{\"type\":\"rooms\",\"id\":\"r1\"}",
        "{\"type\":\"bogus\",\"id\":\"b1\"}",
        "{\"type\":\"ping\",\"id\":\"p2 ñ 😀\"}",
        "") + "\n";
    List<String> whole = new ArrayList<>();
    List<String> split = new ArrayList<>();
    try (RawConnection c = new RawConnection(server.port())) {
      c.sendBytes(script.getBytes(UTF_8));
      for (int i = 0; i < 5; i++) {
        whole.add(c.readLine());
      }
    }
    try (RawConnection c = new RawConnection(server.port())) {
      c.sendByteByByte(script);
      for (int i = 0; i < 5; i++) {
        split.add(c.readLine());
      }
    }
    assertThat(split).isEqualTo(whole);
    assertThat(whole.get(4)).contains("p2 ñ 😀");
  }

  @Test
  void aDisconnectInTheMiddleOfAFrameLeavesNothingBehind() throws Exception {
    for (int i = 0; i < 10; i++) { // below the per-IP limit even if closes are still being processed
      try (RawConnection c = new RawConnection(server.port())) {
        c.sendBytes("{\"type\":\"hello\",\"v\":1}\n{\"type\":\"guest\",\"name\":\"half".getBytes(UTF_8));
      }
    }
    try (RawConnection c = new RawConnection(server.port()).hello().guest("half")) {
      c.send("{\"type\":\"who\",\"id\":\"w\"}");
      assertThat(c.readUntil("\"users\"")).contains("\"name\":\"half\"");
    }
  }
}
