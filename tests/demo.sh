#!/bin/sh
# The README's first command ends here (make demo): start a private
# secchatd on 127.0.0.1, create a client identity, put it on the
# allowlist, and chat with the server.  On a terminal you type the
# messages (Ctrl-D or end of input to finish); otherwise a few lines are
# sent for you.  Everything lives in a temporary directory, removed at exit.
set -u
: "${top_builddir:=.}"
BIN=$top_builddir/src
DIR=$(mktemp -d "${TMPDIR:-/tmp}/secchat-demo.XXXXXX") || exit 1
SERVER_PID=

cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null &&
	    wait "$SERVER_PID" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "== 1. a client identity (secchat creates it on first run)"
"$BIN/secchat" -i "$DIR/client/id" --show-key > "$DIR/client.pub" || exit 1

echo "== 2. server.ini with that key on the allowlist"
cat > "$DIR/server.ini" <<EOC
[server]
listen = 127.0.0.1
port = 0
data_ports = 0
secret_key = keys/server.key
[allow]
demo = $(cat "$DIR/client.pub")
EOC
cat "$DIR/server.ini"

echo "== 3. secchatd (its key pair is created on first start)"
"$BIN/secchatd" -D -f "$DIR/server.ini" 2> "$DIR/server.log" &
SERVER_PID=$!
i=0
while ! grep -q "listening on" "$DIR/server.log" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
sed 's/^/   server: /' "$DIR/server.log"
PORT=$(sed -n 's/.*listening on .* port \([0-9]*\) .*/\1/p' "$DIR/server.log")
[ -n "$PORT" ] || { echo "secchatd did not start"; exit 1; }

echo "== 4. secchat, pinned to the server's key (echo mode: every message comes back)"
if [ -t 0 ]; then
	echo "   type messages; Ctrl-D ends the session"
	"$BIN/secchat" -i "$DIR/client/id" -p "$PORT" \
	    --server-key "$DIR/keys/server.key.pub" 127.0.0.1
else
	printf 'hello, secchat\nthis line travels encrypted\nbye\n' |
	    "$BIN/secchat" -i "$DIR/client/id" -p "$PORT" \
	    --server-key "$DIR/keys/server.key.pub" 127.0.0.1 |
	    sed 's/^/   reply: /'
fi
status=$?
sleep 0.2
echo "== 5. what the server logged"
sed 's/^/   server: /' "$DIR/server.log"
exit $status
