package dev.charla.terminal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandParserTest {
  private final CommandParser parser = new CommandParser();

  private Input parse(String line) {
    return parser.parse(line);
  }

  private String invalid(String line) {
    Input input = parse(line);
    assertThat(input).isInstanceOf(Input.Invalid.class);
    return ((Input.Invalid) input).message();
  }

  @Test
  void directConversationCommands() {
    assertThat(parse("/direct @bob")).isEqualTo(new Input.DirectAsk("bob"));
    assertThat(parse("/accept-direct")).isEqualTo(new Input.DirectAccept(null));
    assertThat(parse("/accept-direct bob")).isEqualTo(new Input.DirectAccept("bob"));
    assertThat(parse("/decline-direct bob")).isEqualTo(new Input.DirectDecline("bob"));
    assertThat(parse("/dm bob hola que tal")).isEqualTo(new Input.DirectSay("bob", "hola que tal"));
    assertThat(parse("/close-direct bob")).isEqualTo(new Input.DirectClose("bob"));
    assertThat(invalid("/dm bob")).contains("/dm <user> <text>");
  }

  @Test
  void fileCommandsAndTheirFtpAliases() {
    assertThat(parse("/files")).isEqualTo(new Input.ListFiles());
    assertThat(parse(":ls")).isEqualTo(new Input.ListFiles());
    assertThat(parse("/put /tmp/my report.pdf")).isEqualTo(new Input.PutFile("/tmp/my report.pdf"));
    assertThat(parse(":get abc123")).isEqualTo(new Input.GetFile("abc123", null));
    assertThat(parse("/get abc123 out dir")).isEqualTo(new Input.GetFile("abc123", "out dir"));
    assertThat(parse("/rm abc123")).isEqualTo(new Input.RemoveFile("abc123"));
    assertThat(parse("/send @bob a.txt")).isEqualTo(new Input.OfferFile("bob", "a.txt"));
    assertThat(parse("/accept abc123")).isEqualTo(new Input.AcceptOffer("abc123", null));
    assertThat(parse("/decline abc123")).isEqualTo(new Input.DeclineOffer("abc123"));
    assertThat(parse(":exit")).isEqualTo(new Input.Quit());
    assertThat(invalid("/put")).contains("/put <path>");
  }

  @Test
  void plainTextIsSaidAsTyped() {
    assertThat(parse("hola  que tal ")).isEqualTo(new Input.Say("hola  que tal "));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\t"})
  void blankLinesDoNothing(String line) {
    assertThat(parse(line)).isEqualTo(new Input.Blank());
  }

  @Test
  void doubleSlashSendsTextStartingWithSlash() {
    assertThat(parse("//join is a command")).isEqualTo(new Input.Say("/join is a command"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/help", ":h", "/?", "/HELP"})
  void helpAndItsAliases(String line) {
    assertThat(parse(line)).isEqualTo(new Input.Help());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/quit", ":q", "/exit", "  /quit  "})
  void quitAndItsAliases(String line) {
    assertThat(parse(line)).isEqualTo(new Input.Quit());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/users", "/who"})
  void usersAndWho(String line) {
    assertThat(parse(line)).isEqualTo(new Input.Users());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/whoami", ":i"})
  void whoamiAndIdentityAlias(String line) {
    assertThat(parse(line)).isEqualTo(new Input.WhoAmI());
  }

  @Test
  void logoutAndRooms() {
    assertThat(parse("/logout")).isEqualTo(new Input.Logout());
    assertThat(parse("/rooms")).isEqualTo(new Input.ListRooms());
    assertThat(parse("/list")).isEqualTo(new Input.ListRooms());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/msg bob hola que tal", "/m bob hola que tal", "/msg @bob hola que tal", "/query bob hola que tal"})
  void msgWithTextSendsPrivately(String line) {
    assertThat(parse(line)).isEqualTo(new Input.PrivateMessage("bob", "hola que tal"));
  }

  @Test
  void msgKeepsInnerSpacingOfTheText() {
    assertThat(parse("/msg bob  a   b")).isEqualTo(new Input.PrivateMessage("bob", "a   b"));
  }

  @Test
  void msgWithoutTextSwitchesTheConversation() {
    assertThat(parse("/msg bob")).isEqualTo(new Input.SwitchTarget("@bob"));
  }

  @ParameterizedTest
  @CsvSource({
    "'/join #dev', #dev",
    "'/join dev', #dev",
    "'/j Dev', #dev",
    "':add #Amigos', #amigos",
    "':add amigos', #amigos",
  })
  void joinAndAddNormalizeTheRoom(String line, String room) {
    assertThat(parse(line)).isEqualTo(new Input.Join(room));
  }

  @Test
  void leaveTakesAnOptionalRoom() {
    assertThat(parse("/leave")).isEqualTo(new Input.Leave(null));
    assertThat(parse("/leave dev")).isEqualTo(new Input.Leave("#dev"));
    assertThat(parse("/part #DEV")).isEqualTo(new Input.Leave("#dev"));
  }

  @Test
  void topicWithAndWithoutRoom() {
    assertThat(parse("/topic #dev release on friday")).isEqualTo(new Input.Topic("#dev", "release on friday"));
    assertThat(parse("/topic release on friday")).isEqualTo(new Input.Topic(null, "release on friday"));
    assertThat(parse("/topic #dev")).isEqualTo(new Input.Topic("#dev", null));
  }

  @Test
  void historyTakesAnOptionalConversationAndCount() {
    assertThat(parse("/history")).isEqualTo(new Input.History(null, Commands.DEFAULT_HISTORY));
    assertThat(parse("/history 50")).isEqualTo(new Input.History(null, 50));
    assertThat(parse("/history #dev")).isEqualTo(new Input.History("#dev", Commands.DEFAULT_HISTORY));
    assertThat(parse("/history dev 5")).isEqualTo(new Input.History("#dev", 5));
    assertThat(parse("/h @bob 5")).isEqualTo(new Input.History("@bob", 5));
  }

  @Test
  void historyRejectsBadCountsAndOrder() {
    assertThat(invalid("/history 0")).contains("bad count '0'");
    assertThat(invalid("/history 201")).contains("bad count '201'");
    assertThat(invalid("/history 5 #dev")).contains("expected [#room|@user] [n]");
  }

  @Test
  void privateShortcutSendsTheRestWithItsDashes() {
    assertThat(parse(":p-bob-hola que tal")).isEqualTo(new Input.PrivateMessage("bob", "hola que tal"));
    assertThat(parse(":p-bob-a-b - c")).isEqualTo(new Input.PrivateMessage("bob", "a-b - c"));
    assertThat(parse(":P-bob--x")).isEqualTo(new Input.PrivateMessage("bob", "-x"));
  }

  @Test
  void privateShortcutWithoutMessageSwitchesTheConversation() {
    assertThat(parse(":p-bob")).isEqualTo(new Input.SwitchTarget("@bob"));
  }

  @Test
  void privateShortcutRejectsEmptyMessagesAndBadNames() {
    assertThat(invalid(":p-bob-")).contains("empty message");
    assertThat(invalid(":p-bob-   ")).contains("empty message");
    assertThat(invalid(":p--hola")).contains("bad user name ''");
    assertThat(invalid(":p-b!b-hola")).contains("bad user name 'b!b'");
  }

  @ParameterizedTest
  @CsvSource({
    "/msg, /msg <user> [text]",
    "/join, /join <#room>",
    ":add, /join <#room>",
    "/topic, /topic [#room] [text]",
    "'/join a b', /join <#room>",
    "'/quit now', /quit",
    "'/users x', /users",
    "'/history #a 1 2', /history",
  })
  void wrongNumberOfArgumentsShowsTheUsage(String line, String usage) {
    assertThat(invalid(line)).startsWith("usage: " + usage);
  }

  @Test
  void badNamesSayWhatIsWrong() {
    assertThat(invalid("/join #no spaces")).startsWith("usage: /join");
    assertThat(invalid("/join #b@d")).startsWith("bad room name '#b@d'").contains("usage: /join <#room>");
    assertThat(invalid("/msg 1bob hi")).startsWith("bad user name '1bob'");
    assertThat(invalid("/join #" + "x".repeat(33))).startsWith("bad room name");
  }

  @Test
  void viaChoosesTheTransport() {
    assertThat(parse("/via udp")).isEqualTo(new Input.Via(dev.charla.client.Transport.UDP));
    assertThat(parse("/via TCP")).isEqualTo(new Input.Via(dev.charla.client.Transport.TCP));
    assertThat(parse("/via")).isEqualTo(new Input.Via(null));
    assertThat(invalid("/via carrier-pigeon")).startsWith("expected tcp or udp");
  }

  @Test
  void unknownSlashCommandIsRejectedWithAHint() {
    assertThat(invalid("/frobnicate now")).isEqualTo("unknown command /frobnicate (/help lists the commands; //text sends /text)");
  }

  @ParameterizedTest
  @ValueSource(strings = {":)", ":-(", ":quit", ": hola"})
  void unknownColonWordsAreJustText(String line) {
    assertThat(parse(line)).isEqualTo(new Input.Say(line));
  }

  @Test
  void everyCommandInTheTableParsesWithItsMinimumArguments() {
    for (CommandSpec spec : parser.commands()) {
      for (String spelling : spec.spellings()) {
        String line = spelling + " abc".repeat(spec.minArgs());
        assertThat(parse(line)).as(line).isNotInstanceOf(Input.Invalid.class).isNotInstanceOf(Input.Say.class);
      }
    }
  }

  @Test
  void aSpellingUsedTwiceIsATableError() {
    CommandSpec a = new CommandSpec("/a", List.of("/x"), "/a", "a", 0, 0, args -> new Input.Help());
    CommandSpec b = new CommandSpec("/b", List.of("/x"), "/b", "b", 0, 0, args -> new Input.Help());
    assertThatThrownBy(() -> new CommandParser(List.of(a, b)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'/x' names both /a and /b");
  }
}
