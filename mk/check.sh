#!/bin/bash
# check.sh SELFTEST...: every test suite of the project, then one closing line
# "N passed, N failed, N skipped".
#   host suites: the unit tests in build/tests/ and the VM runner's own tests
#   VM suites:   the kselftests given, all in one VM boot
# Each suite's TAP is printed as it runs and kept in build/check/.
set -uo pipefail

cd "$(dirname "$0")/.."
out=build/check
rm -rf "$out"
mkdir -p "$out"
suites=()

run_host_suite() { # name command...
	local name=$1
	shift
	echo "# suite: $name (host)"
	"$@" 2>&1 | tee "$out/$name.tap"
	echo "${PIPESTATUS[0]}" >"$out/$name.rc"
	suites+=("$name")
}

for t in build/tests/*; do
	[ -f "$t" ] && [ -x "$t" ] && run_host_suite "${t##*/}" "$t"
done
run_host_suite tap-summary mk/test-tap-summary
run_host_suite vmrun kmod-tests/vm/test-vmrun
run_host_suite checkpatch mk/test-checkpatch
run_host_suite fuzz-replay fuzz/replay

if [ $# -gt 0 ]; then
	# 20 minutes, an idle machine's limit (the run takes about 10 there),
	# scaled by KTLSD_TEST_TIMEOUT_SCALE (which vmrun passes on to the tests
	# inside, as every variable): 80 minutes at the default scale of 4, which
	# a loaded machine needs and CI's 90-minute limit still allows.
	limit=$(build/test-time 1200) || exit 1
	echo "# suites in the VM: $* (limit ${limit}s)"
	kmod-tests/selftests/run --timeout "$limit" --out "$out" "$@"
	suites+=("$@")
fi

echo
mk/tap-summary "$out" "${suites[@]}"
