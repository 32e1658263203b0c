/**
 * Reliable, ordered delivery of Charla frames over UDP, as a pure state machine: no sockets, no threads, no clock.
 *
 * <p>{@link dev.charla.protocol.udp.DatagramCodec} turns datagrams into {@link dev.charla.protocol.udp.Packet}s and
 * back; {@link dev.charla.protocol.udp.ReliableConnection} is one end of a connection, driven by a transport that
 * feeds it datagrams and the time and sends what it returns; {@link dev.charla.protocol.udp.ReliableConfig} tunes
 * it. The wire format and the rules are in docs/PROTOCOL.md (section "UDP").
 *
 * <p>Thread rules: the codec is stateless and thread-safe; a connection is confined to one thread.
 */
package dev.charla.protocol.udp;
