#!/bin/sh
# build-debs.sh — build the Debian packages twoway and twowayd from this
# checkout with `dpkg-buildpackage -us -uc -b` (the tests run during the
# build), then check them with lintian, which must report no errors.
#
#   ./scripts/build-debs.sh [OUTDIR]
#
# The tracked and new (not ignored) files of the work tree are copied to a
# temporary folder and built there; the .deb, .changes and .buildinfo files
# land in OUTDIR (default debs/). On Debian 12, as root or with sudo, what is
# missing is installed first: the packaging tools and debian/control's
# build dependencies.
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
out=${1:-$top/debs}

case "${1:-}" in
-h | --help)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive

tools="dpkg-dev debhelper lintian devscripts fakeroot git"
missing=""
for p in $tools; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "build-debs: installing:$missing"
    $sudo apt-get update -q
    # shellcheck disable=SC2086
    $sudo apt-get install -y -q --no-install-recommends $missing
fi
if ! dpkg-checkbuilddeps >/dev/null 2>&1; then
    echo "build-debs: installing the build dependencies"
    $sudo apt-get update -q
    $sudo apt-get build-dep -y -q --no-install-recommends "$top"
fi

version=$(dpkg-parsechangelog -S Version)
work=$(mktemp -d "${TMPDIR:-/tmp}/twoway-debs-XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
src="$work/twoway-$version"
mkdir "$src"
# shellcheck disable=SC2016 # $f is the inner shell's
git ls-files -z --cached --others --exclude-standard | xargs -0 -r sh -c '
    for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar -c --null -T - -f - | tar -x -C "$src" -f -

echo "build-debs: building $version in $src"
(cd "$src" && dpkg-buildpackage -us -uc -b)

mkdir -p "$out"
for f in "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo; do
    [ -e "$f" ] && cp "$f" "$out/"
done
changes=$(ls "$work"/*.changes)

echo "build-debs: lintian"
status=0
lintian --fail-on error --display-level '>=pedantic' --info "$changes" >"$work/lintian.txt" 2>&1 ||
    status=$?
cat "$work/lintian.txt"
cp "$work/lintian.txt" "$out/lintian.txt"
for level in E W I P; do
    printf '%s: %s  ' "$level" "$(grep -c "^$level: " "$work/lintian.txt" || true)"
done
echo
[ "$status" -eq 0 ] || { echo "build-debs: lintian reports errors" >&2; exit 1; }
echo "build-debs: packages in $out:"
ls -1 "$out"/*.deb
