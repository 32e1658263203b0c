package dev.charla.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charla.client.ChatException;
import dev.charla.protocol.ErrorCode;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class SignInProblemTest {
  @Test
  void serverCodesMapToTheirExplanations() {
    assertThat(SignInProblem.of(new ChatException(ErrorCode.AUTH_FAILED, "x"), false))
        .isEqualTo(SignInProblem.AUTH_FAILED);
    assertThat(SignInProblem.of(new CompletionException(new ChatException(ErrorCode.NAME_TAKEN, "x")), false))
        .isEqualTo(SignInProblem.NAME_TAKEN);
    assertThat(SignInProblem.of(new ChatException(ErrorCode.SERVER_FULL, "x"), true))
        .isEqualTo(SignInProblem.SERVER_FULL);
    assertThat(SignInProblem.of(new ChatException(ErrorCode.THROTTLED, "x"), false))
        .isEqualTo(SignInProblem.THROTTLED);
  }

  @Test
  void anyOtherFailureWhileConnectingMeansUnreachable() {
    assertThat(SignInProblem.of(new ConnectException("refused"), true)).isEqualTo(SignInProblem.UNREACHABLE);
    assertThat(SignInProblem.of(new ChatException(ErrorCode.INTERNAL, "connection lost"), true))
        .isEqualTo(SignInProblem.UNREACHABLE);
    assertThat(SignInProblem.of(new ChatException(ErrorCode.INTERNAL, "boom"), false))
        .isEqualTo(SignInProblem.OTHER);
  }
}
