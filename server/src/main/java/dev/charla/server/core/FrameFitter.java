package dev.charla.server.core;

import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.Limits;
import dev.charla.protocol.ServerFrame;
import java.util.List;

/**
 * Keeps every frame the server sends within {@link Limits#MAX_FRAME_BYTES}, which clients rely on (a TCP client's
 * line limit; a UDP message's maximum). Only replies that carry lists can grow past it (200 messages of history
 * at 4000 characters each, thousands of sessions in {@code users}); those lists are halved until the frame fits,
 * and the reply says so ({@code more} for history, {@code truncated} for lists).
 */
public final class FrameFitter {
  private FrameFitter() {}

  /**
   * Encodes {@code frame}, cutting its lists if needed. For history, {@code keepOldest} keeps the messages nearest
   * to the page's start when catching up ({@code after}); otherwise the newest are kept.
   */
  public static byte[] encode(FrameCodec codec, ServerFrame frame, boolean keepOldest) {
    byte[] bytes = codec.encode(frame);
    for (int i = 0; i < 32 && bytes.length > Limits.MAX_FRAME_BYTES; i++) {
      frame = shrink(frame, keepOldest);
      bytes = codec.encode(frame);
    }
    if (bytes.length > Limits.MAX_FRAME_BYTES) {
      throw new IllegalStateException("cannot fit " + frame.getClass().getSimpleName() + " in a frame");
    }
    return bytes;
  }

  private static ServerFrame shrink(ServerFrame frame, boolean keepOldest) {
    return switch (frame) {
      case ServerFrame.HistoryPage h ->
          new ServerFrame.HistoryPage(h.re(), h.conv(), half(h.messages(), keepOldest), true);
      case ServerFrame.Joined j -> j.recent().size() > 1
          ? new ServerFrame.Joined(j.re(), j.room(), j.members(), half(j.recent(), false))
          : new ServerFrame.Joined(j.re(), j.room(), half(j.members(), true), j.recent());
      case ServerFrame.Users u -> new ServerFrame.Users(u.re(), half(u.sessions(), true), true);
      case ServerFrame.RoomList r -> new ServerFrame.RoomList(r.re(), half(r.rooms(), true), true);
      case ServerFrame.FileList f -> new ServerFrame.FileList(f.re(), half(f.files(), true), f.usedBytes(),
          f.quotaBytes(), f.maxFileBytes(), true);
      default -> frame; // no lists: such frames are small by construction
    };
  }

  private static <T> List<T> half(List<T> list, boolean keepHead) {
    int keep = list.size() / 2;
    return keepHead ? list.subList(0, keep) : list.subList(list.size() - keep, list.size());
  }
}
