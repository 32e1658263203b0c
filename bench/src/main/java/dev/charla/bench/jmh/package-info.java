/**
 * JMH microbenchmarks, compiled with the JMH annotation processor into the bench jar: run them with
 * {@code java -jar bench/target/charla-bench.jar jmh} or {@code java -cp bench/target/charla-bench.jar
 * org.openjdk.jmh.Main}.
 *
 * <p>{@link dev.charla.bench.jmh.FrameCodecBenchmark} measures the frame codec. The reliable-UDP state machine
 * (protocol/.../udp/, not written yet) gets its benchmark here as {@code UdpStateMachineBenchmark}: drive the
 * state machine with an injected clock and no sockets, measuring segments handled per second for in-order
 * delivery, for 1% loss with retransmission, and for acknowledgement processing with a full window.
 */
package dev.charla.bench.jmh;
