#!/usr/bin/env sh
# The browser tests drive Debian's chromium with Playwright (no browser download); screenshots
# need a CJK font. Installed here when missing and we may (root); otherwise those tests skip.
if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk"; then
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "note: chromium or a CJK font is missing and cannot be installed here; browser tests will skip"
    exit 0
fi
echo "installing chromium and fonts-wqy-microhei for the browser tests"
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
    || echo "note: could not install chromium; browser tests will skip"
