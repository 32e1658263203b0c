package dev.charla.desktop.ui;

import dev.charla.client.DirectMode;
import dev.charla.desktop.ChatSession;
import dev.charla.desktop.I18n;
import dev.charla.desktop.model.Conversation;
import dev.charla.desktop.model.Entry;
import dev.charla.desktop.model.MessageState;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.event.AdjustmentEvent;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollBar;
import javax.swing.JScrollPane;
import javax.swing.JTextField;
import javax.swing.JTextPane;
import javax.swing.SwingUtilities;
import javax.swing.text.BadLocationException;
import javax.swing.text.DefaultStyledDocument;
import javax.swing.text.SimpleAttributeSet;
import javax.swing.text.StyleConstants;
import javax.swing.text.StyledDocument;

/**
 * One conversation's tab: the topic (for a direct conversation, whether it is direct or relayed), the lines, and
 * the box to write in. Scrolling to the top loads older messages. It re-reads its {@link Conversation} whenever the
 * model says its entries or mode changed.
 */
final class ConversationPanel extends JPanel {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm");
  private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
  private static final Color GREY = new Color(0x8a8a8a);
  private static final Color OWN = new Color(0x3d8fd9);
  private static final Color OTHER = new Color(0xd9773d);
  private static final Color FAILED = new Color(0xd03b3b);
  private static final Color DIRECT = new Color(0x2e9d57);
  private static final Color RELAYED = new Color(0xf2b134);

  private final ChatSession session;
  private final String conv;
  private final I18n i18n;
  private final ZoneId zone;
  private final JLabel topic = new JLabel();
  private final JLabel mode = new JLabel();
  private final JButton send = new JButton();
  private final JTextPane messages = new JTextPane();
  private final JScrollPane scroll;
  private final JTextField input = new JTextField();
  private int lastScrollValue;
  private boolean rendering;

  /** @param sendFile offers a file to the other person (asks which); null for a room */
  ConversationPanel(ChatSession session, Conversation c, I18n i18n, ZoneId zone, Runnable sendFile) {
    super(new BorderLayout());
    this.session = session;
    this.conv = c.id();
    this.i18n = i18n;
    this.zone = zone;
    setName("conv:" + conv);

    JButton close = new JButton(i18n.t("conv.close"));
    close.setName("close");
    close.addActionListener(e -> session.closeConversation(conv));
    topic.setName("topic");
    topic.setBorder(BorderFactory.createEmptyBorder(4, 8, 4, 8));
    JPanel header = new JPanel(new BorderLayout());
    header.add(topic, BorderLayout.CENTER);
    JPanel actions = new JPanel(new java.awt.FlowLayout(java.awt.FlowLayout.RIGHT, 4, 0));
    if (sendFile != null) {
      JButton file = new JButton(i18n.t("conv.send_file"));
      file.setName("sendFile");
      file.addActionListener(e -> sendFile.run());
      actions.add(file);
    }
    actions.add(close);
    header.add(actions, BorderLayout.EAST);
    if (c.isDirectLink()) {
      mode.setName("mode");
      mode.setOpaque(true);
      mode.setBorder(BorderFactory.createEmptyBorder(4, 8, 4, 8));
      header.add(mode, BorderLayout.SOUTH);
    }
    add(header, BorderLayout.NORTH);

    messages.setName("messages");
    messages.setEditable(false);
    messages.setDocument(new DefaultStyledDocument());
    scroll = new JScrollPane(messages);
    scroll.getVerticalScrollBar().setUnitIncrement(16);
    scroll.getVerticalScrollBar().addAdjustmentListener(this::scrolled);
    add(scroll, BorderLayout.CENTER);

    input.setName("input");
    input.addActionListener(e -> send());
    send.setText(i18n.t("conv.send"));
    send.setName("send");
    send.addActionListener(e -> send());
    JPanel bottom = new JPanel(new BorderLayout(6, 0));
    bottom.setBorder(BorderFactory.createEmptyBorder(6, 6, 6, 6));
    bottom.add(input, BorderLayout.CENTER);
    bottom.add(send, BorderLayout.EAST);
    add(bottom, BorderLayout.SOUTH);
    render(c);
  }

  String conv() {
    return conv;
  }

  JTextField input() {
    return input;
  }

  private void send() {
    String text = input.getText();
    if (!text.isBlank()) {
      session.send(conv, text);
      input.setText("");
    }
  }

  /** At the top of the scroll (reached by the user, not by a re-render): ask for older messages. */
  private void scrolled(AdjustmentEvent e) {
    int value = e.getValue();
    if (!rendering && value == 0 && lastScrollValue > 0) {
      session.loadOlder(conv);
    }
    lastScrollValue = value;
  }

