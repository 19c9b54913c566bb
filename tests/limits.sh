# Limits on the unauthenticated surface: max_startups, per_source_startups
# and max_sessions are counted and enforced; a source that keeps failing
# handshakes is penalised; and a flood of silent connections and garbage
# from one host (127.0.0.2) does not keep a legitimate client (127.0.0.1)
# from completing a session within 2 seconds.
. "$top_srcdir/tests/lib.sh"

mkkey alice
mkkey bob

# per_source_startups = 4: of 10 silent connections from 127.0.0.2, 4 are
# held and 6 refused; 127.0.0.1 still gets in quickly.
EXTRA_CONF="per_source_startups = 4
max_startups = 20
max_sessions = 2
penalty_failures = 3
penalty_duration = 3" write_conf alice bob
start_server
EVIL_SOURCE=127.0.0.2 "$EVIL" silent "$PORT" "$TMP/alice" \
    "$TMP/keys/server.key.pub" 10 4 > "$TMP/silent.out" &
spid=$!
EXTRA_PIDS=$spid
sleep 1.5
[ "$(head -1 "$TMP/silent.out")" = "held 4 refused 6" ] ||
    fail "per_source_startups: $(cat "$TMP/silent.out"), expected held 4 refused 6"
grep -q "per_source_startups (4)" "$TMP/server.log" ||
    fail "per_source_startups refusals not logged"

# Garbage from the same host: after 3 failures it is penalised...
n=0
while [ $n -lt 3 ]; do
	EVIL_SOURCE=127.0.0.2 "$EVIL" garbage "$PORT" "$TMP/alice" \
	    "$TMP/keys/server.key.pub" > /dev/null 2>&1
	n=$((n + 1))
done
wait_log "penalising 127.0.0.2:[0-9]* for 3 s"

# ...while the legitimate client, from 127.0.0.1, is served at once.
t0=$(now_ms)
echo fast | client alice > "$TMP/fast.out" 2>"$TMP/fast.err" ||
    fail "legitimate client during the flood: $(cat "$TMP/fast.err")"
t1=$(now_ms)
[ "$(cat "$TMP/fast.out")" = fast ] || fail "echo during the flood differs"
[ $((t1 - t0)) -lt 2000 ] || fail "legitimate session took $((t1 - t0)) ms"

# The penalised host is refused at accept, then admitted after 3 s.
EVIL_SOURCE=127.0.0.2 "$EVIL" silent "$PORT" "$TMP/alice" \
    "$TMP/keys/server.key.pub" 1 0 > "$TMP/pen.out"
[ "$(cat "$TMP/pen.out")" = "held 0 refused 1" ] ||
    fail "a penalised source was not refused: $(cat "$TMP/pen.out")"
wait $spid
EXTRA_PIDS=
sleep 3
EVIL_SOURCE=127.0.0.2 "$EVIL" version "$PORT" "$TMP/alice" \
    "$TMP/keys/server.key.pub" || fail "the penalty did not end"

# max_sessions = 2: a third session is refused as busy, then admitted.
(echo one; sleep 4) | client alice > /dev/null 2>&1 &
s1=$!
(echo two; sleep 4) | client bob > /dev/null 2>&1 &
s2=$!
EXTRA_PIDS="$s1 $s2"
wait_log_count 'client connected to the data port' 3
echo three | client alice > /dev/null 2>"$TMP/busy.err"
st=$?
[ $st -eq 3 ] || fail "a session over max_sessions exited $st, expected 3"
grep -q "busy" "$TMP/busy.err" || fail "not told busy: $(cat "$TMP/busy.err")"
wait_log "max_sessions reached"
wait $s1 $s2
EXTRA_PIDS=
echo four | client alice > "$TMP/four.out" 2>/dev/null ||
    fail "no session once the others ended"
stop_server

# max_startups = 3 for everyone: the fourth silent connection is refused.
EXTRA_CONF="max_startups = 3" write_conf alice
start_server
"$EVIL" silent "$PORT" "$TMP/alice" "$TMP/keys/server.key.pub" 5 0 \
    > "$TMP/max.out"
[ "$(cat "$TMP/max.out")" = "held 3 refused 2" ] ||
    fail "max_startups: $(cat "$TMP/max.out"), expected held 3 refused 2"
grep -q "max_startups (3)" "$TMP/server.log" || fail "max_startups not logged"
echo "PASS: per_source_startups, penalty, max_sessions, max_startups enforced; legitimate session in $((t1 - t0)) ms under flood"
