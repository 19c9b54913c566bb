# Attacks a client could try: an allowed public key without its secret,
# a flipped byte on the data connection, another protocol version.  Each
# fails for the attacker alone; the server keeps serving.
. "$top_srcdir/tests/lib.sh"

mkkey alice
mkkey mallory
write_conf alice
start_server

# An impostor knows alice's public key, not her secret.
"$EVIL" impostor "$PORT" "$TMP/mallory" "$TMP/keys/server.key.pub" \
    "$TMP/alice.pub" || fail "evil_client impostor"
wait_log "handshake from .* failed: handshake authentication failed"
grep -q "accepted" "$TMP/server.log" && fail "the impostor was accepted"
grep -q "data port" "$TMP/server.log" && fail "the impostor got a data port"

# A flipped byte on the data connection ends that session only.
"$EVIL" flip "$PORT" "$TMP/alice" "$TMP/keys/server.key.pub" ||
    fail "evil_client flip"
wait_log "protocol error from .*: frame failed authentication"
wait_log "session pid [0-9]* exited with status 1"

# Another protocol version gets a clear ERROR, and the real client too.
"$EVIL" version "$PORT" "$TMP/alice" "$TMP/keys/server.key.pub" ||
    fail "evil_client version"
wait_log "peer speaks another protocol version"

# Garbage on the handshake port costs that one connection.
"$EVIL" garbage "$PORT" "$TMP/alice" "$TMP/keys/server.key.pub" ||
    fail "evil_client garbage"
wait_log "handshake from .* failed: peer does not speak the secchat protocol"
server_alive
echo ok | client alice > "$TMP/out" 2>"$TMP/err" ||
    fail "alice after the attacks: $(cat "$TMP/err")"
[ "$(cat "$TMP/out")" = ok ] || fail "echo after the attacks differs"

# A wrong pinned server key: refused before anything is sent.
echo secret | timeout 30 "$BIN/secchat" -i "$TMP/alice" -p "$PORT" \
    --server-key "$TMP/mallory.pub" 127.0.0.1 > "$TMP/out" 2>"$TMP/err"
[ $? -eq 4 ] || fail "a wrong server key did not exit 4"
grep -q "WARNING" "$TMP/err" || fail "no warning for a wrong server key"
echo "PASS: impostor, tampering, version, wrong pin all refused"
