/**
 * JMH microbenchmarks, compiled with the JMH annotation processor into the bench jar: run them with
 * {@code java -jar bench/target/charla-bench.jar jmh} or {@code java -cp bench/target/charla-bench.jar
 * org.openjdk.jmh.Main}.
 *
 * <p>{@link dev.charla.bench.jmh.FrameCodecBenchmark} measures the frame codec;
 * {@link dev.charla.bench.jmh.ReliableConnectionBenchmark} the reliable-UDP state machine (two connections, an
 * in-memory link with a fake clock, lossless and with 5% loss; one operation is one message delivered).
 */
package dev.charla.bench.jmh;
