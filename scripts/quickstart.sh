#!/bin/sh
# quickstart.sh — set up a Debian 12 machine for twoway, build it, and either
# run the demo or the whole test suite.
#
#   ./scripts/quickstart.sh demo    install what is missing, build, run `twoway --demo`
#   ./scripts/quickstart.sh test    install what is missing, build, run every test
#
# Never asks a question; safe to run again. Extra arguments after `test` are
# passed to `meson test` (e.g. --suite unit).
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)

usage() {
    echo "usage: $0 demo|test [meson test args...]" >&2
    exit 2
}

[ $# -ge 1 ] || usage
mode=$1
shift

case "$mode" in
demo | test) ;;
-h | --help)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
*) usage ;;
esac

# Debian packages needed to build and to test. Kept in one list so the two
# modes cannot drift apart.
packages="build-essential meson ninja-build pkg-config
libncurses-dev libreadline-dev libcurl4-openssl-dev libjson-c-dev
libnotify-dev libmicrohttpd-dev libsqlite3-dev libssl-dev libutf8proc-dev libwslay-dev zlib1g-dev
libcmocka-dev tmux strace dbus python3 python3-jsonschema python3-dbus python3-gi
man-db locales zsh systemd bash-completion wrk tinyproxy microsocks neomutt openssl"

# shellcheck disable=SC2086
"$top/scripts/install-packages.sh" $packages

# The screen tests need a UTF-8 locale; C.UTF-8 ships with libc, so nothing
# to generate.

builddir=${BUILDDIR:-build}
if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" --buildtype=debugoptimized ${MESON_SETUP_ARGS:-}
fi
case "$mode" in
demo)
    # Only the two programs the demo runs, not the tests and benchmarks.
    ninja -C "$builddir" demo
    exec "$builddir/src/app/twoway" --demo
    ;;
test)
    ninja -C "$builddir"
    exec meson test -C "$builddir" --print-errorlogs ${MESON_TEST_ARGS:-} "$@"
    ;;
esac
