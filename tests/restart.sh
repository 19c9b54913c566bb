# Keys are created on first run and reused afterwards: restart the server
# and the client, and the same key files, fingerprints and allowlist entry
# still work.
. "$top_srcdir/tests/lib.sh"

# The client's identity is created on first run, with the line to send.
id="$TMP/home/.config/secchat/id"
HOME="$TMP/home" timeout 10 "$BIN/secchat" --show-key > "$TMP/first.out" \
    2>"$TMP/first.err" || fail "secchat --show-key on first run"
[ -f "$id" ] || fail "no identity created at $id"
[ "$(stat -c %a "$id")" = 600 ] || fail "identity mode is not 600"
grep -q "created a new identity in $id" "$TMP/first.err" ||
    fail "first run did not say where the identity is"
grep -q "= $(cat "$TMP/first.out")" "$TMP/first.err" ||
    fail "first run did not print the allowlist line"
cp "$id" "$TMP/id.before"
cp "$id" "$TMP/carol"
cp "$TMP/first.out" "$TMP/carol.pub"

# The server key is created on first start.
write_conf carol
start_server
grep -q "server key .*: created now" "$TMP/server.log" ||
    fail "server key not reported as created"
fp1=$(sed -n 's/.*server key \(BLAKE2b:[^ ]*\).*/\1/p' "$TMP/server.log")
[ "$(stat -c %a "$TMP/keys/server.key")" = 600 ] ||
    fail "server secret key mode is not 600"
cp "$TMP/keys/server.key" "$TMP/server.key.before"
echo one | HOME="$TMP/home" client carol -i "$id" > "$TMP/one.out" \
    2>"$TMP/one.err" || fail "first session: $(cat "$TMP/one.err")"
[ "$(cat "$TMP/one.out")" = one ] || fail "first echo differs"
stop_server

# Restarted: same keys, same fingerprints, still accepted.
start_server
grep -q "created now" "$TMP/server.log" && fail "server key created again"
fp2=$(sed -n 's/.*server key \(BLAKE2b:[^ ]*\).*/\1/p' "$TMP/server.log")
[ "$fp1" = "$fp2" ] || fail "server fingerprint changed: $fp1 -> $fp2"
cmp -s "$TMP/keys/server.key" "$TMP/server.key.before" ||
    fail "server key file changed"
echo two | HOME="$TMP/home" client carol -i "$id" > "$TMP/two.out" \
    2>"$TMP/two.err" || fail "second session: $(cat "$TMP/two.err")"
[ "$(cat "$TMP/two.out")" = two ] || fail "second echo differs"
grep -q "created a new identity" "$TMP/two.err" &&
    fail "client identity created again"
cmp -s "$id" "$TMP/id.before" || fail "client identity file changed"
[ "$(grep -c 'accepted carol' "$TMP/server.log")" = 1 ] ||
    fail "carol not accepted after the restart"

# A secret key readable by others is refused, as ssh does.
chmod 644 "$id"
echo three | client carol -i "$id" > /dev/null 2>"$TMP/perm.err"
[ $? -eq 1 ] || fail "a world-readable identity was used"
grep -q "chmod 600" "$TMP/perm.err" || fail "no chmod advice: $(cat "$TMP/perm.err")"
echo "PASS: keys created once, reused across restarts ($fp1)"
