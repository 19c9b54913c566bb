# The client's known_hosts, without a terminal: an unknown server is
# refused (and never learns who the client is) unless --accept-new, which
# records its key; a known one passes silently; a changed key is refused
# with exit 4, naming the file and line; --strict refuses unknown hosts;
# secchat-keygen -R removes a host; --server-key bypasses the file.
. "$top_srcdir/tests/lib.sh"

mkkey alice
mkkey mallory
write_conf alice
no_penalty
start_server
private_home
KH=$TMP/xdg/secchat/known_hosts
NAME="[127.0.0.1]:$PORT"
ENTRY="$NAME $(cut -d' ' -f1-2 "$TMP/keys/server.key.pub")"

# The number of sessions the server has accepted so far.
accepted() {
	grep -c "accepted alice" "$TMP/server.log"
}

# 1. Unknown, no terminal: refused before our key is shown (exit 6).
echo hi | client_unpinned alice > "$TMP/out" 2> "$TMP/err"
st=$?
[ $st -eq 6 ] || fail "unknown host without a terminal exited $st, not 6"
[ -s "$TMP/out" ] && fail "something was received from an unknown host"
grep -q -- "--accept-new" "$TMP/err" || fail "no way on: $(cat "$TMP/err")"
grep -q "no terminal" "$TMP/err" || fail "no reason: $(cat "$TMP/err")"
[ -e "$KH" ] && fail "known_hosts written for a refused host"

# 2. --strict refuses an unknown host too.
echo hi | client_unpinned alice --strict > "$TMP/out" 2> "$TMP/err"
st=$?
[ $st -eq 6 ] || fail "--strict on an unknown host exited $st, not 6"
grep -q -- "--strict" "$TMP/err" || fail "--strict not named"
[ "$(accepted)" -eq 0 ] || fail "the server accepted alice's key anyway"

# 3. --accept-new: the key is recorded, the session goes on.
echo hi | client_unpinned alice --accept-new > "$TMP/out" 2> "$TMP/err" ||
    fail "--accept-new failed: $(cat "$TMP/err")"
[ "$(cat "$TMP/out")" = hi ] || fail "--accept-new: echo differs"
[ "$(cat "$KH")" = "$ENTRY" ] || fail "known_hosts is '$(cat "$KH")'"
ls -ld "$KH" | grep -q '^-rw-r--r--' || fail "known_hosts mode: $(ls -l "$KH")"
ls -ld "$TMP/xdg/secchat" | grep -q '^drwx------' ||
    fail "directory mode: $(ls -ld "$TMP/xdg/secchat")"

# 4. Known now: silent without any option, and with --strict.
echo again | client_unpinned alice > "$TMP/out" 2> "$TMP/err" ||
    fail "a known host failed: $(cat "$TMP/err")"
[ "$(cat "$TMP/out")" = again ] || fail "known host: echo differs"
[ -s "$TMP/err" ] && fail "a known host was not silent: $(cat "$TMP/err")"
echo strict | client_unpinned alice --strict > "$TMP/out" 2>&1 ||
    fail "--strict refused a known host: $(cat "$TMP/out")"

# 5. A changed key (as if another server answered): exit 4, file:line.
n=$(accepted)
{
	echo "# my servers"
	echo
	echo "$NAME $(cut -d' ' -f1-2 "$TMP/mallory.pub")"
} > "$KH"
echo secret | client_unpinned alice > "$TMP/out" 2> "$TMP/err"
st=$?
[ $st -eq 4 ] || fail "a changed key exited $st, not 4"
[ -s "$TMP/out" ] && fail "something was received with a changed key"
grep -q "WARNING: THE SERVER'S KEY HAS CHANGED" "$TMP/err" ||
    fail "no warning: $(cat "$TMP/err")"
grep -q -F "$KH:3" "$TMP/err" || fail "file:line not named: $(cat "$TMP/err")"
grep -q "secchat-keygen -R" "$TMP/err" || fail "no way to fix it named"
sleep 0.2
[ "$(accepted)" -eq "$n" ] || fail "the server saw alice's key"

# 6. --server-key pins: known_hosts is not even read.
echo pinned | client alice > "$TMP/out" 2> "$TMP/err" ||
    fail "a pinned session failed: $(cat "$TMP/err")"

# 7. A malformed line is an error, named by file and line.
printf '# ok\nbad line here\n' > "$KH"
echo hi | client_unpinned alice > "$TMP/out" 2> "$TMP/err"
st=$?
[ $st -eq 1 ] || fail "a malformed known_hosts exited $st, not 1"
grep -q -F "$KH:2: " "$TMP/err" || fail "bad line not named: $(cat "$TMP/err")"

# 8. secchat-keygen -R removes the host's entries, and keeps the rest.
{
	echo "# my servers"
	echo "other.example secchat-public-v1 $(cut -d' ' -f2 "$TMP/alice.pub")"
	echo "$NAME $(cut -d' ' -f1-2 "$TMP/mallory.pub")"
	echo "$ENTRY"
} > "$KH"
"$BIN/secchat-keygen" -R "$NAME" > "$TMP/out" 2> "$TMP/err" ||
    fail "secchat-keygen -R failed: $(cat "$TMP/err")"
grep -q -F "Removed 2 entries of host $NAME from $KH" "$TMP/out" ||
    fail "-R did not say what it did: $(cat "$TMP/out")"
[ "$(wc -l < "$KH")" -eq 2 ] || fail "-R left: $(cat "$KH")"
grep -q "^other.example " "$KH" || fail "-R removed another host"
"$BIN/secchat-keygen" -R "$NAME" -f "$KH" > "$TMP/out" 2> "$TMP/err" ||
    fail "secchat-keygen -R of an absent host failed"
grep -q "not found" "$TMP/err" || fail "-R of an absent host said nothing"

# 9. After that the host is unknown again, and --accept-new appends it.
echo hi | client_unpinned alice > /dev/null 2>&1
[ $? -eq 6 ] || fail "the removed host was still known"
echo hi | client_unpinned alice --accept-new > /dev/null 2>&1 ||
    fail "--accept-new after -R failed"
[ "$(tail -n 1 "$KH")" = "$ENTRY" ] || fail "entry not appended: $(cat "$KH")"
[ "$(wc -l < "$KH")" -eq 3 ] || fail "known_hosts: $(cat "$KH")"
echo "PASS: unknown host refused (no tty, --strict), --accept-new records it, changed key exit 4 at file:line, -R removes it"
