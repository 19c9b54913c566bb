# Stress with faults, nothing lost: tests/stress holds 300 sessions at
# once, each echoing messages of random sizes (0 to 64 KiB) checked byte
# for byte, while session children are killed (SIGKILL), the master is
# reloaded (SIGHUP) again and again, clients vanish within a frame, and
# the handshake port is attacked.  Only the killed sessions' clients see
# an error; the master ends with the descriptors and about the memory it
# had before, and no zombie.  The figures go to tests/stress.report.
# STRESS_SESSIONS and STRESS_MESSAGES (per session) scale it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attack_lib.sh"

sessions=${STRESS_SESSIONS:-300}
messages=${STRESS_MESSAGES:-100}
kills=10
hups=20
vanish=10
attacks=30

# Two descriptors a session here, two more in the master at the peak.
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((2 * sessions + 100)) ] ||
    fail "ulimit -n $(ulimit -n) is too low for $sessions sessions"

mkkey alice
EXTRA_CONF="penalty_failures = 0
max_sessions = $((sessions + 100))
max_startups = $((sessions + 100))
per_source_startups = $((sessions + 100))" write_conf alice
# Any free port for the data listeners: 300 at once would crowd a range.
sed 's/^data_ports = .*/data_ports = 0/' "$TMP/server.ini" > "$TMP/s.ini" &&
    mv "$TMP/s.ini" "$TMP/server.ini"
start_server

# The master at rest, after one session has run.
legit before
sleep 0.5
fds0=$(fd_count "$SERVER_PID")
rss() {
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"
}
rss0=$(rss "$SERVER_PID")

st0=$(now_ms)
timeout 300 "$top_builddir/tests/stress" -n "$sessions" -m "$messages" \
    -k $kills -H $hups -v $vanish -a $attacks -t 240 "$PORT" "$TMP/alice" \
    "$TMP/keys/server.key.pub" "$SERVER_PID" "$TMP/server.log" \
    > "$TMP/stress.out" 2> "$TMP/stress.err"
st=$?
st1=$(now_ms)
cat "$TMP/stress.out"
[ $st -eq 0 ] || fail "stress exited $st: $(cat "$TMP/stress.err")"

# Every session child ends (the killed ones reaped), and the log agrees
# with the client's count.
i=0
while [ "$(pgrep -c -P "$SERVER_PID")" -gt 0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(pgrep -c -P "$SERVER_PID")" -eq 0 ] ||
    fail "session children left: $(pgrep -P "$SERVER_PID" | tr '\n' ' ')"
[ -z "$(zombies_of "$SERVER_PID")" ] || fail "zombies: $(zombies_of "$SERVER_PID")"
[ "$(logcount "killed by signal 9")" -eq $kills ] ||
    fail "$(logcount "killed by signal 9") children killed, expected $kills"
[ "$(logcount "lost: end of file within a frame")" -eq $vanish ] ||
    fail "$(logcount "lost: end of file within a frame") vanished clients logged, expected $vanish"
reloads=$(logcount "reloaded ")
[ "$reloads" -ge 1 ] || fail "no reload logged"
[ "$(logcount "exited with status 0")" -eq $((sessions - kills + 1)) ] ||
    fail "$(logcount "exited with status 0") sessions ended in order, expected $((sessions - kills + 1))"

# The master as it was: descriptors exactly, memory within 3 MiB (the
# quarantine of AddressSanitizer holds about 1 MiB of freed handshakes).
sleep 0.5
fds1=$(fd_count "$SERVER_PID")
rss1=$(rss "$SERVER_PID")
[ "$fds1" -eq "$fds0" ] || fail "the master holds $fds1 descriptors, $fds0 before"
[ "$rss1" -le $((rss0 + 3072)) ] ||
    fail "the master grew from $rss0 to $rss1 kB"
legit after

{
	sed -n 's/^stress: //p' "$TMP/stress.out" | grep -v '^seed'
	echo "master: $fds0 descriptors before, $fds1 after; RSS $rss0 kB before, $rss1 kB after; $reloads reloads logged of $hups SIGHUP; no zombie; $(((st1 - st0) / 1000)) s in all"
} | sed 's/^/stress: /' > "$top_builddir/tests/stress.report"
cat "$top_builddir/tests/stress.report"
echo "PASS: $sessions sessions x $messages messages under faults, nothing lost"