  /** Re-reads the conversation: keeps the view at the bottom if it was there, or on the same lines if not. */
  void render(Conversation c) {
    topic.setText(c.isRoom()
        ? (c.topic() == null || c.topic().isBlank() ? i18n.t("conv.no_topic") : i18n.t("conv.topic", c.topic()))
        : c.isDirectLink() ? i18n.t("conv.direct_with", c.peer()) : c.title());
    if (c.isDirectLink() && c.mode() != null) {
      mode.setText(modeText(c.mode(), c.modeDetail(), c.peer()));
      mode.setBackground(c.mode() == DirectMode.DIRECT ? DIRECT : c.mode() == DirectMode.RELAYED ? RELAYED
          : c.mode() == DirectMode.CLOSED ? GREY : new Color(0xb8c7d9));
      mode.setForeground(c.mode() == DirectMode.DIRECT ? Color.WHITE : Color.BLACK);
      boolean open = c.mode() == DirectMode.DIRECT || c.mode() == DirectMode.RELAYED
          || c.mode() == DirectMode.CONNECTING;
      input.setEnabled(open);
      send.setEnabled(open);
    }
    JScrollBar bar = scroll.getVerticalScrollBar();
    boolean atBottom = bar.getValue() + bar.getModel().getExtent() >= bar.getMaximum() - 24;
    int fromBottom = bar.getMaximum() - bar.getValue();
    rendering = true;
    StyledDocument doc = new DefaultStyledDocument();
    try {
      if (c.loadingOlder()) {
        append(doc, i18n.t("conv.loading") + "\n", style(GREY, false, true));
      }
      for (Entry e : c.entries()) {
        line(doc, e);
      }
    } catch (BadLocationException ex) {
      throw new IllegalStateException(ex);
    }
    messages.setDocument(doc);
    SwingUtilities.invokeLater(
        () -> {
          scroll.validate(); // lay out the new lines now, so the scroll bar's range is the new one
          bar.setValue(atBottom ? bar.getMaximum() : bar.getMaximum() - fromBottom);
          lastScrollValue = bar.getValue();
          rendering = false;
          // Not enough lines to scroll: fetch older ones until the view is full or there are no more.
          if (bar.getMaximum() <= bar.getModel().getExtent() && c.hasOlder() && !c.loadingOlder()) {
            session.loadOlder(conv);
          }
        });
  }

  private void line(StyledDocument doc, Entry e) throws BadLocationException {
    append(doc, time(e.ts()) + "  ", style(GREY, false, false));
    if (e.kind() == Entry.Kind.DIRECT_MODE) {
      append(doc, "— " + modeText(DirectMode.valueOf(e.text()), e.via(), e.from()) + "\n", style(GREY, false, true));
      return;
    }
    if (!e.isMessage()) {
      String key =
          switch (e.kind()) {
            case JOINED -> "conv.join";
            case LEFT -> "conv.leave";
            case ONLINE -> "conv.online";
            case OFFLINE -> "conv.offline";
            case MESSAGE, DIRECT_MODE -> throw new IllegalStateException();
          };
      append(doc, "— " + i18n.t(key, e.from()) + "\n", style(GREY, false, true));
      return;
    }
    append(doc, e.from() + ": ", style(e.own() ? OWN : OTHER, true, false));
    append(doc, e.text(), new SimpleAttributeSet());
    StringBuilder meta = new StringBuilder("   ");
    if (e.own()) {
      meta.append(
          switch (e.state()) {
            case SENDING -> i18n.t("conv.sending");
            case STORED -> i18n.t("conv.stored");
            case FAILED -> i18n.t("conv.failed");
          });
      meta.append(' ');
    }
    if ("direct".equals(e.via()) || "relayed".equals(e.via())) {
      meta.append(i18n.t("conv." + e.via()));
    } else if (e.via() != null) {
      meta.append(i18n.t("conv.via", e.via().toUpperCase(java.util.Locale.ROOT)));
    }
    append(doc, meta + "\n", style(e.state() == MessageState.FAILED ? FAILED : GREY, false, false, 0.85f));
  }

  /** How a direct conversation travels, for its indicator and its lines. */
  private String modeText(DirectMode m, String detail, String peer) {
    String d = detail == null ? "" : detail;
    return switch (m) {
      case ASKING -> i18n.t("direct.asking", peer);
      case CONNECTING -> i18n.t("direct.connecting", peer);
      case DIRECT -> i18n.t("direct.direct", d);
      case RELAYED -> i18n.t("direct.relayed");
      case CLOSED -> i18n.t("direct.closed", d);
    };
  }

  /** The indicator's text (for tests). */
  String modeText() {
    return mode.getText();
  }

  private String time(long ts) {
    ZonedDateTime t = Instant.ofEpochMilli(ts).atZone(zone);
    return (t.toLocalDate().equals(LocalDate.now(zone)) ? TIME : DATE_TIME).format(t);
  }

  private static void append(StyledDocument doc, String s, SimpleAttributeSet a) throws BadLocationException {
    doc.insertString(doc.getLength(), s, a);
  }

  private SimpleAttributeSet style(Color color, boolean bold, boolean italic) {
    return style(color, bold, italic, 1f);
  }

  private SimpleAttributeSet style(Color color, boolean bold, boolean italic, float scale) {
    SimpleAttributeSet a = new SimpleAttributeSet();
    StyleConstants.setForeground(a, color);
    StyleConstants.setBold(a, bold);
    StyleConstants.setItalic(a, italic);
    if (scale != 1f) {
      StyleConstants.setFontSize(a, Math.round(messages.getFont().getSize() * scale));
    }
    return a;
  }

  /** The text of the lines shown (for tests). */
  String text() {
    try {
      return messages.getDocument().getText(0, messages.getDocument().getLength());
    } catch (BadLocationException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> lines(String text) {
    return List.of(text.split("\n"));
  }
}
