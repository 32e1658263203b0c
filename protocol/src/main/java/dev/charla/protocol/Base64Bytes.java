package dev.charla.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Base64;

/**
 * Standard base64 (RFC 4648, with padding) for the {@code data} field of file chunks, through
 * {@link java.util.Base64}: several times faster than Jackson's own byte[] handling, which profiles showed to
 * dominate file transfers. The wire form is the same as Jackson's. Public for the peer protocol's file chunks.
 */
public final class Base64Bytes {
  private Base64Bytes() {}

  public static final class Serializer extends StdSerializer<byte[]> {
    public Serializer() {
      super(byte[].class);
    }

    @Override
    public void serialize(byte[] value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      byte[] encoded = Base64.getEncoder().encode(value);
      gen.writeRawUTF8String(encoded, 0, encoded.length); // base64 never needs JSON escaping
    }
  }

  public static final class Deserializer extends StdDeserializer<byte[]> {
    public Deserializer() {
      super(byte[].class);
    }

    @Override
    public byte[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (byte[]) ctxt.handleUnexpectedToken(byte[].class, p);
      }
      String text = p.getText();
      try {
        return Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        throw ctxt.weirdStringException(text.length() > 20 ? text.substring(0, 20) + "…" : text, byte[].class,
            "not base64: " + e.getMessage());
      }
    }
  }
}
