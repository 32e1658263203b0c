package dev.charla.desktop.ui;

import dev.charla.desktop.ChatSession;
import dev.charla.desktop.FilePicker;
import dev.charla.desktop.I18n;
import dev.charla.desktop.model.ChatModel;
import dev.charla.desktop.model.Transfer;
import dev.charla.protocol.ServerFrame.FileInfo;
import dev.charla.protocol.ServerFrame.FileList;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.FlowLayout;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTable;
import javax.swing.ListSelectionModel;
import javax.swing.WindowConstants;
import javax.swing.table.AbstractTableModel;

/**
 * The server's shared file area: every file with its size, owner and date; upload, download (into the downloads
 * folder) and delete, with the transfers' progress below and what happened (or the server's refusal, such as a
 * guest's upload) on the status line. A view of {@link ChatModel#files()}; every action goes to
 * {@link ChatSession}.
 */
final class FilesFrame extends JFrame {
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
  private static final Color PROBLEM = new Color(0xd03b3b);

  private final ChatSession session;
  private final ChatModel model;
  private final I18n i18n;
  private final ZoneId zone;
  private final Table table = new Table();
  private final JTable view;
  private final JLabel quota = new JLabel(" ");
  private final JLabel status = new JLabel(" ");
  private final Color normal = status.getForeground();
  private final TransfersPanel transfers;
  private final ChatModel.Listener listener;

  FilesFrame(ChatSession session, I18n i18n, FilePicker picker, ZoneId zone) {
    this.session = session;
    this.model = session.model();
    this.i18n = i18n;
    this.zone = zone;
    setName("files");
    setTitle(i18n.t("files.title"));
    setDefaultCloseOperation(WindowConstants.HIDE_ON_CLOSE);

    view = new JTable(table); // after i18n is set: the table asks for its column names at once
    view.setName("fileTable");
    view.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
    view.setAutoCreateRowSorter(false);
    view.getColumnModel().getColumn(0).setPreferredWidth(260);

    JButton refresh = button("files.refresh", e -> session.refreshFiles());
    JButton upload = button("files.upload", e -> {
      Path p = picker.file(this, i18n.t("files.upload.title"));
      if (p != null) {
        session.upload(p);
      }
    });
    JButton download = button("files.download", e -> {
      FileInfo f = selected();
      if (f != null) {
        session.download(f);
      }
    });
    JButton delete = button("files.delete", e -> {
      FileInfo f = selected();
      if (f != null) {
        session.deleteFile(f);
      }
    });
    JPanel buttons = new JPanel(new FlowLayout(FlowLayout.LEFT, 6, 4));
    buttons.add(refresh);
    buttons.add(upload);
    buttons.add(download);
    buttons.add(delete);
    quota.setName("quota");
    JPanel top = new JPanel(new BorderLayout());
    top.add(buttons, BorderLayout.WEST);
    top.add(quota, BorderLayout.EAST);
    quota.setBorder(BorderFactory.createEmptyBorder(0, 8, 0, 10));

    transfers = new TransfersPanel(model, i18n,
        t -> t.kind() == Transfer.Kind.UPLOAD || t.kind() == Transfer.Kind.DOWNLOAD, "fileTransfers");
    status.setName("filesStatus");
    status.setBorder(BorderFactory.createEmptyBorder(3, 10, 3, 10));
    JPanel bottom = new JPanel(new BorderLayout());
    bottom.add(transfers, BorderLayout.CENTER);
    bottom.add(status, BorderLayout.SOUTH);

    getContentPane().add(top, BorderLayout.NORTH);
    getContentPane().add(new JScrollPane(view), BorderLayout.CENTER);
    getContentPane().add(bottom, BorderLayout.SOUTH);
    setSize(720, 460);

    listener = (change, conv) -> {
      if (change == ChatModel.Change.FILES) {
        update();
      }
    };
    model.addListener(listener);
    update();
  }

  private JButton button(String key, java.awt.event.ActionListener action) {
    JButton b = new JButton(i18n.t(key));
    b.setName(key.substring("files.".length()));
    b.addActionListener(action);
    return b;
  }

  private FileInfo selected() {
    int row = view.getSelectedRow();
    if (row < 0) {
      model.filesStatus("files.pick");
      return null;
    }
    return table.files.get(view.convertRowIndexToModel(row));
  }

  private void update() {
    FileList list = model.files();
    FileInfo before = view.getSelectedRow() < 0 ? null : table.files.get(view.getSelectedRow());
    table.files = list == null ? List.of() : list.files();
    table.fireTableDataChanged();
    if (before != null) {
      for (int i = 0; i < table.files.size(); i++) {
        if (table.files.get(i).id().equals(before.id())) {
          view.setRowSelectionInterval(i, i);
        }
      }
    }
    quota.setText(list == null ? " " : i18n.t("files.quota", Sizes.bytes(list.usedBytes(), i18n.locale()),
        Sizes.bytes(list.quotaBytes(), i18n.locale()), Sizes.bytes(list.maxFileBytes(), i18n.locale())));
    ChatModel.Status s = model.filesStatus();
    status.setText(s == null ? " " : i18n.t(s.key(), s.args().toArray()));
    status.setForeground(s != null && s.key().endsWith("failed") ? PROBLEM : normal);
  }

  void detach() {
    model.removeListener(listener);
    transfers.detach();
  }

  /** The area's files as table rows: name, size, owner, date. */
  private final class Table extends AbstractTableModel {
    List<FileInfo> files = List.of();

    @Override
    public int getRowCount() {
      return files.size();
    }

    @Override
    public int getColumnCount() {
      return 4;
    }

    @Override
    public String getColumnName(int column) {
      return i18n.t(switch (column) {
        case 0 -> "files.name";
        case 1 -> "files.size";
        case 2 -> "files.owner";
        default -> "files.date";
      });
    }

    @Override
    public Object getValueAt(int row, int column) {
      FileInfo f = files.get(row);
      return switch (column) {
        case 0 -> f.name();
        case 1 -> Sizes.bytes(f.size(), i18n.locale());
        case 2 -> f.owner();
        default -> DATE.format(Instant.ofEpochMilli(f.created()).atZone(zone));
      };
    }
  }
}
