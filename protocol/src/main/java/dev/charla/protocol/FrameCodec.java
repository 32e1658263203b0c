package dev.charla.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.charla.protocol.peer.PeerFrame;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Encodes frames to JSON bytes and decodes them back. Knows nothing of sockets: a TCP line or a reassembled UDP
 * message hands it one frame's bytes. Thread-safe; share one instance.
 *
 * <p>Decoding is strict where it protects the server and lenient where it helps evolution: unknown fields are
 * ignored (a newer client may send more), but a string where a number belongs, a missing required field, or
 * invalid UTF-8 is rejected with a {@link ProtocolException} carrying the stable {@link ErrorCode}.
 */
public final class FrameCodec {
  private final ObjectMapper mapper;
  // Readers resolved once per root type: ObjectMapper.readValue looks the type and its deserializer up per call.
  private final ObjectReader clientReader;
  private final ObjectReader serverReader;
  private final ObjectReader peerReader;
  /** One per thread that encodes {@code msg} and {@code stored} frames; see {@link Encoder}. */
  private final ThreadLocal<Encoder> encoders = ThreadLocal.withInitial(Encoder::new);

  public FrameCodec() {
    JsonMapper m =
        JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Emoji as 4-byte UTF-8, not as \uD83D\uDE00 escapes: smaller and readable with nc.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    // No silent coercion: "v": "1" or "text": 5 is a bad frame, not a guess.
    m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    this.mapper = m;
    this.clientReader = m.readerFor(ClientFrame.class);
    this.serverReader = m.readerFor(ServerFrame.class);
    this.peerReader = m.readerFor(PeerFrame.class);
  }

  /** Encodes a frame as compact UTF-8 JSON, without a line terminator. */
  public byte[] encode(ClientFrame frame) {
    return write(frame);
  }

  /** Encodes a frame as compact UTF-8 JSON, without a line terminator. */
  public byte[] encode(ServerFrame frame) {
    return switch (frame) {
      case ServerFrame.Msg m -> writeMsg(m);
      case ServerFrame.Stored st -> writeStored(st);
      default -> write(frame);
    };
  }

  // The two frames sent once or more per chat message (msg to every recipient, stored to the sender) are written
  // with Jackson's streaming generator rather than data binding: the same bytes (FrameCodecTest compares them),
  // without the per-call serializer lookup and type-id wrapping that made encoding a tenth of the server's CPU.

  private byte[] writeMsg(ServerFrame.Msg m) {
    Encoder encoder = encoders.get();
    try {
      JsonGenerator g = encoder.generator;
      g.writeStartObject();
      g.writeStringField("type", "msg");
      g.writeNumberField("sid", m.sid());
      stringField(g, "conv", m.conv());
      g.writeNumberField("seq", m.seq());
      stringField(g, "from", m.from());
      stringField(g, "to", m.to());
      g.writeNumberField("ts", m.ts());
      stringField(g, "text", m.text());
      stringField(g, "via", m.via());
      stringField(g, "cmid", m.cmid());
      if (m.pending() != null) {
        g.writeBooleanField("pending", m.pending());
      }
      g.writeEndObject();
      return encoder.take();
    } catch (IOException | RuntimeException e) {
      encoders.remove(); // its generator is mid-frame: the thread's next frame gets a new one
      throw e instanceof IOException io ? new UncheckedIOException("frame not encodable: Msg", io)
          : (RuntimeException) e;
    }
  }

  private byte[] writeStored(ServerFrame.Stored st) {
    Encoder encoder = encoders.get();
    try {
      JsonGenerator g = encoder.generator;
      g.writeStartObject();
      g.writeStringField("type", "stored");
      stringField(g, "re", st.re());
      g.writeNumberField("sid", st.sid());
      stringField(g, "conv", st.conv());
      g.writeNumberField("seq", st.seq());
      g.writeNumberField("ts", st.ts());
      stringField(g, "cmid", st.cmid());
      g.writeEndObject();
      return encoder.take();
    } catch (IOException | RuntimeException e) {
      encoders.remove();
      throw e instanceof IOException io ? new UncheckedIOException("frame not encodable: Stored", io)
          : (RuntimeException) e;
    }
  }

