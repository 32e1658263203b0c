package dev.charla.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charla.protocol.ServerFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

class OldestSeenTest {
  private static ServerFrame.Msg msg(String conv, long seq, String from, String to) {
    return new ServerFrame.Msg(seq, conv, seq, from, to, 0, "x", "tcp", null, null);
  }

  @Test
  void keepsTheLowestSeqPerConversationWhateverTheOrder() {
    OldestSeen seen = new OldestSeen();
    seen.recordAll(List.of(msg("#dev", 40, "ana", "#dev"), msg("#dev", 21, "ana", "#dev")), "bob");
    seen.record(msg("#dev", 60, "ana", "#dev"), "bob");
    assertThat(seen.oldest("#dev")).isEqualTo(21);
    assertThat(seen.oldest("#lobby")).isNull();
  }

  @Test
  void privateMessagesCountForTheOtherPersonWhoeverSent() {
    OldestSeen seen = new OldestSeen();
    seen.record(msg("@ana,bob", 5, "Ana", "bob"), "bob");
    seen.record(msg("@ana,bob", 3, "bob", "ana"), "bob");
    assertThat(seen.oldest("@ana")).isEqualTo(3);
  }
}
