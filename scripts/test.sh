#!/bin/bash
# Install, build from scratch and run every test three times: a plain build,
# AddressSanitizer + UndefinedBehaviorSanitizer, and ThreadSanitizer (all but the
# guest suite, whose Unicorn engine is not instrumented).  Exits non-zero if any
# test fails; ends with meson's summary of each run and one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

passed=0
failed=0
status=0

run_config() {
	local dir=$1; shift
	local testargs=$1; shift
	rm -rf "$dir"
	meson setup "$dir" "$@" >/dev/null
	ninja -C "$dir" >/dev/null
	echo "=== $dir: meson test $testargs"
	# TSan needs a fixed address-space layout on kernels with high mmap entropy.
	if [ "$dir" = build-tsan ] && command -v setarch >/dev/null; then
		setarch "$(uname -m)" -R meson test -C "$dir" $testargs --print-errorlogs || status=1
	else
		meson test -C "$dir" $testargs --print-errorlogs || status=1
	fi
	local counts
	counts=$(python3 scripts/count-tests.py "$dir/meson-logs/testlog.json")
	passed=$((passed + ${counts% *}))
	failed=$((failed + ${counts#* }))
}

run_config build-test "" --buildtype=debugoptimized
run_config build-asan "" --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
run_config build-tsan "--no-suite guest" --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
