# Live revocation: remove a key from server.ini and send SIGHUP; that key's
# session ends within one second, in order and with a reason, while
# another key's session goes on.
. "$top_srcdir/tests/lib.sh"

mkkey alice
mkkey bob
write_conf alice bob
start_server

# Both hold a session open; alice sends again after the reload.
client_bg alice "echo a1; sleep 3; echo a2"
client_bg bob "echo b1; sleep 10; echo b2"
wait_log_count 'client connected to the data port' 2

grep -v '^bob = ' "$TMP/server.ini" > "$TMP/server.ini.new"
mv "$TMP/server.ini.new" "$TMP/server.ini"
t0=$(now_ms)
kill -HUP "$SERVER_PID"
client_wait bob 5
ms=$(($(cat "$TMP/bob.end") - t0))
[ "$(cat "$TMP/bob.st")" -eq 2 ] ||
    fail "bob's revoked client exited $(cat "$TMP/bob.st"), expected 2"
[ $ms -lt 1000 ] || fail "revocation took $ms ms"
grep -q "the server closed the session: access revoked" "$TMP/bob.err" ||
    fail "bob not told: $(cat "$TMP/bob.err")"
[ "$(cat "$TMP/bob.out")" = b1 ] || fail "bob's output: $(cat "$TMP/bob.out")"
wait_log "revoking session pid [0-9]* of bob .*: key no longer on the allowlist"
wait_log "session bob from .* ended (access revoked)"

client_wait alice 10
[ "$(cat "$TMP/alice.st")" -eq 0 ] ||
    fail "alice's session did not go on: $(cat "$TMP/alice.err")"
[ "$(printf 'a1\na2')" = "$(cat "$TMP/alice.out")" ] ||
    fail "alice's output: $(cat "$TMP/alice.out")"
echo "PASS: revoked session ended in $ms ms; the other went on"
