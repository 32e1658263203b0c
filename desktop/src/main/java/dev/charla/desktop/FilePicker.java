package dev.charla.desktop;

import java.awt.Component;
import java.nio.file.Path;
import javax.swing.JFileChooser;

/**
 * Asks the user for a file to send or upload, or for a folder. The application uses {@link #swing()}, a
 * {@link JFileChooser}; tests pass one that answers at once, since a native-looking modal dialog is the one thing a
 * robot on a bare Xvfb cannot drive reliably.
 *
 * <p>Threads: called on the Swing event thread; may block it in a modal dialog, as file choosers do.
 */
public interface FilePicker {
  /** A file to open, or null if the user cancelled. */
  Path file(Component parent, String title);

  /** A folder, starting at {@code current}, or null if the user cancelled. */
  Path folder(Component parent, String title, Path current);

  /** The usual Swing file chooser. */
  static FilePicker swing() {
    return new FilePicker() {
      @Override
      public Path file(Component parent, String title) {
        JFileChooser c = new JFileChooser();
        c.setDialogTitle(title);
        c.setFileSelectionMode(JFileChooser.FILES_ONLY);
        return c.showOpenDialog(parent) == JFileChooser.APPROVE_OPTION ? c.getSelectedFile().toPath() : null;
      }

      @Override
      public Path folder(Component parent, String title, Path current) {
        JFileChooser c = new JFileChooser(current == null ? null : current.toFile());
        c.setDialogTitle(title);
        c.setFileSelectionMode(JFileChooser.DIRECTORIES_ONLY);
        return c.showDialog(parent, null) == JFileChooser.APPROVE_OPTION ? c.getSelectedFile().toPath() : null;
      }
    };
  }
}
