# client.ini: "secchat ALIAS" takes the host, port, identity and server key
# from the alias's section; the command line wins over it; the file is
# parsed strictly (errors name file and line) and must not be writable by
# others; -F names another file.
. "$top_srcdir/tests/lib.sh"

mkkey alice
mkkey eve
mkkey mallory
write_conf alice
no_penalty
start_server
private_home
INI=$TMP/xdg/secchat/client.ini
mkdir -p "$TMP/xdg/secchat"

# Run "secchat" with the arguments, without a terminal, bounded to 60 s.
secchat() {
	timeout 60 setsid -w "$BIN/secchat" "$@"
}

# 1. An alias: hostname, port, identity (relative to the file), pinned key.
cat > "$INI" <<EOF
; the test server
[work]
hostname = 127.0.0.1
port = $PORT
identity = ../../alice
server_key = $TMP/keys/server.key.pub

[other]
hostname = other.example.org
EOF
echo hi | secchat work > "$TMP/out" 2> "$TMP/err" ||
    fail "secchat work: $(cat "$TMP/err")"
[ "$(cat "$TMP/out")" = hi ] || fail "secchat work: echo differs"
[ -e "$TMP/xdg/secchat/known_hosts" ] && fail "a pinned alias used known_hosts"

# 2. The command line wins: -p, -i, --server-key.
echo hi | secchat -p 1 work > /dev/null 2>&1
[ $? -eq 2 ] || fail "-p did not win over client.ini"
echo hi | secchat -i "$TMP/eve" work > /dev/null 2>&1
[ $? -eq 3 ] || fail "-i did not win over client.ini"
echo hi | secchat --server-key "$TMP/mallory.pub" work > /dev/null 2>&1
[ $? -eq 4 ] || fail "--server-key did not win over client.ini"

# 3. A key line as server_key, ~/ in identity; a host that is not an alias
# is a host name.
cat > "$INI" <<EOF
[work]
hostname = 127.0.0.1
port = $PORT
identity = ~/alice
server_key = $(cut -d' ' -f1-2 "$TMP/keys/server.key.pub")
EOF
echo tilde | secchat work > "$TMP/out" 2> "$TMP/err" ||
    fail "~/ identity, key line: $(cat "$TMP/err")"
[ "$(cat "$TMP/out")" = tilde ] || fail "~/ identity: echo differs"
echo direct | secchat -i "$TMP/alice" -p "$PORT" \
    --server-key "$TMP/keys/server.key.pub" 127.0.0.1 > "$TMP/out" 2>&1 ||
    fail "a host that is no alias: $(cat "$TMP/out")"

# 4. Without server_key, known_hosts decides, under the hostname.
sed -i '/^server_key/d' "$INI"
echo kh | secchat --accept-new work > "$TMP/out" 2> "$TMP/err" ||
    fail "unpinned alias: $(cat "$TMP/err")"
grep -q -F "[127.0.0.1]:$PORT secchat-public-v1 " \
    "$TMP/xdg/secchat/known_hosts" || fail "known_hosts lacks the hostname"

# 5. -F names another file; a missing -F file is an error.
cp "$INI" "$TMP/elsewhere.ini"
rm "$INI"
echo f | secchat -F "$TMP/elsewhere.ini" work > "$TMP/out" 2>&1 ||
    fail "-F: $(cat "$TMP/out")"
echo f | secchat -F "$TMP/missing.ini" work > /dev/null 2> "$TMP/err"
[ $? -eq 1 ] || fail "a missing -F file was not an error"
grep -q "missing.ini" "$TMP/err" || fail "the missing file was not named"

# 6. Strict parsing: each error exits 1 and names the file and line.
bad() {
	printf '%b' "$2" > "$INI"
	chmod 600 "$INI"
	echo hi | secchat work > /dev/null 2> "$TMP/err"
	st=$?
	[ $st -eq 1 ] || fail "client.ini with $1 exited $st, not 1"
	grep -q -F "$INI:$3: " "$TMP/err" ||
	    fail "client.ini with $1: no $INI:$3 in: $(cat "$TMP/err")"
}
bad "an unknown key" '[work]\nhostname = 127.0.0.1\nusr = x\n' 3
bad "a key outside a section" 'port = 1\n[work]\n' 1
bad "a bad port" '[work]\nport = 70000\n' 2
bad "a duplicate key" '[work]\nport = 1\nport = 2\n' 3
bad "a bad key line" '[x]\nserver_key = secchat-public-v1 AAAA\n' 2
bad "a duplicate section" '[work]\nport = 1\n[x]\n[work]\n' 4
bad "a syntax error" '[work]\nhostname\n' 2
printf '[work]\nhostname = 127.0.0.1\n' > "$INI"
chmod 666 "$INI"
echo hi | secchat work > /dev/null 2> "$TMP/err"
[ $? -eq 1 ] || fail "a client.ini writable by others was accepted"
grep -q "chmod go-w" "$TMP/err" || fail "no fix named: $(cat "$TMP/err")"
echo "PASS: alias from client.ini; -p, -i, --server-key win; ~/; -F; strict parsing with file:line"