  /**
   * A streaming generator kept by one thread for the frames above, writing into a buffer it reuses: creating a
   * generator per frame (its context, its I/O context, its output builder) was a third of what the server
   * allocated per message. Frames are written one after another as root values, with no separator between them.
   */
  private final class Encoder {
    final ByteArrayBuilder out = new ByteArrayBuilder(512);
    final JsonGenerator generator;

    Encoder() {
      try {
        generator = mapper.getFactory().createGenerator(out, JsonEncoding.UTF8);
      } catch (IOException e) {
        throw new UncheckedIOException(e); // an in-memory builder does not fail
      }
      generator.setRootValueSeparator(null);
    }

    /** The frame written since the last call. */
    byte[] take() throws IOException {
      generator.flush();
      byte[] frame = out.toByteArray();
      out.reset();
      return frame;
    }
  }

  /** A string field, left out when null (the mapper's NON_NULL inclusion). */
  private static void stringField(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  /** The data-binding encoding, which the fast paths must equal; for tests. */
  byte[] encodeByDataBinding(ServerFrame frame) {
    return write(frame);
  }

  /** Encodes a frame of the direct peer protocol, like the others. */
  public byte[] encode(PeerFrame frame) {
    return write(frame);
  }

  public PeerFrame decodePeer(byte[] bytes) throws ProtocolException {
    return read(bytes, 0, bytes.length, peerReader);
  }

  public ClientFrame decodeClient(byte[] bytes, int offset, int length) throws ProtocolException {
    return read(bytes, offset, length, clientReader);
  }

  public ClientFrame decodeClient(byte[] bytes) throws ProtocolException {
    return decodeClient(bytes, 0, bytes.length);
  }

  public ServerFrame decodeServer(byte[] bytes, int offset, int length) throws ProtocolException {
    return read(bytes, offset, length, serverReader);
  }

  public ServerFrame decodeServer(byte[] bytes) throws ProtocolException {
    return decodeServer(bytes, 0, bytes.length);
  }

  private byte[] write(Object frame) {
    try {
      return mapper.writeValueAsBytes(frame);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("frame not encodable: " + frame.getClass().getSimpleName(), e);
    }
  }

  private <T> T read(byte[] bytes, int offset, int length, ObjectReader reader) throws ProtocolException {
    if (length > Limits.MAX_FRAME_BYTES) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          "frame too large: " + length + " bytes (limit: " + Limits.MAX_FRAME_BYTES + ")");
    }
    int bad = Utf8.firstInvalid(bytes, offset, length);
    if (bad >= 0) {
      throw new ProtocolException(ErrorCode.BAD_UTF8, "invalid UTF-8 at byte " + bad);
    }
    if (!startsWithBrace(bytes, offset, length)) {
      throw new ProtocolException(ErrorCode.BAD_JSON, "expected a JSON object");
    }
    try {
      T frame = reader.readValue(bytes, offset, length);
      if (frame == null) {
        throw new ProtocolException(ErrorCode.BAD_JSON, "expected a JSON object, got null");
      }
      return frame;
    } catch (InvalidTypeIdException e) {
      String id = e.getTypeId();
      if (id == null) {
        throw new ProtocolException(ErrorCode.BAD_FRAME, "missing field 'type'");
      }
      throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + clip(id) + "'");
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ProtocolException(ErrorCode.BAD_FRAME, clip(cause.getMessage()));
    } catch (MismatchedInputException e) {
      throw new ProtocolException(ErrorCode.BAD_FRAME, describe(e));
    } catch (JsonParseException e) {
      throw new ProtocolException(ErrorCode.BAD_JSON, "malformed JSON: " + clip(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new ProtocolException(ErrorCode.BAD_FRAME, clip(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ProtocolException(ErrorCode.BAD_JSON, "unreadable frame: " + clip(e.getMessage()));
    }
  }

  private static boolean startsWithBrace(byte[] b, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte c = b[i];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        continue;
      }
      return c == '{';
    }
    return false;
  }

  private static String describe(MismatchedInputException e) {
    String path =
        e.getPath().stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .reduce((a, b) -> a + "." + b)
            .orElse("");
    if (path.isEmpty()) {
      return "expected a JSON object with a 'type' field";
    }
    return "field '" + path + "' has the wrong type";
  }

  private static String clip(String s) {
    if (s == null) {
      return "";
    }
    String oneLine = s.replace('\n', ' ');
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
  }
}
