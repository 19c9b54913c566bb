# Several listen addresses, IPv4 and IPv6: a client over ::1 and one over
# 127.0.0.1 both get sessions, each on a data port at the address it used.
. "$top_srcdir/tests/lib.sh"

if ! ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	echo "SKIP: no IPv6 on the loopback interface"
	exit 77
fi
mkkey alice
write_conf alice
sed -i 's/^listen = .*/listen = 127.0.0.1, ::1/' "$TMP/server.ini"
start_server
wait_log "listening on ::1 port $PORT"

echo six | timeout 60 "$BIN/secchat" -i "$TMP/alice" -p "$PORT" \
    --server-key "$TMP/keys/server.key.pub" ::1 > "$TMP/6.out" 2>"$TMP/6.err" ||
    fail "client over ::1: $(cat "$TMP/6.err")"
[ "$(cat "$TMP/6.out")" = six ] || fail "echo over IPv6 differs"
wait_log "accepted alice .* from \[::1\]"
wait_log "client connected to the data port from \[::1\]"
echo four | client alice > "$TMP/4.out" 2>"$TMP/4.err" ||
    fail "client over 127.0.0.1: $(cat "$TMP/4.err")"
[ "$(cat "$TMP/4.out")" = four ] || fail "echo over IPv4 differs"
echo "PASS: IPv4 and IPv6 listeners on one port"
