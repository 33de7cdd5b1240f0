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
libnotify-dev libmicrohttpd-dev libsqlite3-dev libssl-dev libutf8proc-dev libwslay-dev
libcmocka-dev tmux strace dbus python3 python3-jsonschema python3-dbus python3-gi
man-db locales zsh systemd bash-completion"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    echo "quickstart: installing:$missing"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || {
            echo "quickstart: need root or sudo to install:$missing" >&2
            exit 1
        }
        sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q
    # shellcheck disable=SC2086
    $sudo apt-get install -y -q --no-install-recommends $missing
fi

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
