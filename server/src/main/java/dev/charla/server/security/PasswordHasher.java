package dev.charla.server.security;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Hashes and verifies passwords with Argon2id, encoded as PHC strings:
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} (standard base64 without padding).
 *
 * <p>{@link #verify} takes the parameters from the encoded string, not from this hasher, so raising the
 * parameters later keeps old hashes valid; {@link #needsRehash} tells when to re-hash at the next login.
 *
 * <p>Hashing is deliberately slow (tens to hundreds of milliseconds and {@code memoryKiB} of memory per call):
 * call it on a worker thread, never on an event loop. Thread-safe. Nothing here logs passwords or hashes.
 */
public final class PasswordHasher {
  private static final String ALGORITHM = "argon2id";
  private static final int VERSION = Argon2Parameters.ARGON2_VERSION_13; // 0x13 = 19

  // Bounds for parameters read from an encoded string, so a corrupt or hostile row cannot make verify()
  // allocate gigabytes or spin for minutes.
  private static final int MAX_MEMORY_KIB = 1 << 21; // 2 GiB
  private static final int MAX_ITERATIONS = 64;
  private static final int MAX_PARALLELISM = 64;
  private static final int MIN_BYTES = 8;
  private static final int MAX_BYTES = 128;

  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

  /**
   * Argon2id cost parameters.
   *
   * @param memoryKiB memory per hash, in KiB
   * @param iterations passes over the memory
   * @param parallelism lanes
   * @param saltBytes length of the random salt
   * @param hashBytes length of the derived hash
   */
  public record Params(int memoryKiB, int iterations, int parallelism, int saltBytes, int hashBytes) {
    /** OWASP's minimum recommendation for Argon2id (Password Storage Cheat Sheet): 19 MiB, t=2, p=1. */
    public static final Params OWASP = new Params(19_456, 2, 1, 16, 32);

    public Params {
      if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
        throw new IllegalArgumentException(
            "parallelism must be 1.." + MAX_PARALLELISM + ", was " + parallelism);
      }
      if (memoryKiB < 8 * parallelism || memoryKiB > MAX_MEMORY_KIB) {
        throw new IllegalArgumentException(
            "memoryKiB must be " + 8 * parallelism + ".." + MAX_MEMORY_KIB + ", was " + memoryKiB);
      }
      if (iterations < 1 || iterations > MAX_ITERATIONS) {
        throw new IllegalArgumentException("iterations must be 1.." + MAX_ITERATIONS + ", was " + iterations);
      }
      if (saltBytes < MIN_BYTES || saltBytes > MAX_BYTES) {
        throw new IllegalArgumentException(
            "saltBytes must be " + MIN_BYTES + ".." + MAX_BYTES + ", was " + saltBytes);
      }
      if (hashBytes < MIN_BYTES || hashBytes > MAX_BYTES) {
        throw new IllegalArgumentException(
            "hashBytes must be " + MIN_BYTES + ".." + MAX_BYTES + ", was " + hashBytes);
      }
    }
  }

  private final Params params;
  private final SecureRandom random;

  /** A hasher with {@link Params#OWASP} and a fresh {@link SecureRandom}. */
  public PasswordHasher() {
    this(Params.OWASP, new SecureRandom());
  }

  public PasswordHasher(Params params, SecureRandom random) {
    this.params = params;
    this.random = random;
  }

  public Params params() {
    return params;
  }

  /** The PHC string for {@code password} with a fresh random salt. */
  public String hash(char[] password) {
    byte[] salt = new byte[params.saltBytes()];
    random.nextBytes(salt);
    byte[] hash = derive(password, salt, params.memoryKiB(), params.iterations(), params.parallelism(),
        params.hashBytes());
    return "$" + ALGORITHM + "$v=" + VERSION
        + "$m=" + params.memoryKiB() + ",t=" + params.iterations() + ",p=" + params.parallelism()
        + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
  }

  public String hash(String password) {
    return hash(password.toCharArray());
  }

  /**
   * Whether {@code password} matches {@code encoded}, comparing in constant time. A malformed or unsupported
   * encoded string (wrong algorithm or version, bad base64, out-of-range parameters) yields false.
   */
  public boolean verify(char[] password, String encoded) {
    Phc phc = Phc.parse(encoded);
    if (phc == null) {
      return false;
    }
    byte[] actual = derive(password, phc.salt, phc.memoryKiB, phc.iterations, phc.parallelism,
        phc.hash.length);
    return MessageDigest.isEqual(actual, phc.hash);
  }

  public boolean verify(String password, String encoded) {
    return verify(password.toCharArray(), encoded);
  }

  /**
   * Whether {@code encoded} was made with other parameters than this hasher's (or cannot be parsed), so the
   * password should be hashed again after a successful login.
   */
  public boolean needsRehash(String encoded) {
    Phc phc = Phc.parse(encoded);
    return phc == null
        || phc.memoryKiB != params.memoryKiB()
        || phc.iterations != params.iterations()
        || phc.parallelism != params.parallelism()
        || phc.salt.length != params.saltBytes()
        || phc.hash.length != params.hashBytes();
  }

  private static byte[] derive(
      char[] password, byte[] salt, int memoryKiB, int iterations, int parallelism, int hashBytes) {
    Argon2Parameters parameters =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(VERSION)
            .withMemoryAsKB(memoryKiB)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] passwordBytes = utf8(password);
    byte[] out = new byte[hashBytes];
    try {
      generator.generateBytes(passwordBytes, out);
    } finally {
      Arrays.fill(passwordBytes, (byte) 0);
    }
    return out;
  }

  /** UTF-8 bytes of {@code chars} without an intermediate String, so the caller can wipe both copies. */
  private static byte[] utf8(char[] chars) {
    ByteBuffer buffer = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    if (buffer.hasArray()) {
      Arrays.fill(buffer.array(), (byte) 0);
    }
    return bytes;
  }

  /** The parts of a parsed PHC string. */
  private record Phc(int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] hash) {
    /** The parsed string, or null if it is not an Argon2id v19 PHC string with sane parameters. */
    static Phc parse(String encoded) {
      if (encoded == null) {
        return null;
      }
      // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
      String[] parts = encoded.split("\\$", -1);
      if (parts.length != 6 || !parts[0].isEmpty() || !parts[1].equals(ALGORITHM)
          || !parts[2].equals("v=" + VERSION)) {
        return null;
      }
      String[] costs = parts[3].split(",", -1);
      if (costs.length != 3) {
        return null;
      }
      int memory = parameter(costs[0], "m=");
      int iterations = parameter(costs[1], "t=");
      int parallelism = parameter(costs[2], "p=");
      if (parallelism < 1 || parallelism > MAX_PARALLELISM
          || memory < 8 * parallelism || memory > MAX_MEMORY_KIB
          || iterations < 1 || iterations > MAX_ITERATIONS) {
        return null;
      }
      byte[] salt = base64(parts[4]);
      byte[] hash = base64(parts[5]);
      if (salt == null || hash == null
          || salt.length < MIN_BYTES || salt.length > MAX_BYTES
          || hash.length < MIN_BYTES || hash.length > MAX_BYTES) {
        return null;
      }
      return new Phc(memory, iterations, parallelism, salt, hash);
    }

    /** The decimal after {@code prefix}, or -1 if it is not exactly that. */
    private static int parameter(String part, String prefix) {
      if (!part.startsWith(prefix)) {
        return -1;
      }
      String digits = part.substring(prefix.length());
      if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return -1;
      }
      return Integer.parseInt(digits);
    }

    /** Unpadded standard base64 as PHC writes it, or null. */
    private static byte[] base64(String text) {
      if (text.isEmpty() || text.indexOf('=') >= 0) {
        return null;
      }
      try {
        return B64_DECODER.decode(text);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }
}
