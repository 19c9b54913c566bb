# The adversarial client as a flood, each from an address of its own
# (another host): silent and slow (one byte a second) connections up to
# per_source_startups, each closed at the handshake timeout; a half-open
# flood; a client that sends 64 KiB messages and never reads the echoes,
# whose session must stop reading, stay small and end at the idle
# timeout.  A legitimate client is served quickly during each, and the
# master ends with the descriptors it began with and no zombie.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attack_lib.sh"

mkkey alice
HANDSHAKE_TIMEOUT=2 IDLE_TIMEOUT=3 EXTRA_CONF="penalty_failures = 0
per_source_startups = 4
max_startups = 64" write_conf alice
start_server
legit first
SESSIONS=1
LEGIT=1
sleep 0.5
fds0=$(fd_count "$SERVER_PID")

# Run evil_client as alice from the address $1: mode $2 and arguments, in
# the background, output in $TMP/evil.$2.out.
evil_from() {
	src=$1
	mode=$2
	shift 2
	EVIL_SOURCE=$src timeout 60 "$EVIL" "$mode" "$PORT" "$TMP/alice" \
	    "$TMP/keys/server.key.pub" "$@" > "$TMP/evil.$mode.out" \
	    2> "$TMP/evil.$mode.err" &
	EVIL_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $EVIL_PID"
}

# Wait for the evil_client started by evil_from.
evil_wait() {
	wait "$EVIL_PID" || fail "evil_client: $(cat "$TMP"/evil.*.err)"
}

# Silent: 4 of 6 held, 2 refused; the held ones time out after 2 s.
evil_from 127.0.0.3 silent 6 4
sleep 1.2
legit_bg during-silent 2000
legit_wait
evil_wait
[ "$(cat "$TMP/evil.silent.out")" = "held 4 refused 2" ] ||
    fail "silent: $(cat "$TMP/evil.silent.out"), expected held 4 refused 2"
wait_count "handshake from 127.0.0.3:[0-9]* timed out" 4
wait_count "per_source_startups (4)" 2
after_group silent

# Slow: a HELLO at one byte a second does not extend the timeout.
evil_from 127.0.0.4 slow 6 10
sleep 1.2
legit_bg during-slow 2000
legit_wait
evil_wait
slow=$(cat "$TMP/evil.slow.out")
set -- $slow
[ "$2" = 4 ] && [ "$4" = 2 ] && [ "${10}" = 0 ] ||
    fail "slow: $slow, expected 4 held, 2 refused, none open"
lo=${7%..*}
hi=${7#*..}
[ "$lo" -ge 1800 ] && [ "$hi" -le 5000 ] ||
    fail "slow connections closed after $lo..$hi ms, expected about 2000"
wait_count "handshake from 127.0.0.4:[0-9]* timed out" 4
after_group slow

# Half-open: 500 connections begun and never used; the master holds no
# more than its limit of them, and serves the legitimate client.
evil_from 127.0.0.5 halfopen 500 3
sleep 1.5
fds_flood=$(fd_count "$SERVER_PID")
legit_bg during-halfopen 2000
legit_wait
evil_wait
[ "$fds_flood" -le $((fds0 + 4 + 2)) ] ||
    fail "the master held $fds_flood descriptors in a flood, $fds0 before"
after_group halfopen

# A client that never reads: its session stops reading (bounded by the
# socket buffers), stays small, and ends at the 3 s idle timeout.
LEGIT_PID=
a0=$(logcount "accepted alice")
evil_from 127.0.0.6 noread 8
wait_count "accepted alice" $((a0 + 1))
child=$(sed -n 's/.*accepted alice .*from 127\.0\.0\.6:.*session pid \([0-9]*\).*/\1/p' \
    "$TMP/server.log" | tail -n 1)
[ -n "$child" ] || fail "no session pid for the client that never reads"
rss() {
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null
}
rss0=
rssmax=0
i=0
while [ -d "/proc/$child" ] && [ $i -lt 150 ]; do
	r=$(rss "$child")
	if [ -n "$r" ]; then
		[ -n "$rss0" ] || rss0=$r
		[ "$r" -gt "$rssmax" ] && rssmax=$r
	fi
	if [ -z "${LEGIT_PID:-}" ] && grep -q stalled "$TMP/evil.noread.out"
	then
		legit_bg during-noread 2000
	fi
	sleep 0.1
	i=$((i + 1))
done
[ -n "$rss0" ] || fail "no memory figure for the session"
legit_wait
evil_wait
[ ! -d "/proc/$child" ] || fail "the session of a client that never reads did not end"
[ $((rssmax - rss0)) -lt 4096 ] ||
    fail "the session of a client that never reads grew from $rss0 to $rssmax kB"
wait_count "session alice from 127.0.0.6:[0-9]* ended" 1
SESSIONS=$((SESSIONS + 1))
after_group noread

# The master is as it was: descriptors, and no zombie.
i=0
while [ "$(fd_count "$SERVER_PID")" -ne "$fds0" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(fd_count "$SERVER_PID")" -eq "$fds0" ] ||
    fail "the master holds $(fd_count "$SERVER_PID") descriptors, $fds0 before"
[ -z "$(zombies_of "$SERVER_PID")" ] || fail "zombies: $(zombies_of "$SERVER_PID")"

line="attack_flood: silent 6 ($(cat "$TMP/evil.silent.out")), slow 6 ($slow), half-open $(sed 's/opened //' "$TMP/evil.halfopen.out") (master at $fds_flood descriptors, $fds0 idle), never-reading client ($(head -n 1 "$TMP/evil.noread.out"), $(tail -n 1 "$TMP/evil.noread.out"), RSS $rss0..$rssmax kB); legitimate clients during them in $(cat "$TMP"/legit.during-*.ms | tr '\n' ' ')ms"
echo "$line" > "$top_builddir/tests/attack_flood.report"
echo "PASS: $line"
