#!/usr/bin/env bash
# Checks that every tracked C/C++ source is formatted as .clang-format says (clang-format-22,
# which CI installs). Usage: check_format.sh <source dir> <require: 0|1>. Without clang-format-22
# or outside a git checkout it fails when required (CI) and is skipped otherwise.
set -euo pipefail
src=$1
require=$2
skip() {
  if [ "$require" = 1 ]; then
    echo "required tool missing (AOTC_REQUIRE_TOOLS=ON): $1"
    exit 1
  fi
  echo "AOTC_TEST_SKIPPED: $1"
  exit 0
}
command -v clang-format-22 >/dev/null || skip "clang-format-22 not found"
git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1 || skip "$src is not a git checkout"
cd "$src"
files=()
while IFS= read -r -d '' f; do files+=("$f"); done \
  < <(git ls-files -z -- '*.cc' '*.h' '*.c' '*.cpp' '*.hip')
if ! clang-format-22 --dry-run -Werror "${files[@]}"; then
  echo "format: run clang-format-22 -i on the files above (.clang-format: Google, 100 columns)"
  exit 1
fi
echo "format: ${#files[@]} files formatted"
