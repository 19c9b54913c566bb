# Shared functions for secchat's integration tests; sourced by each
# tests/*.sh script.  Everything runs on 127.0.0.1 with ports the kernel
# (handshake) or a random range (data) picks, in a private temporary
# directory; every process started is stopped by PID on exit.

: "${top_srcdir:=.}" "${top_builddir:=.}"
BIN=$top_builddir/src
EVIL=$top_builddir/tests/evil_client
TMP=$(mktemp -d "${TMPDIR:-/tmp}/secchat-test.XXXXXX") || exit 99
SERVER_PID=
PORT=
EXTRA_PIDS=

# make check-valgrind sets VALGRIND to a valgrind command: it then comes
# before every secchatd and secchat started by start_server and client, and
# each process (session children too) reports to $TMP/valgrind.PID.log;
# an error or a definite leak there fails the test.  Everything is slower
# under valgrind: the waits below are SLOW times longer.
VALGRIND=${VALGRIND:-}
VG=
SLOW=1
if [ -n "$VALGRIND" ]; then
	VG="$VALGRIND --log-file=$TMP/valgrind.%p.log"
	SLOW=${VALGRIND_SLOW:-10}
fi

# Stop the server (and its session children), fail the test if any
# program reported a sanitizer error, and remove the directory.
cleanup() {
	rc=$?
	stop_server
	for pid in $EXTRA_PIDS; do
		kill "$pid" 2>/dev/null
	done
	if grep -D skip -l -E "Sanitizer|runtime error:" "$TMP"/* 2>/dev/null; then
		echo "FAIL: sanitizer reports above, in:"
		grep -D skip -h -A20 -E "Sanitizer|runtime error:" "$TMP"/* | head -80
		rc=1
	fi
	if [ -n "$VALGRIND" ] && ! ls "$TMP"/valgrind.*.log >/dev/null 2>&1
	then
		echo "FAIL: nothing ran under valgrind"
		rc=1
	elif [ -n "$VALGRIND" ] && grep -l -E "ERROR SUMMARY: [1-9]" \
	    "$TMP"/valgrind.*.log; then
		echo "FAIL: valgrind reports above:"
		grep -l -E "ERROR SUMMARY: [1-9]" "$TMP"/valgrind.*.log |
		    xargs cat | head -200
		rc=1
	fi
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Report a failure with the server's log, and exit 1.
fail() {
	echo "FAIL: $*"
	if [ -f "$TMP/server.log" ]; then
		echo "--- server log"
		cat "$TMP/server.log"
	fi
	exit 1
}

# Create the key pair $TMP/$1 (and $1.pub).
mkkey() {
	"$BIN/secchat-keygen" -q -C "$1" -f "$TMP/$1" >/dev/null ||
	    fail "secchat-keygen -f $1"
}

# Write $TMP/server.ini allowing each key named in the arguments.  The data
# ports are a random range of 200, so that tests running at once rarely
# meet (and when they do, secchatd picks another free port in the range).
write_conf() {
	DATA_LOW=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 200 * 200))
	DATA_HIGH=$((DATA_LOW + 199))
	{
		echo "[server]"
		echo "listen = 127.0.0.1"
		echo "port = 0"
		echo "data_ports = $DATA_LOW-$DATA_HIGH"
		echo "secret_key = keys/server.key"
		echo "handshake_timeout = ${HANDSHAKE_TIMEOUT:-10}"
		echo "data_accept_timeout = ${DATA_ACCEPT_TIMEOUT:-10}"
		echo "idle_timeout = ${IDLE_TIMEOUT:-600}"
		[ -n "${EXTRA_CONF:-}" ] && printf '%s\n' "$EXTRA_CONF"
		echo "[allow]"
		for name in "$@"; do
			echo "$name = $(cat "$TMP/$name.pub") ${ALLOW_OPTIONS:-}"
		done
	} > "$TMP/server.ini"
}

# Start secchatd in the foreground on $TMP/server.ini and wait (10 s at
# most) until it listens; sets SERVER_PID and PORT.
start_server() {
	: > "$TMP/server.log"
	$VG "$BIN/secchatd" -D -v -f "$TMP/server.ini" 2>>"$TMP/server.log" &
	SERVER_PID=$!
	i=0
	while [ $i -lt $((100 * SLOW)) ]; do
		PORT=$(sed -n 's/.*listening on .* port \([0-9]*\) .*/\1/p' \
		    "$TMP/server.log" | head -n 1)
		[ -n "$PORT" ] && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || fail "secchatd exited"
		sleep 0.1
		i=$((i + 1))
	done
	fail "secchatd did not start listening within $((10 * SLOW)) s"
}

