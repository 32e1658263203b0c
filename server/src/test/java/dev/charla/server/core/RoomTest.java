package dev.charla.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The member array the fan-out iterates is rebuilt lazily; it must never miss a join or keep a leaver. */
class RoomTest {
  private final Room room = new Room("#a", "");
  private final OnlineUser ana = new OnlineUser("ana", "Ana", true, -1);
  private final OnlineUser beto = new OnlineUser("beto", "Beto", true, -1);

  @Test
  void membersFollowJoinsAndLeavesAfterBeingRead() {
    assertThat(room.members()).isEmpty();
    room.add(ana);
    assertThat(room.members()).containsExactly(ana);
    room.add(beto);
    assertThat(room.members()).containsExactlyInAnyOrder(ana, beto);
    room.remove(ana);
    assertThat(room.members()).containsExactly(beto);
  }

  @Test
  void theArrayIsBuiltOncePerChangeNotPerRead() {
    room.add(ana);
    OnlineUser[] first = room.members();
    assertThat(room.members()).isSameAs(first);
    room.add(ana); // already there: no change
    assertThat(room.members()).isSameAs(first);
    room.add(beto);
    assertThat(room.members()).isNotSameAs(first);
  }
}
