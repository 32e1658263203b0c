#!/usr/bin/env bash
# Saves screenshots of the desktop client to docs/screenshots/ (sign-in, main window light and dark, Spanish, a
# direct request and a file offer, a direct conversation, the file area): a real in-process server, two desktop
# clients and a library client chatting. Starts Xvfb itself when DISPLAY
# is unset (needs xvfb installed). Usage: desktop/screenshots.sh [output-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1; }
find_java() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -x "$d/bin/java" ] && candidates+=("$d/bin/java")
  done
  for j in "${candidates[@]}"; do
    local v; v="$(java_major "$j" || true)"
    if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null; then echo "$j"; return 0; fi
  done
  echo "screenshots.sh: no JDK 21 or newer found (set JAVA_HOME)" >&2; return 1
}

# Built in one reactor run (no install): the classpath then names the sibling modules' target/classes.
./mvnw -q -B -pl desktop -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/tour.classpath -Dmdep.includeScope=test
cp="desktop/target/test-classes:desktop/target/classes:$(cat desktop/target/tour.classpath)"
exec "$(find_java)" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.charla.desktop.ScreenshotTour "$out"
