#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs the unit tests (cmocka binaries given as arguments) and/or the
# integration tests (pytest), then prints one closing line
# "N passed, N failed" over both. Exits non-zero on any failure, and when
# no test ran at all.
#   tools/run-tests.sh unit build/unit/test_*
#   tools/run-tests.sh integration [pytest args...]
#   tools/run-tests.sh all build/unit/test_*
set -u
mode=$1
shift
passed=0
failed=0
skipped=0
logdir=build/test-logs
mkdir -p "$logdir"

run_unit() {
	for bin in "$@"; do
		local out rc p f
		out=$("$bin" 2>&1)
		rc=$?
		printf '%s\n' "$out" >"$logdir/$(basename "$bin").log"
		p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		p=${p:-0}
		f=${f:-0}
		# A crash or a binary that ran nothing is a failure, whatever it printed.
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		echo "unit $(basename "$bin"): $p passed, $f failed"
		[ "$f" -ne 0 ] && printf '%s\n' "$out" | grep -E '^\[  (FAILED|ERROR) |^\[   LINE   \]|error' | head -20
		passed=$((passed + p))
		failed=$((failed + f))
	done
}

run_integration() {
	local out rc line p f s
	/usr/bin/python3 -m pytest -c tests/integration/pytest.ini tests/integration "$@" \
		2>&1 | tee "$logdir/pytest.log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^=+ .*(passed|failed|error|skipped|no tests ran).* =+$' "$logdir/pytest.log" | tail -1)
	p=$(sed -n 's/.* \([0-9]*\) passed.*/\1/p' <<<"$line")
	f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$line")
	e=$(sed -n 's/.* \([0-9]*\) error.*/\1/p' <<<"$line")
	s=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<<"$line")
	p=${p:-0}
	f=$((${f:-0} + ${e:-0}))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + ${s:-0}))
}

case "$mode" in
unit) run_unit "$@" ;;
integration) run_integration "$@" ;;
all)
	run_unit "$@"
	run_integration
	;;
*)
	echo "usage: $0 unit|integration|all [args]" >&2
	exit 2
	;;
esac

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
