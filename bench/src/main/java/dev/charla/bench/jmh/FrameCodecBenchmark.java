package dev.charla.bench.jmh;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.ProtocolException;
import dev.charla.protocol.ServerFrame;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The frame codec on the hot path: the server encodes each {@code msg} once per message (then copies the bytes to
 * every recipient) and decodes every {@code send}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBenchmark {
  private final FrameCodec codec = new FrameCodec();
  private final ServerFrame.Msg msg = new ServerFrame.Msg(123_456L, "#lobby", 98_765L, "alice", "#lobby",
      1_763_000_000_000L, "hello everyone, this is a typical chat line of some sixty chars", "tcp", "c-42", null);
  private final byte[] send = ("{\"type\":\"send\",\"id\":\"7\",\"to\":\"#lobby\",\"text\":\"hello everyone, this is"
      + " a typical chat line of some sixty chars\",\"cmid\":\"c-42\"}").getBytes(UTF_8);

  @Benchmark
  public byte[] encodeMsg() {
    return codec.encode(msg);
  }

  @Benchmark
  public ClientFrame decodeSend() throws ProtocolException {
    return codec.decodeClient(send);
  }
}
