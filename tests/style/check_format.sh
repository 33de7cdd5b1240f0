#!/bin/sh
# The C sources follow the checked-in .clang-format. Skipped (77) where
# clang-format is not installed: formatting is a check for developers, not
# a dependency of the build.
set -eu
cd "$1"
command -v clang-format >/dev/null 2>&1 || { echo "clang-format not installed: skipped"; exit 77; }
# Versions format differently; the tree is formatted with Debian 12's.
case "$(clang-format --version)" in
*" 14."*) ;;
*) echo "clang-format is not version 14: skipped"; exit 77 ;;
esac
files=$(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' \
    'bench/*.h' 'completions/*.c' 2>/dev/null || true)
[ -n "$files" ] || { echo "not a git checkout: skipped"; exit 77; }
# shellcheck disable=SC2086
clang-format --dry-run -Werror $files
