#!/bin/sh
# run_pytest.sh PYTHON TESTS_DIR: pytest through ctest. A python3 without pytest is a failure
# where tools are required (CI) and a reported skip elsewhere (tests/tool_skip.h's convention).
python=$1
tests=$2
if ! "$python" -c "import pytest" 2>/dev/null; then
  if [ "$AOTC_REQUIRE_TOOLS" = 1 ]; then
    echo "required tool missing (AOTC_REQUIRE_TOOLS=ON): pytest for $python (python3-pytest)"
    exit 1
  fi
  echo "AOTC_TEST_SKIPPED: pytest not installed for $python (python3-pytest)"
  exit 0
fi
# -rs prints skip reasons (the skip marker among them); -p no:cacheprovider keeps the source
# tree clean.
exec "$python" -m pytest -q -rs -p no:cacheprovider "$tests"
