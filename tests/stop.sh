# SIGTERM: secchatd stops accepting, closes every session in order, and
# exits 0 leaving no process behind.  Without -D it detaches and writes
# its pid file, which it removes at exit.
. "$top_srcdir/tests/lib.sh"

mkkey alice
EXTRA_CONF="pid_file = $TMP/secchatd.pid" write_conf alice
start_server

(echo one; sleep 20) | client alice > "$TMP/1.out" 2>"$TMP/1.err" &
c1=$!
(echo two; sleep 20) | client alice > "$TMP/2.out" 2>"$TMP/2.err" &
c2=$!
EXTRA_PIDS="$c1 $c2"
wait_log_count 'client connected to the data port' 2
[ "$(cat "$TMP/secchatd.pid")" = "$SERVER_PID" ] || fail "pid file"
children=$(sed -n 's/.*session pid \([0-9]*\)$/\1/p' "$TMP/server.log")
[ -n "$children" ] || fail "no session pids logged"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
st=$?
SERVER_PID=
[ $st -eq 0 ] || fail "secchatd exited $st on SIGTERM"
for pid in $children; do
	[ -e "/proc/$pid" ] && fail "session pid $pid left behind"
done
wait $c1; s1=$?
wait $c2; s2=$?
EXTRA_PIDS=
[ $s1 -eq 2 ] && [ $s2 -eq 2 ] || fail "clients exited $s1 $s2, expected 2"
grep -q "the server closed the session: server shutting down" "$TMP/1.err" ||
    fail "client 1 not told: $(cat "$TMP/1.err")"
grep -q "stopped: 2 sessions closed" "$TMP/server.log" || fail "no stop log"
[ -e "$TMP/secchatd.pid" ] && fail "pid file left behind"

# Detached: the parent returns, the daemon runs and serves, and stops.
"$BIN/secchatd" -f "$TMP/server.ini" 2>"$TMP/detach.err" ||
    fail "secchatd without -D: $(cat "$TMP/detach.err")"
PORT=$(sed -n 's/.*listening on .* port \([0-9]*\) .*/\1/p' "$TMP/detach.err")
i=0
while [ ! -s "$TMP/secchatd.pid" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
SERVER_PID=$(cat "$TMP/secchatd.pid")
[ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" || fail "no daemon running"
[ "$(ps -o sid= -p "$SERVER_PID" | tr -d ' ')" = "$SERVER_PID" ] ||
    fail "the daemon is not a session leader"
[ "$(readlink "/proc/$SERVER_PID/cwd")" = / ] || fail "the daemon did not chdir /"
echo detached | client alice > "$TMP/d.out" 2>"$TMP/d.err" ||
    fail "the daemon did not serve: $(cat "$TMP/d.err")"
kill -TERM "$SERVER_PID"
i=0
while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$SERVER_PID" 2>/dev/null && fail "the daemon did not stop"
SERVER_PID=
[ -e "$TMP/secchatd.pid" ] && fail "pid file left behind by the daemon"
echo "PASS: SIGTERM closes sessions in order and leaves no process; daemon mode"
