package dev.charla.desktop.ui;

import dev.charla.client.Transport;
import dev.charla.desktop.ChatSession;
import dev.charla.desktop.FilePicker;
import dev.charla.desktop.I18n;
import dev.charla.desktop.Themes;
import dev.charla.desktop.model.ChatModel;
import dev.charla.desktop.model.Conversation;
import dev.charla.desktop.model.Person;
import dev.charla.desktop.model.Transfer;
import dev.charla.protocol.ServerFrame.FileInfo;
import dev.charla.protocol.ServerFrame.RoomInfo;
import dev.charla.protocol.ServerFrame.SessionInfo;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Component;
import java.awt.FlowLayout;
import java.awt.Font;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.swing.BorderFactory;
import javax.swing.ButtonGroup;
import javax.swing.DefaultListCellRenderer;
import javax.swing.DefaultListModel;
import javax.swing.JButton;
import javax.swing.JComboBox;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JMenu;
import javax.swing.JMenuBar;
import javax.swing.JMenuItem;
import javax.swing.JPanel;
import javax.swing.JPopupMenu;
import javax.swing.JRadioButtonMenuItem;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTabbedPane;
import javax.swing.JTextField;
import javax.swing.ListSelectionModel;
import javax.swing.WindowConstants;

/**
 * The main window: who you are and how you are connected, rooms and people on the left, conversations in tabs
 * on the right, the lost-connection banner and the questions waiting for an answer (direct requests, file offers)
 * on top, file transfers and a status line below. A view of {@link ChatModel}; every action goes to
 * {@link ChatSession}. It opens the file area window ({@link FilesFrame}) on demand.
 */
public final class MainFrame extends JFrame {

  /** What the window asks of the application (menus that reach beyond this window). */
  public interface Actions {
    void logout();

    void quit();

    void theme(String theme);

    void language(Locale locale);

    /** Lets the user choose the folder where received files go (remembered). */
    void downloadsFolder();
  }

  private final ChatSession session;
  private final ChatModel model;
  private final I18n i18n;
  private final ZoneId zone;
  private final JLabel banner = new JLabel();
  private final JLabel identity = new JLabel();
  private final JComboBox<Transport> transport = new JComboBox<>(Transport.values());
  private final DefaultListModel<RoomInfo> rooms = new DefaultListModel<>();
  private final DefaultListModel<Object> people = new DefaultListModel<>();
  private final JList<Object> peopleList = new JList<>(people);
  private final JTabbedPane tabs = new JTabbedPane();
  private final JLabel status = new JLabel(" ");
  private final JPanel prompts = new JPanel();
  private final TransfersPanel transfers;
  private final FilePicker picker;
  private FilesFrame files;
  private final Map<String, ConversationPanel> panels = new LinkedHashMap<>();
  private final ChatModel.Listener listener = this::changed;
  private boolean updating;

  /** A row of the people list under a person: one of their sessions. */
  record SessionRow(Person person, SessionInfo session) {}

  public MainFrame(ChatSession session, I18n i18n, Actions actions, ZoneId zone, FilePicker picker) {
    this.session = session;
    this.model = session.model();
    this.i18n = i18n;
    this.zone = zone;
    this.picker = picker;
    setName("main");
    setDefaultCloseOperation(WindowConstants.DO_NOTHING_ON_CLOSE);
    addWindowListener(
        new WindowAdapter() {
          @Override
          public void windowClosing(WindowEvent e) {
            actions.quit();
          }
        });
    setJMenuBar(menus(actions));

    banner.setName("banner");
    banner.setText(i18n.t("banner.lost"));
    banner.setOpaque(true);
    banner.setBackground(new Color(0xf2b134));
    banner.setForeground(Color.BLACK);
    banner.setBorder(BorderFactory.createEmptyBorder(6, 10, 6, 10));
    banner.setVisible(false);

    identity.setName("identity");
    identity.setBorder(BorderFactory.createEmptyBorder(6, 10, 6, 10));
    transport.setName("transport");
    transport.addItemListener(
        e -> {
          if (!updating && e.getStateChange() == java.awt.event.ItemEvent.SELECTED) {
            session.switchTransport((Transport) e.getItem());
          }
        });
    JPanel switcher = new JPanel(new FlowLayout(FlowLayout.RIGHT, 6, 2));
    switcher.add(new JLabel(i18n.t("main.transport")));
    switcher.add(transport);
    JPanel bar = new JPanel(new BorderLayout());
    bar.add(identity, BorderLayout.CENTER);
    bar.add(switcher, BorderLayout.EAST);
    prompts.setName("prompts");
    prompts.setLayout(new javax.swing.BoxLayout(prompts, javax.swing.BoxLayout.Y_AXIS));
    JPanel top = new JPanel(new BorderLayout());
    top.add(banner, BorderLayout.NORTH);
    top.add(prompts, BorderLayout.CENTER);
    top.add(bar, BorderLayout.SOUTH);

    tabs.setName("tabs");
    tabs.addChangeListener(
        e -> {
          if (!updating) {
            Component c = tabs.getSelectedComponent();
            model.active(c instanceof ConversationPanel p ? p.conv() : null);
          }
        });
    JSplitPane split = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, sidebar(), tabs);
    split.setDividerLocation(360);

