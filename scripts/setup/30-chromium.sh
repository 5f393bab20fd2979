#!/usr/bin/env bash
# The list page and the widget are rendered in headless Chromium by the API tests (screenshots kept as test
# artifacts). Install Debian's package when no Chromium is found (root only; otherwise say what is missing).
set -euo pipefail
for candidate in ${MATCHMAKER_CHROMIUM:-} /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -x "$candidate" ]; then exit 0; fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is missing: install the chromium package or set MATCHMAKER_CHROMIUM to a Chromium or Chrome binary." >&2
  exit 1
fi
echo "installing Chromium (Debian package chromium)" >&2
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
