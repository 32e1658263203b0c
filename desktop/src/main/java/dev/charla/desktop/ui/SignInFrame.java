package dev.charla.desktop.ui;

import dev.charla.client.Transport;
import dev.charla.desktop.ChatSession;
import dev.charla.desktop.I18n;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.FlowLayout;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JPasswordField;
import javax.swing.JTextField;
import javax.swing.WindowConstants;

/**
 * The sign-in screen: server, port, transport, name and password, and Log in / Register / Guest. It validates
 * what it can locally and hands the rest to {@link Handler}; {@link #failed} shows a plain, localized reason.
 */
public final class SignInFrame extends JFrame {

  /** What a sign-in button asks for. */
  public record Request(String host, int port, Transport transport, ChatSession.Mode mode, String name,
      String password) {}

  /** Carries out a sign-in request (asynchronously; it reports back through {@link #failed}). */
  public interface Handler {
    void signIn(Request request);

    void quit();
  }

  private final I18n i18n;
  private final JTextField host = new JTextField(18);
  private final JTextField port = new JTextField(6);
  private final JComboBox<Transport> transport = new JComboBox<>(Transport.values());
  private final JTextField name = new JTextField(18);
  private final JPasswordField password = new JPasswordField(18);
  private final JButton login;
  private final JButton register;
  private final JButton guest;
  private final JLabel message = new JLabel(" ");

  public SignInFrame(I18n i18n, String host, int port, Transport transport, String name, Handler handler) {
    super(i18n.t("signin.title"));
    this.i18n = i18n;
    setName("signin");
    setDefaultCloseOperation(WindowConstants.DO_NOTHING_ON_CLOSE);
    addWindowListener(
        new WindowAdapter() {
          @Override
          public void windowClosing(WindowEvent e) {
            handler.quit();
          }
        });
    this.host.setName("host");
    this.host.setText(host);
    this.port.setName("port");
    this.port.setText(Integer.toString(port));
    this.transport.setName("transport");
    this.transport.setSelectedItem(transport);
    this.name.setName("name");
    this.name.setText(name);
    this.password.setName("password");
    message.setName("message");
    message.setForeground(new Color(0xd03b3b));

    login = button("login", "signin.login", handler, ChatSession.Mode.LOGIN);
    register = button("register", "signin.register", handler, ChatSession.Mode.REGISTER);
    guest = button("guest", "signin.guest", handler, ChatSession.Mode.GUEST);
    password.addActionListener(e -> login.doClick());

    JPanel form = new JPanel(new GridBagLayout());
    form.setBorder(BorderFactory.createEmptyBorder(16, 20, 8, 20));
    row(form, 0, "signin.host", this.host);
    row(form, 1, "signin.port", this.port);
    row(form, 2, "signin.transport", this.transport);
    row(form, 3, "signin.name", this.name);
    row(form, 4, "signin.password", this.password);
    GridBagConstraints hint = constraints(1, 5);
    JLabel passwordHint = new JLabel(i18n.t("signin.password.hint"));
    passwordHint.setForeground(Color.GRAY);
    form.add(passwordHint, hint);

    JPanel buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT));
    buttons.add(guest);
    buttons.add(register);
    buttons.add(login);
    JPanel south = new JPanel(new BorderLayout());
    message.setBorder(BorderFactory.createEmptyBorder(0, 20, 0, 20));
    south.add(message, BorderLayout.NORTH);
    south.add(buttons, BorderLayout.SOUTH);

    getContentPane().add(form, BorderLayout.CENTER);
    getContentPane().add(south, BorderLayout.SOUTH);
    getRootPane().setDefaultButton(login);
    pack();
    setSize(Math.max(getWidth(), 520), getHeight());
    setResizable(false);
  }

  private JButton button(String id, String key, Handler handler, ChatSession.Mode mode) {
    JButton b = new JButton(i18n.t(key));
    b.setName(id);
    b.addActionListener(e -> submit(handler, mode));
    return b;
  }

  private void submit(Handler handler, ChatSession.Mode mode) {
    int p;
    try {
      p = Integer.parseInt(port.getText().trim());
    } catch (NumberFormatException e) {
      p = -1;
    }
    if (p < 1 || p > 65535) {
      failed(i18n.t("signin.bad_port"));
      return;
    }
    String n = name.getText().trim();
    if (n.isEmpty()) {
      failed(i18n.t("signin.need_name"));
      return;
    }
    String pw = new String(password.getPassword());
    if (mode != ChatSession.Mode.GUEST && pw.isEmpty()) {
      failed(i18n.t("signin.need_password"));
      return;
    }
    String h = host.getText().trim();
    busy(true);
    message.setForeground(Color.GRAY);
    message.setText(i18n.t("signin.connecting", h, Integer.toString(p)));
    handler.signIn(new Request(h, p, (Transport) transport.getSelectedItem(), mode, n, pw));
  }

  /** Shows why signing in failed and lets the user try again. */
  public void failed(String text) {
    busy(false);
    message.setForeground(new Color(0xd03b3b));
    message.setText(text);
  }

  private void busy(boolean busy) {
    for (JComponent c : new JComponent[] {login, register, guest, host, port, transport, name, password}) {
      c.setEnabled(!busy);
    }
  }

  private void row(JPanel form, int y, String key, JComponent field) {
    JLabel label = new JLabel(i18n.t(key));
    label.setLabelFor(field);
    form.add(label, constraints(0, y));
    GridBagConstraints c = constraints(1, y);
    c.fill = GridBagConstraints.HORIZONTAL;
    c.weightx = 1;
    form.add(field, c);
  }

  private static GridBagConstraints constraints(int x, int y) {
    GridBagConstraints c = new GridBagConstraints();
    c.gridx = x;
    c.gridy = y;
    c.anchor = GridBagConstraints.WEST;
    c.insets = new Insets(4, 6, 4, 6);
    return c;
  }
}
