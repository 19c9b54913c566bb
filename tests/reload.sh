# SIGHUP re-reads server.ini: a key added to the allowlist is accepted
# without a restart; a configuration with errors is refused with a log
# line and the running one stays in force.
. "$top_srcdir/tests/lib.sh"

mkkey alice
mkkey bob
write_conf alice
start_server

echo hi | client bob > /dev/null 2>&1
[ $? -eq 3 ] || fail "bob was not refused before the reload"

# Add bob and reload.
cp "$TMP/server.ini" "$TMP/server.ini.good"
echo "bob = $(cat "$TMP/bob.pub")" >> "$TMP/server.ini"
kill -HUP "$SERVER_PID"
wait_log "reloaded .*: 2 allowed keys"
echo hi | client bob > "$TMP/bob.out" 2>"$TMP/bob.err" ||
    fail "bob refused after the reload: $(cat "$TMP/bob.err")"
[ "$(cat "$TMP/bob.out")" = hi ] || fail "bob's echo differs"

# A typo: the reload is refused and everything goes on as before.
echo "typo here" >> "$TMP/server.ini"
kill -HUP "$SERVER_PID"
wait_log "reload failed, the running configuration stays: .*server.ini:[0-9]*:"
server_alive
echo still | client bob > "$TMP/bob.out" 2>"$TMP/bob.err" ||
    fail "bob refused after a failed reload: $(cat "$TMP/bob.err")"
[ "$(cat "$TMP/bob.out")" = still ] || fail "echo after a failed reload differs"

# Back to alice alone: bob is refused again.
cp "$TMP/server.ini.good" "$TMP/server.ini"
kill -HUP "$SERVER_PID"
wait_log "reloaded .*: 1 allowed keys"
echo hi | client bob > /dev/null 2>&1
[ $? -eq 3 ] || fail "bob was not refused after being removed"
echo "PASS: SIGHUP adds and removes keys; a broken config changes nothing"
