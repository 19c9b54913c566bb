# How sessions end: the idle timeout closes a silent session in order and
# tells the client why; a session child killed with SIGKILL costs its
# client alone, is reaped (no zombie), and the server keeps serving.
. "$top_srcdir/tests/lib.sh"

mkkey alice
IDLE_TIMEOUT=1 write_conf alice
start_server

# Idle: the client says nothing for 3 s (SLOW times that under valgrind);
# the server closes after 1 s.
(echo first; sleep $((3 * SLOW))) | client alice > "$TMP/idle.out" \
    2>"$TMP/idle.err"
st=$?
[ $st -eq 2 ] || fail "idle client exited $st, expected 2"
[ "$(cat "$TMP/idle.out")" = first ] || fail "the reply before the idle close was lost"
grep -q "the server closed the session: idle timeout" "$TMP/idle.err" ||
    fail "the client was not told about the idle timeout: $(cat "$TMP/idle.err")"
wait_log "ended (idle timeout)"
stop_server

# A child killed with SIGKILL in the middle of a session.
write_conf alice
start_server
(echo first; sleep 20) | client alice > "$TMP/kill.out" 2>"$TMP/kill.err" &
cpid=$!
EXTRA_PIDS=$cpid
wait_log "client connected to the data port"
child=$(sed -n 's/.*accepted alice .*session pid \([0-9]*\).*/\1/p' \
    "$TMP/server.log")
[ -n "$child" ] || fail "no session pid logged"
kill -KILL "$child"
wait $cpid
st=$?
EXTRA_PIDS=
[ $st -eq 2 ] || fail "the client of a killed session exited $st, expected 2"
grep -q "connection to the server was lost" "$TMP/kill.err" ||
    fail "the client was not told: $(cat "$TMP/kill.err")"
wait_log "session pid $child killed by signal 9"
[ -e "/proc/$child" ] && fail "session pid $child was not reaped"
server_alive
echo again | client alice > "$TMP/again.out" 2>"$TMP/again.err" ||
    fail "no session after a child was killed: $(cat "$TMP/again.err")"
[ "$(cat "$TMP/again.out")" = again ] || fail "echo after the kill differs"
echo "PASS: idle timeout closes in order; a killed child is reaped, the server serves on"
