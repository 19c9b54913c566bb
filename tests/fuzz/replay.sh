#!/bin/sh
# Replay each fuzz target's seed corpus (tests/fuzz/corpus/TARGET) and
# regression inputs (tests/fuzz/regress/TARGET) through its replay program,
# which every build links (tests/fuzz/replay.c): an input that once made a
# target crash, or a seed that makes it crash now, fails make check in
# every build, with or without libFuzzer.
fuzz=$top_srcdir/tests/fuzz
status=0

# Every regression directory belongs to a target with a corpus.
for dir in "$fuzz"/regress/*/; do
	[ -d "$dir" ] || continue
	t=$(basename "$dir")
	if [ ! -d "$fuzz/corpus/$t" ]; then
		echo "FAIL: regress/$t: no such fuzz target"
		status=1
	fi
done

# Each target: its seeds, then its regression inputs.
for dir in "$fuzz"/corpus/*/; do
	dir=${dir%/}
	t=$(basename "$dir")
	prog=$top_builddir/tests/fuzz/replay_$t
	if [ ! -x "$prog" ]; then
		echo "FAIL: $t: no program $prog"
		status=1
		continue
	fi
	set -- "$dir"
	if [ -d "$fuzz/regress/$t" ]; then
		set -- "$@" "$fuzz/regress/$t"
	fi
	if "$prog" "$@"; then
		echo "ok: $t"
	else
		echo "FAIL: $t (the input named last above)"
		status=1
	fi
done
exit $status
