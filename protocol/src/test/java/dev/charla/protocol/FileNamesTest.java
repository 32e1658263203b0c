package dev.charla.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileNamesTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    "report.pdf|report.pdf",
    "../../etc/passwd|passwd",
    "C:\\Windows\\system32\\evil.dll|evil.dll",
    "..|file",
    ".bashrc|bashrc",
    "...hidden...|hidden",
    "CON|_CON",
    "nul.txt|_nul.txt",
    "com1.tar.gz|_com1.tar.gz",
    "console.txt|console.txt",
    "a\u0000b\u001bc\u202ed.txt|abcd.txt",
    "what?<is>this*|whatisthis",
    "'  spaced  '|spaced",
    "dir/|file",
  })
  void namesAreMadeSafe(String given, String safe) {
    assertThat(FileNames.safe(given)).isEqualTo(safe);
  }

  @org.junit.jupiter.api.Test
  void longNamesKeepTheirExtension() {
    String s = FileNames.safe("x".repeat(300) + ".pdf");
    assertThat(s).hasSize(FileNames.MAX_SAVED_CHARS).endsWith(".pdf");
  }

  @org.junit.jupiter.api.Test
  void takenNamesAreNumbered() {
    assertThat(FileNames.numbered("report.pdf", 1)).isEqualTo("report (1).pdf");
    assertThat(FileNames.numbered("README", 2)).isEqualTo("README (2)");
  }
}
