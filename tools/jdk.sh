# Sourced: sets JAVA_HOME to a JDK >= 25 ($JAVA_HOME if new enough, else the newest under /usr/lib/jvm).
_major() { sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null || true; }
_pick=""
if [ -n "${JAVA_HOME:-}" ] && [ "$(_major "$JAVA_HOME")" -ge 25 ] 2>/dev/null; then
  _pick="$JAVA_HOME"
else
  _best=0
  for _d in /usr/lib/jvm/*/; do
    _d="${_d%/}"; _m=$(_major "$_d"); [ -n "$_m" ] && [ -x "$_d/bin/javac" ] || continue
    if [ "$_m" -ge 25 ] && [ "$_m" -gt "$_best" ]; then _best=$_m; _pick="$_d"; fi
  done
fi
if [ -z "$_pick" ]; then
  echo "no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME:-unset}; looked in /usr/lib/jvm)." >&2
  echo "install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME="$_pick"
export PATH="$JAVA_HOME/bin:$PATH"