    status.setName("status");
    status.setBorder(BorderFactory.createEmptyBorder(3, 10, 3, 10));

    transfers = new TransfersPanel(model, i18n,
        t -> t.kind() == Transfer.Kind.OFFER_IN || t.kind() == Transfer.Kind.OFFER_OUT, "transfers");
    JPanel bottom = new JPanel(new BorderLayout());
    bottom.add(transfers, BorderLayout.CENTER);
    bottom.add(status, BorderLayout.SOUTH);

    getContentPane().add(top, BorderLayout.NORTH);
    getContentPane().add(split, BorderLayout.CENTER);
    getContentPane().add(bottom, BorderLayout.SOUTH);
    setSize(1040, 640);

    model.addListener(listener);
    for (Conversation c : model.conversations()) {
      addTab(c);
    }
    for (ChatModel.Change c : ChatModel.Change.values()) {
      if (c != ChatModel.Change.OPENED && c != ChatModel.Change.CLOSED && c != ChatModel.Change.ENTRIES
          && c != ChatModel.Change.UNREAD && c != ChatModel.Change.TOPIC) {
        changed(c, model.active());
      }
    }
    addWindowFocusListener(
        new WindowAdapter() {
          @Override
          public void windowGainedFocus(WindowEvent e) {
            updateTitle(0);
          }
        });
    updateTitle(0);
  }

  private JMenuBar menus(Actions actions) {
    JMenu charla = new JMenu(i18n.t("menu.charla"));
    charla.setName("menu.charla");
    charla.add(item("menu.reconnect", e -> session.switchTransport(model.transport())));
    charla.add(item("menu.files", e -> openFiles()));
    charla.add(item("menu.downloads", e -> actions.downloadsFolder()));
    charla.add(item("menu.logout", e -> actions.logout()));
    charla.addSeparator();
    charla.add(item("menu.quit", e -> actions.quit()));

    JMenu view = new JMenu(i18n.t("menu.view"));
    view.setName("menu.view");
    ButtonGroup themes = new ButtonGroup();
    for (String theme : List.of(Themes.LIGHT, Themes.DARK)) {
      JRadioButtonMenuItem it = new JRadioButtonMenuItem(i18n.t("menu.theme." + theme));
      it.setName("menu.theme." + theme);
      it.setSelected(Themes.isDark() == Themes.DARK.equals(theme));
      it.addActionListener(e -> actions.theme(theme));
      themes.add(it);
      view.add(it);
    }
    view.addSeparator();
    JMenu language = new JMenu(i18n.t("menu.language"));
    language.setName("menu.language");
    ButtonGroup langs = new ButtonGroup();
    for (Locale l : I18n.SUPPORTED) {
      JRadioButtonMenuItem it = new JRadioButtonMenuItem(i18n.t("lang." + l.getLanguage()));
      it.setName("lang." + l.getLanguage());
      it.setSelected(l.getLanguage().equals(i18n.locale().getLanguage()));
      it.addActionListener(e -> actions.language(l));
      langs.add(it);
      language.add(it);
    }
    view.add(language);

    JMenuBar bar = new JMenuBar();
    bar.add(charla);
    bar.add(view);
    return bar;
  }

  private JMenuItem item(String key, java.awt.event.ActionListener action) {
    JMenuItem it = new JMenuItem(i18n.t(key));
    it.setName(key);
    it.addActionListener(action);
    return it;
  }

  private JPanel sidebar() {
    JList<RoomInfo> roomList = new JList<>(rooms);
    roomList.setName("rooms");
    roomList.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
    roomList.setCellRenderer(
        new DefaultListCellRenderer() {
          @Override
          public Component getListCellRendererComponent(
              JList<?> list, Object value, int index, boolean selected, boolean focus) {
            RoomInfo r = (RoomInfo) value;
            return super.getListCellRendererComponent(
                list, i18n.t("main.room", r.name(), r.members()), index, selected, focus);
          }
        });
    roomList.addMouseListener(
        new MouseAdapter() {
          @Override
          public void mouseClicked(MouseEvent e) {
            if (e.getClickCount() == 2 && roomList.getSelectedValue() != null) {
              session.openRoom(roomList.getSelectedValue().name());
            }
          }
        });
    JTextField roomField = new JTextField();
    roomField.setName("roomField");
    roomField.putClientProperty("JTextField.placeholderText", i18n.t("main.room.hint"));
    JButton join = new JButton(i18n.t("main.join"));
    join.setName("join");
    java.awt.event.ActionListener doJoin =
        e -> {
          if (!roomField.getText().isBlank()) {
            session.openRoom(roomField.getText().trim());
            roomField.setText("");
          }
        };
    join.addActionListener(doJoin);
    roomField.addActionListener(doJoin);
    JPanel joinRow = new JPanel(new BorderLayout(4, 0));
    joinRow.add(roomField, BorderLayout.CENTER);
    joinRow.add(join, BorderLayout.EAST);

    peopleList.setName("people");
    peopleList.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
    peopleList.setCellRenderer(
        new DefaultListCellRenderer() {
          @Override
          public Component getListCellRendererComponent(
              JList<?> list, Object value, int index, boolean selected, boolean focus) {
            Component c = super.getListCellRendererComponent(list, rowText(value), index, selected, focus);
            c.setFont(c.getFont().deriveFont(value instanceof Person ? Font.BOLD : Font.PLAIN));
            return c;
          }
        });
    peopleList.addMouseListener(
        new MouseAdapter() {
          @Override
          public void mouseClicked(MouseEvent e) {
            if (e.getClickCount() == 2) {
              messageSelected();
            }
          }
        });
    JButton message = new JButton(i18n.t("main.message"));
    message.setName("message");
    message.addActionListener(e -> messageSelected());
    JButton direct = new JButton(i18n.t("main.direct"));
    direct.setName("direct");
    direct.addActionListener(e -> directSelected());
    JButton sendFile = new JButton(i18n.t("main.send_file"));
    sendFile.setName("sendFile");
    sendFile.addActionListener(e -> sendFileSelected());
    JPanel personActions = new JPanel(new java.awt.GridLayout(1, 3, 4, 0));
    personActions.add(message);
    personActions.add(direct);
    personActions.add(sendFile);
    JPopupMenu menu = new JPopupMenu();
    menu.setName("peopleMenu");
    menu.add(item("main.message", e -> messageSelected()));
    menu.add(item("main.direct", e -> directSelected()));
    menu.add(item("main.send_file", e -> sendFileSelected()));
    peopleList.addMouseListener(
        new MouseAdapter() {
          @Override
          public void mousePressed(MouseEvent e) {
            popup(e);
          }

          @Override
          public void mouseReleased(MouseEvent e) {
            popup(e);
          }

          private void popup(MouseEvent e) {
            if (e.isPopupTrigger()) {
              int row = peopleList.locationToIndex(e.getPoint());
              if (row >= 0) {
                peopleList.setSelectedIndex(row);
                menu.show(peopleList, e.getX(), e.getY());
              }
            }
          }
        });

    JPanel side = new JPanel(new GridBagLayout());
    GridBagConstraints g = new GridBagConstraints();
    g.gridx = 0;
    g.fill = GridBagConstraints.BOTH;
    g.weightx = 1;
    g.insets = new Insets(4, 6, 4, 6);
    g.weighty = 0;
    side.add(title("main.rooms"), g);
    g.weighty = 0.35;
    side.add(new JScrollPane(roomList), g);
    g.weighty = 0;
    side.add(joinRow, g);
    side.add(title("main.people"), g);
    g.weighty = 0.65;
    side.add(new JScrollPane(peopleList), g);
    g.weighty = 0;
    side.add(personActions, g);
    return side;
  }

  private JLabel title(String key) {
    JLabel l = new JLabel(i18n.t(key));
    l.setFont(l.getFont().deriveFont(Font.BOLD));
    return l;
  }

  private String rowText(Object value) {
    if (value instanceof Person p) {
      return p.guest() ? i18n.t("main.guest", p.name()) : p.name();
    }
    if (value instanceof SessionRow r) {
      SessionInfo s = r.session();
      String address = s.ip() == null ? i18n.t("main.hidden") : i18n.t("main.you.address", s.ip(), port(s.port()));
      return "    " + i18n.t("main.session", address, upper(s.transport()), s.client());
    }
    return String.valueOf(value);
  }

  private static String port(Integer p) {
    return p == null ? "?" : Integer.toString(p); // no grouping separators in port numbers
  }

  private static String upper(String s) {
    return s == null ? "?" : s.toUpperCase(Locale.ROOT);
  }

  private Person selectedPerson() {
    Object v = peopleList.getSelectedValue();
    return v instanceof Person person ? person : v instanceof SessionRow r ? r.person() : null;
  }

  private void messageSelected() {
    Person p = selectedPerson();
    if (p != null) {
      session.openDirect(p.name());
    }
  }

  private void directSelected() {
    Person p = selectedPerson();
    if (p != null) {
      session.requestDirect(p.name());
    }
  }

  private void sendFileSelected() {
    Person p = selectedPerson();
    if (p != null) {
      sendFile(p.name());
    }
  }

  /** Asks which file, then offers it to {@code peer}. */
  private void sendFile(String peer) {
    Path file = picker.file(this, i18n.t("file.pick", peer));
    if (file != null) {
      session.sendFile(peer, file);
    }
  }

  /** Shows the file area window (made on first use), listing the area afresh. */
  public void openFiles() {
    if (files == null) {
      files = new FilesFrame(session, i18n, picker, zone);
      files.setLocation(getX() + 60, getY() + 60);
    }
    session.refreshFiles();
    files.setVisible(true);
    files.toFront();
  }

  /** The file area window, or null if it was never opened (for tests). */
  public JFrame filesFrame() {
    return files;
  }

  /** Rebuilds the questions on top: one row per direct request and per file offer, each with its two answers. */
  private void updatePrompts() {
    prompts.removeAll();
    for (ChatModel.DirectRequest r : model.directRequests()) {
      prompts.add(prompt("request:" + r.from(), i18n.t("prompt.direct", r.from()),
          "acceptDirect", "prompt.accept", () -> session.acceptDirect(r.link()),
          "declineDirect", "prompt.decline", () -> session.declineDirect(r.link())));
    }
    for (FileInfo f : model.offers()) {
      prompts.add(prompt("offer:" + f.name(),
          i18n.t("prompt.offer", f.owner(), f.name(), Sizes.bytes(f.size(), i18n.locale()),
              session.downloadsFolder().toString()),
          "acceptOffer", "prompt.accept_file", () -> session.acceptOffer(f.id()),
          "declineOffer", "prompt.decline", () -> session.declineOffer(f.id())));
    }
    prompts.revalidate();
    prompts.repaint();
  }

  private JPanel prompt(String name, String text, String yesName, String yesKey, Runnable yes, String noName,
      String noKey, Runnable no) {
    JPanel row = new JPanel(new BorderLayout(8, 0));
    row.setName(name);
    row.setBackground(new Color(0xdcebfa));
    row.setBorder(BorderFactory.createCompoundBorder(
        BorderFactory.createMatteBorder(0, 0, 1, 0, new Color(0x9bbbd9)), BorderFactory.createEmptyBorder(4, 10, 4, 6)));
    JLabel label = new JLabel(text);
    label.setName("promptText");
    label.setForeground(Color.BLACK);
    JButton accept = new JButton(i18n.t(yesKey));
    accept.setName(yesName);
    accept.addActionListener(e -> yes.run());
    JButton decline = new JButton(i18n.t(noKey));
    decline.setName(noName);
    decline.addActionListener(e -> no.run());
    JPanel buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT, 4, 0));
    buttons.setOpaque(false);
    buttons.add(accept);
    buttons.add(decline);
    row.add(label, BorderLayout.CENTER);
    row.add(buttons, BorderLayout.EAST);
    return row;
  }

  // ---- the model changed ----

  private void changed(ChatModel.Change change, String conv) {
    switch (change) {
      case IDENTITY -> {
        SessionInfo me = model.me();
        if (me != null) {
          String address = me.ip() == null ? i18n.t("main.hidden") : i18n.t("main.you.address", me.ip(), port(me.port()));
          identity.setText(i18n.t("main.you", me.name(), address, upper(me.transport())));
          updateTitle(0);
        }
      }
      case CONNECTION -> {
        banner.setText(i18n.t(model.connection() == dev.charla.client.ConnectionState.CLOSED
            ? "banner.closed" : "banner.lost"));
        banner.setVisible(model.connectionLost());
      }
      case TRANSPORT -> {
        updating = true;
        transport.setSelectedItem(model.transport());
        transport.setEnabled(!model.switchingTransport());
        updating = false;
      }
      case STATUS -> {
        ChatModel.Status s = model.status();
        status.setText(s == null ? " " : i18n.t(s.key(), s.args().toArray()));
      }
      case ROOMS -> {
        rooms.clear();
        model.rooms().forEach(rooms::addElement);
      }
      case PEOPLE -> {
        Object selected = peopleList.getSelectedValue();
        List<Object> rows = new ArrayList<>();
        for (Person p : model.people()) {
          rows.add(p);
          for (SessionInfo s : p.sessions()) {
            rows.add(new SessionRow(p, s));
          }
        }
        people.clear();
        people.addAll(rows);
        if (selected instanceof Person p) {
          model.people().stream().filter(x -> x.name().equals(p.name())).findFirst()
              .ifPresent(x -> peopleList.setSelectedValue(x, false));
        }
      }
      case OPENED -> addTab(model.conversation(conv));
      case CLOSED -> {
        ConversationPanel p = panels.remove(conv);
        if (p != null) {
          updating = true;
          tabs.remove(p);
          updating = false;
          Component c = tabs.getSelectedComponent();
          model.active(c instanceof ConversationPanel cp ? cp.conv() : null);
        }
      }
      case ENTRIES, TOPIC -> {
        ConversationPanel p = panels.get(conv);
        if (p != null) {
          p.render(model.conversation(conv));
        }
      }
      case UNREAD -> retitle(conv);
      case PROMPTS -> updatePrompts();
      case DIRECT -> {
        ConversationPanel p = panels.get(conv);
        if (p != null) {
          p.render(model.conversation(conv));
        }
      }
      case TRANSFERS, FILES -> {
        // their own panels listen
      }
      case ACTIVE -> {
        ConversationPanel p = conv == null ? null : panels.get(conv);
        if (p != null && tabs.getSelectedComponent() != p) {
          updating = true;
          tabs.setSelectedComponent(p);
          updating = false;
        }
        if (p != null) {
          p.input().requestFocusInWindow();
        }
      }
    }
  }

  private void addTab(Conversation c) {
    if (c == null || panels.containsKey(c.id())) {
      return;
    }
    String peer = c.peer();
    ConversationPanel p = new ConversationPanel(session, c, i18n, zone, c.isRoom() ? null : () -> sendFile(peer));
    panels.put(c.id(), p);
    updating = true;
    tabs.addTab(c.title(), p);
    updating = false;
    retitle(c.id());
    if (tabs.getTabCount() == 1) {
      model.active(c.id());
    }
  }

  private void retitle(String conv) {
    ConversationPanel p = panels.get(conv);
    Conversation c = model.conversation(conv);
    if (p == null || c == null) {
      return;
    }
    int i = tabs.indexOfComponent(p);
    tabs.setTitleAt(i, c.unread() > 0 ? c.title() + " (" + c.unread() + ")" : c.title());
  }

  /** Sets the window title; with {@code unread > 0} it shows the count of unnoticed private messages. */
  public void updateTitle(int unread) {
    String me = model.myName() == null ? "" : model.myName();
    setTitle(unread > 0 ? i18n.t("app.title.unread", unread, me) : i18n.t("app.title", me));
  }

  /** The tab of a conversation, or null (for tests). */
  ConversationPanel panel(String conv) {
    return panels.get(conv);
  }

  /** The indicator of a direct conversation's tab, or null (for tests). */
  public String directIndicator(String conv) {
    ConversationPanel p = panels.get(conv);
    return p == null ? null : p.modeText();
  }

  /** Stops listening to the model and closes the file area window; call before disposing. */
  public void detach() {
    model.removeListener(listener);
    transfers.detach();
    if (files != null) {
      files.detach();
      files.dispose();
      files = null;
    }
  }
}
