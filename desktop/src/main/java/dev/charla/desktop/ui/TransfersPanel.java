package dev.charla.desktop.ui;

import dev.charla.desktop.I18n;
import dev.charla.desktop.model.ChatModel;
import dev.charla.desktop.model.Transfer;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.GridLayout;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import javax.swing.BorderFactory;
import javax.swing.BoxLayout;
import javax.swing.JButton;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JProgressBar;

/**
 * File transfers, one row each: what moves, a progress bar, bytes, rate and time left while it runs, then where it
 * was saved and that it was verified, or why it failed. Hidden while there is nothing to show. A view of
 * {@link ChatModel#transfers()}, limited to the kinds {@code shown} accepts.
 */
final class TransfersPanel extends JPanel {
  private static final Color FAILED = new Color(0xd03b3b);

  private final ChatModel model;
  private final I18n i18n;
  private final Predicate<Transfer> shown;
  private final JPanel rows = new JPanel();
  private final Map<Long, Row> byId = new LinkedHashMap<>();
  private final ChatModel.Listener listener;

  TransfersPanel(ChatModel model, I18n i18n, Predicate<Transfer> shown, String name) {
    super(new BorderLayout());
    this.model = model;
    this.i18n = i18n;
    this.shown = shown;
    setName(name);
    setBorder(BorderFactory.createCompoundBorder(
        BorderFactory.createMatteBorder(1, 0, 0, 0, Color.GRAY), BorderFactory.createEmptyBorder(4, 8, 4, 8)));
    rows.setLayout(new BoxLayout(rows, BoxLayout.Y_AXIS));
    JButton clear = new JButton(i18n.t("transfers.clear"));
    clear.setName("clearTransfers");
    clear.addActionListener(e -> model.clearFinishedTransfers());
    JPanel head = new JPanel(new BorderLayout());
    JLabel title = new JLabel(i18n.t("transfers.title"));
    title.setFont(title.getFont().deriveFont(java.awt.Font.BOLD));
    head.add(title, BorderLayout.WEST);
    head.add(clear, BorderLayout.EAST);
    add(head, BorderLayout.NORTH);
    add(rows, BorderLayout.CENTER);
    listener = (change, conv) -> {
      if (change == ChatModel.Change.TRANSFERS) {
        update();
      }
    };
    model.addListener(listener);
    update();
  }

  void detach() {
    model.removeListener(listener);
  }

  private void update() {
    List<Transfer> list = model.transfers().stream().filter(shown).toList();
    Set<Long> present = new HashSet<>();
    boolean structure = false;
    for (Transfer t : list) {
      present.add(t.id());
      Row r = byId.get(t.id());
      if (r == null) {
        r = new Row(t.id());
        byId.put(t.id(), r);
        rows.add(r);
        structure = true;
      }
      r.show(t);
    }
    for (var it = byId.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!present.contains(e.getKey())) {
        rows.remove(e.getValue());
        it.remove();
        structure = true;
      }
    }
    setVisible(!list.isEmpty());
    if (structure) {
      revalidate();
      repaint();
    }
  }

  /** The line describing a transfer, in the UI's language. */
  String describe(Transfer t) {
    String what = i18n.t("transfer." + t.kind().name().toLowerCase(java.util.Locale.ROOT), t.name(),
        t.peer() == null ? "" : t.peer());
    return switch (t.state()) {
      case RUNNING -> i18n.t("transfer.running", what, Sizes.bytes(t.done(), i18n.locale()),
          Sizes.bytes(t.total(), i18n.locale()), Sizes.bytes((long) t.bytesPerSecond(), i18n.locale()),
          Sizes.duration(t.etaMillis()));
      case DONE -> t.detail() != null
          ? i18n.t("transfer.saved", what, t.detail())
          : i18n.t("transfer.done", what);
      case FAILED -> i18n.t("transfer.failed", what, t.detail());
    };
  }

  /** One transfer: its line and its bar. */
  private final class Row extends JPanel {
    private final JLabel text = new JLabel();
    private final JProgressBar bar = new JProgressBar(0, 1000);
    private final Color normal = text.getForeground();

    Row(long id) {
      super(new GridLayout(2, 1, 0, 2));
      setName("transfer:" + id);
      text.setName("transferText");
      bar.setName("transferBar");
      bar.setStringPainted(true);
      add(text);
      add(bar);
      setBorder(BorderFactory.createEmptyBorder(2, 0, 4, 0));
      setAlignmentX(LEFT_ALIGNMENT);
    }

    void show(Transfer t) {
      text.setText(describe(t));
      text.setForeground(t.state() == Transfer.State.FAILED ? FAILED : normal);
      bar.setValue((int) Math.round(t.fraction() * 1000));
      bar.setString(Math.round(t.fraction() * 100) + " %");
    }
  }
}
