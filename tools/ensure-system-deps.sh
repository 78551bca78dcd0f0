#!/usr/bin/env bash
# Installs what the tests and the demo need on a fresh Debian machine: ffmpeg, redis-server,
# chromium (Debian packages, never a downloaded browser), OpenColorIO's tools (ociobakelut bakes
# display LUTs), OpenImageIO's oiiotool (EXR test sources and colour references), DejaVu fonts
# (burn-ins), and the
# better-sqlite3 native addon.
# Idempotent and quick when everything is present. Needs root (or sudo) only to install.
set -euo pipefail

missing=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v ociobakelut >/dev/null 2>&1 && command -v ociocheck >/dev/null 2>&1 || missing+=(opencolorio-tools)
command -v oiiotool >/dev/null 2>&1 || missing+=(openimageio-tools)
# DejaVu Sans: the default burn-in font.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO=none; fi
  if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-system-deps: missing ${missing[*]} and cannot install them here (need Debian/Ubuntu with root or sudo)." >&2
    if [ "${CI:-}" = "true" ]; then exit 1; fi
  else
    echo "ensure-system-deps: installing ${missing[*]} from Debian packages" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# Whatever happened above, CI must not go on without a tool: a test that needs one would otherwise skip.
if [ "${CI:-}" = "true" ]; then
  for tool in ffmpeg ffprobe redis-server ociobakelut ociocheck oiiotool; do
    command -v "$tool" >/dev/null 2>&1 || { echo "ensure-system-deps: $tool is still missing" >&2; exit 1; }
  done
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || { echo "ensure-system-deps: the DejaVu Sans font is still missing" >&2; exit 1; }
fi

# npm 11 may skip dependency install scripts: build better-sqlite3's addon from source when absent.
here="$(cd "$(dirname "$0")/.." && pwd)"
if ! (cd "$here" && node -e "new (require('better-sqlite3'))(':memory:').close()") >/dev/null 2>&1; then
  echo "ensure-system-deps: building better-sqlite3 native addon" >&2
  (cd "$here/node_modules/better-sqlite3" && npx --yes node-gyp rebuild --release >/dev/null)
fi
