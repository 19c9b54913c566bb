# The data port: a random port of data_ports, never the handshake port;
# strangers there do not break the session; a second connection after the
# client is in finds the listener closed.
. "$top_srcdir/tests/lib.sh"

mkkey alice
write_conf alice
start_server

n=0
while [ $n -lt 5 ]; do
	echo "m$n" | client alice > "$TMP/out" 2>"$TMP/err" ||
	    fail "session $n: $(cat "$TMP/err")"
	[ "$(cat "$TMP/out")" = "m$n" ] || fail "session $n echo differs"
	n=$((n + 1))
done
wait_log "session alice from .* ended"
ports=$(sed -n 's/.*session alice: data port \([0-9]*\).*/\1/p' \
    "$TMP/server.log")
[ "$(echo "$ports" | wc -l)" -ge 5 ] || fail "data ports not logged"
for p in $ports; do
	[ "$p" -ne "$PORT" ] || fail "data port equals the handshake port"
	[ "$p" -ge "$DATA_LOW" ] && [ "$p" -le "$DATA_HIGH" ] ||
	    fail "data port $p outside $DATA_LOW-$DATA_HIGH"
done

# Strangers on the data port before the real client.
"$EVIL" foreign "$PORT" "$TMP/alice" "$TMP/keys/server.key.pub" ||
    fail "evil_client foreign"
wait_log "data connection from .* refused"
server_alive
echo "PASS: data ports $(echo $ports) in $DATA_LOW-$DATA_HIGH; strangers refused"
