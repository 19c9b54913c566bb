# Per-key policy in the allowlist: expires=, from=, max_sessions=.  A key
# refused by its policy is told why; an expiry that passes during a session
# (even one a reload added) ends it in order.
. "$top_srcdir/tests/lib.sh"

mkkey alice
mkkey bob
mkkey carol
mkkey dave
write_conf
{
	echo "alice = $(cat "$TMP/alice.pub") expires=2001-01-01"
	echo "bob = $(cat "$TMP/bob.pub") from=10.0.0.0/8,192.0.2.1"
	echo "carol = $(cat "$TMP/carol.pub") from=127.0.0.0/8 max_sessions=1 carol@laptop"
	echo "dave = $(cat "$TMP/dave.pub")"
} >> "$TMP/server.ini"
start_server

echo x | client alice > /dev/null 2>"$TMP/alice.err"
[ $? -eq 3 ] || fail "an expired key was not refused with 3"
grep -q "expired" "$TMP/alice.err" || fail "alice not told: $(cat "$TMP/alice.err")"
wait_log "refused alice .*: key expired"

echo x | client bob > /dev/null 2>"$TMP/bob.err"
[ $? -eq 3 ] || fail "a key from the wrong source was not refused with 3"
grep -q "may not be used from this address" "$TMP/bob.err" ||
    fail "bob not told: $(cat "$TMP/bob.err")"
wait_log "refused bob .*: source address not allowed"

# carol: one session at a time.
(echo one; sleep 3) | client carol > "$TMP/carol1.out" 2>/dev/null &
c1=$!
EXTRA_PIDS=$c1
wait_log "session carol: client connected"
echo two | client carol > /dev/null 2>"$TMP/carol2.err"
[ $? -eq 3 ] || fail "carol's second session was not refused with 3"
grep -q "as many sessions as it may have" "$TMP/carol2.err" ||
    fail "carol not told: $(cat "$TMP/carol2.err")"
wait $c1 || fail "carol's first session failed"
EXTRA_PIDS=
[ "$(cat "$TMP/carol1.out")" = one ] || fail "carol's echo differs"

# dave's session is running when a reload gives his key an expiry 2 s
# ahead: the session ends then, in order, with the reason.
client_bg dave "echo before; sleep 8; echo after"
wait_log "session dave: client connected"
soon=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%S)
sed -i "s|^dave = .*|dave = $(cat "$TMP/dave.pub") expires=$soon|" "$TMP/server.ini"
kill -HUP "$SERVER_PID"
wait_log "reloaded"
client_wait dave 6
[ "$(cat "$TMP/dave.st")" -eq 2 ] ||
    fail "dave's session did not end at expiry (exit $(cat "$TMP/dave.st"))"
[ "$(cat "$TMP/dave.out")" = before ] || fail "dave's output: $(cat "$TMP/dave.out")"
grep -q "the server closed the session: key expired" "$TMP/dave.err" ||
    fail "dave not told: $(cat "$TMP/dave.err")"
wait_log "ending session pid [0-9]* of dave .*: key expired"
wait_log "session dave from .* ended (key expired)"
echo "PASS: expires, from, max_sessions refused with reasons; expiry ends a live session"
