# Helpers of the adversarial tests (tests/attack_*.sh), sourced after
# tests/lib.sh: run evil_client against the server, count the server's log
# lines, and check that a legitimate client is served.  Each attack must
# (a) give the attacker no session and no data port, (b) leave the server
# serving a legitimate client during and after it, (c) be logged.

SESSIONS=0	# sessions the server must have accepted so far
LEGIT=0		# of which legitimate clients

# Run evil_client as alice, bounded to 120 s: [real=N] MODE [ARGS].  Its
# output goes to $TMP/evil.MODE.out; fail if the attack was not resisted.
# real=N: the mode runs N real sessions of its own (to record or spoil
# them), which the server must accept.
evil() {
	real=0
	case $1 in real=*) real=${1#real=}; shift ;; esac
	mode=$1
	shift
	timeout 120 "$EVIL" "$mode" "$PORT" "$TMP/alice" \
	    "$TMP/keys/server.key.pub" "$@" > "$TMP/evil.$mode.out" \
	    2> "$TMP/evil.$mode.err" ||
	    fail "evil_client $mode: $(cat "$TMP/evil.$mode.err")"
	SESSIONS=$((SESSIONS + real))
}

# Print the number evil_client mode $1 reported after "tried".
tried() {
	sed -n 's/^tried \([0-9]*\).*/\1/p' "$TMP/evil.$1.out"
}

# Print how many lines of the server's log match the pattern $1.
logcount() {
	grep -c -- "$1" "$TMP/server.log"
}

# Wait (5 s at most) until the log has $2 or more lines matching $1.
wait_count() {
	i=0
	while [ "$(logcount "$1")" -lt "$2" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(logcount "$1")" -ge "$2" ] ||
	    fail "the server logged $(logcount "$1") lines matching '$1', expected $2 or more"
}

# A legitimate client, tagged $1 (a word), is served: its message echoed
# exactly within ${2:-10000} ms.
legit() {
	t0=$(now_ms)
	echo "legit $1" | client alice > "$TMP/legit.$1.out" \
	    2> "$TMP/legit.$1.err" ||
	    fail "legitimate client ($1): $(cat "$TMP/legit.$1.err")"
	t=$(($(now_ms) - t0))
	[ "$(cat "$TMP/legit.$1.out")" = "legit $1" ] ||
	    fail "legitimate echo ($1) differs"
	[ $t -lt "${2:-10000}" ] || fail "legitimate client ($1) took $t ms"
	echo "$t" > "$TMP/legit.$1.ms"
}

# Run legit $1 $2 in the background; legit_wait collects it.
legit_bg() {
	legit "$@" &
	LEGIT_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $LEGIT_PID"
	SESSIONS=$((SESSIONS + 1))
	LEGIT=$((LEGIT + 1))
}

# Wait for the legitimate client started by legit_bg.
legit_wait() {
	wait "$LEGIT_PID" || fail "the legitimate client during the attack"
}

# After a group: the server is alive, serves a legitimate client tagged
# $1, and accepted no session but the expected ones.
after_group() {
	server_alive
	legit "$1"
	SESSIONS=$((SESSIONS + 1))
	LEGIT=$((LEGIT + 1))
	wait_count "accepted alice" "$SESSIONS"
	n=$(logcount "accepted ")
	[ "$n" -eq "$SESSIONS" ] ||
	    fail "after $1: $n sessions accepted, expected $SESSIONS"
}

# Print how many descriptors process $1 holds.
fd_count() {
	ls "/proc/$1/fd" 2>/dev/null | wc -l
}

# Print the children of process $1 in state Z (zombies), one a line.
zombies_of() {
	for s in /proc/[0-9]*/stat; do
		# Fields after the command name: state, parent.
		sed -n 's/^\([0-9]*\) (.*) \([A-Z]\) \([0-9]*\) .*/\1 \2 \3/p' \
		    "$s" 2>/dev/null
	done | awk -v p="$1" '$3 == p && $2 == "Z" { print $1 }'
}
