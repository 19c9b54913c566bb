#!/bin/sh
# make fuzz: run each libFuzzer target named on the command line for
# $FUZZ_SECONDS seconds (default 30), starting from a copy of its seed corpus
# and regression inputs in a temporary directory, so that nothing is written
# into the source tree.  A crash input is kept in BUILDDIR/artifacts/TARGET/.
# Prints "PASS: fuzz_TARGET" or "FAIL: fuzz_TARGET" for each target, with
# libFuzzer's last status line (executions, coverage, executions/second),
# and exits 1 if any target failed.
#	usage: run.sh SRCDIR BUILDDIR TARGET...
# where SRCDIR and BUILDDIR are the tests/fuzz directories.
src=$1
build=$2
shift 2
secs=${FUZZ_SECONDS:-30}
status=0

for t in "$@"; do
	work=$(mktemp -d "${TMPDIR:-/tmp}/secchat-fuzz-run.XXXXXX") || exit 1
	art=$build/artifacts/$t
	mkdir -p "$work/corpus" "$art"

	# The seeds and the regression inputs, copied: libFuzzer adds to them.
	cp "$src/corpus/$t"/* "$work/corpus/"
	if [ -d "$src/regress/$t" ]; then
		cp "$src/regress/$t"/* "$work/corpus/" 2>/dev/null
	fi
	dict=
	if [ -f "$src/$t.dict" ]; then
		dict=-dict=$src/$t.dict
	fi

	# Run.
	"$build/fuzz_$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$art/" ${dict:+"$dict"} "$work/corpus" \
	    >"$work/log" 2>&1
	rc=$?
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "PASS: fuzz_$t: $done_line"
	else
		tail -n 60 "$work/log"
		echo "FAIL: fuzz_$t (exit $rc); inputs kept in $art:"
		ls -l "$art"
		status=1
	fi
	rm -rf "$work"
done
exit $status
