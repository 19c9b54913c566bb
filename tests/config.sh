# secchatd -t accepts the sample configuration and rejects broken ones,
# naming the file and line; -T prints a configuration that reads back.
. "$top_srcdir/tests/lib.sh"

mkkey alice
write_conf alice
"$BIN/secchatd" -t -f "$TMP/server.ini" > "$TMP/out" 2>&1 ||
    fail "-t rejected a good config: $(cat "$TMP/out")"
"$BIN/secchatd" -t -f "$top_srcdir/etc/server.ini" > "$TMP/out" 2>&1 ||
    fail "-t rejected the sample: $(cat "$TMP/out")"

# Each broken line is named by -t, which exits 1.
check_bad() {
	line=$1
	printf '%s\n' "$2" > "$TMP/bad.ini"
	"$BIN/secchatd" -t -f "$TMP/bad.ini" > "$TMP/out" 2>&1
	[ $? -eq 1 ] || fail "-t accepted: $2"
	grep -q "bad.ini:$line: " "$TMP/out" ||
	    fail "-t did not name line $line for: $2 (said: $(cat "$TMP/out"))"
}
check_bad 2 "[server]
prot = 7070"
check_bad 3 "[server]
listen = 127.0.0.1
port = seventy"
check_bad 2 "[server]
data_ports = 5000-4000"
check_bad 1 "[servr]"
check_bad 2 "[server]
mode = telepathy"
check_bad 3 "[server]
port = 7070
port = 7071"
check_bad 3 "[allow]
alice = $(cat "$TMP/alice.pub")
bob = $(cat "$TMP/alice.pub")"
check_bad 2 "[allow]
alice = secchat-public-v1 not-base64"
check_bad 2 "[server]
this line has no equals sign"

# As root, a session user that does not exist is caught by -t, not by
# the first client.
if [ "$(id -u)" = 0 ]; then
	printf '[server]\nuser = no-such-user-secchat\n' > "$TMP/user.ini"
	"$BIN/secchatd" -t -f "$TMP/user.ini" > "$TMP/out" 2>&1
	[ $? -eq 1 ] || fail "-t accepted a user that does not exist"
	grep -q "user no-such-user-secchat: no such user" "$TMP/out" ||
	    fail "-t did not name the user: $(cat "$TMP/out")"
fi

# A missing file, and a secret key others can read.
"$BIN/secchatd" -t -f "$TMP/missing.ini" > "$TMP/out" 2>&1
[ $? -eq 1 ] || fail "-t accepted a missing file"
start_server
stop_server
chmod 644 "$TMP/keys/server.key"
"$BIN/secchatd" -t -f "$TMP/server.ini" > "$TMP/out" 2>&1
[ $? -eq 1 ] || fail "-t accepted a world-readable secret key"
grep -q "chmod 600" "$TMP/out" || fail "no chmod advice: $(cat "$TMP/out")"
"$BIN/secchatd" -D -f "$TMP/server.ini" > "$TMP/out" 2>&1
[ $? -eq 1 ] || fail "secchatd started with a world-readable secret key"
chmod 600 "$TMP/keys/server.key"

# -T: the effective configuration reads back to itself.
"$BIN/secchatd" -T -f "$TMP/server.ini" > "$TMP/dump1.ini" || fail "-T"
cp "$TMP/dump1.ini" "$TMP/again.ini"
"$BIN/secchatd" -T -f "$TMP/again.ini" > "$TMP/dump2.ini" || fail "-T again"
cmp -s "$TMP/dump1.ini" "$TMP/dump2.ini" || fail "-T output does not read back"
echo "PASS: -t accepts good configs, names the line of 9 broken ones; -T round trip"