# Stop the server started by start_server, with its session children.
stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	pkill -TERM -P "$SERVER_PID" 2>/dev/null
	kill -TERM "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
}

# Check that the server still runs.
server_alive() {
	kill -0 "$SERVER_PID" 2>/dev/null || fail "secchatd died"
}

# Run the client as key $1 against the server, pinned, with the remaining
# arguments; bounded to 60 s.
client() {
	key=$1
	shift
	timeout $((60 * SLOW)) $VG "$BIN/secchat" -i "$TMP/$key" -p "$PORT" \
	    --server-key "$TMP/keys/server.key.pub" "$@" 127.0.0.1
}

# Run the client as key $1 against the server, not pinned, with the
# remaining arguments, in a new session without a controlling terminal
# (so that it can never ask on the one running the tests); bounded to 60 s.
# Its known_hosts is $XDG_CONFIG_HOME/secchat/known_hosts.
client_unpinned() {
	key=$1
	shift
	timeout 60 setsid -w "$BIN/secchat" -i "$TMP/$key" -p "$PORT" "$@" \
	    127.0.0.1
}

# Make the server of $TMP/server.ini forgive failed handshakes: the client
# tests end many on purpose, from the one address.
no_penalty() {
	sed 's/^\[server\]$/[server]\npenalty_failures = 0/' \
	    "$TMP/server.ini" > "$TMP/server.ini.new" &&
	    mv "$TMP/server.ini.new" "$TMP/server.ini"
}

# Give the client a home of its own in $TMP: its identity, known_hosts and
# client.ini go to $TMP/xdg/secchat, never to the user's.
private_home() {
	HOME=$TMP
	XDG_CONFIG_HOME=$TMP/xdg
	export HOME XDG_CONFIG_HOME
}

# Write $2 random printable characters (no newline) to file $1.
random_message() {
	head -c $(($2 * 3 / 4 + 3)) /dev/urandom | base64 -w0 |
	    head -c "$2" > "$1"
}

# Milliseconds since the epoch.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# Run the client as key $1 in the background, its standard input fed from
# a FIFO by the shell command $2 (also in the background); when the client
# exits, its status goes to $TMP/$1.st and the time (ms) to $TMP/$1.end.
# Output in $TMP/$1.out and $TMP/$1.err.
client_bg() {
	rm -f "$TMP/$1.in" "$TMP/$1.st" "$TMP/$1.end"
	mkfifo "$TMP/$1.in"
	sh -c "$2" > "$TMP/$1.in" &
	EXTRA_PIDS="$EXTRA_PIDS $!"
	{
		client "$1" < "$TMP/$1.in" > "$TMP/$1.out" 2> "$TMP/$1.err"
		echo $? > "$TMP/$1.st"
		now_ms > "$TMP/$1.end"
	} &
	EXTRA_PIDS="$EXTRA_PIDS $!"
}

# Wait (${2:-10} s at most) until the client_bg client $1 has exited.
client_wait() {
	i=0
	while [ ! -s "$TMP/$1.end" ] && [ $i -lt $((${2:-10} * 10 * SLOW)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$TMP/$1.end" ] || fail "client $1 did not exit"
}

# Wait (5 s at most) until the server log holds $2 lines matching $1.
wait_log_count() {
	i=0
	while [ "$(grep -c -- "$1" "$TMP/server.log")" -lt "$2" ] &&
	    [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# Wait (5 s at most) until the server log matches the pattern $1.
wait_log() {
	i=0
	while [ $i -lt $((50 * SLOW)) ]; do
		grep -q -- "$1" "$TMP/server.log" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "the server log never showed: $1"
}
