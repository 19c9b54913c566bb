# Three clients at once against one secchatd: two allowed keys get exact
# echoes of many messages of 0 B to 64 KiB; the third key is refused with
# its exit status, and the server goes on serving.
. "$top_srcdir/tests/lib.sh"

mkkey alice
mkkey bob
mkkey eve
write_conf alice bob
start_server

# Inputs: every size that matters, then random sizes, one message a line.
for who in alice bob; do
	: > "$TMP/$who.in"
	for size in 0 1 2 100 1000 4095 4096 4097 65535 65536; do
		random_message "$TMP/m" "$size"
		cat "$TMP/m" >> "$TMP/$who.in"
		echo >> "$TMP/$who.in"
	done
	n=0
	while [ $n -lt 40 ]; do
		random_message "$TMP/m" $(($(od -An -N2 -tu2 /dev/urandom) % 65537))
		cat "$TMP/m" >> "$TMP/$who.in"
		echo >> "$TMP/$who.in"
		n=$((n + 1))
	done
done

client alice < "$TMP/alice.in" > "$TMP/alice.out" 2>"$TMP/alice.err" &
a=$!
client bob < "$TMP/bob.in" > "$TMP/bob.out" 2>"$TMP/bob.err" &
b=$!
echo hello | client eve > "$TMP/eve.out" 2>"$TMP/eve.err" &
e=$!
EXTRA_PIDS="$a $b $e"
wait $a; sa=$?
wait $b; sb=$?
wait $e; se=$?
EXTRA_PIDS=

[ $sa -eq 0 ] || fail "alice exited $sa: $(cat "$TMP/alice.err")"
[ $sb -eq 0 ] || fail "bob exited $sb: $(cat "$TMP/bob.err")"
cmp -s "$TMP/alice.in" "$TMP/alice.out" || fail "alice's echoes differ"
cmp -s "$TMP/bob.in" "$TMP/bob.out" || fail "bob's echoes differ"
[ $se -eq 3 ] || fail "eve exited $se, expected 3 (refused)"
[ -s "$TMP/eve.out" ] && fail "eve received something"
grep -q "not on the server's allowlist" "$TMP/eve.err" ||
    fail "eve was not told why: $(cat "$TMP/eve.err")"
grep -q "^eve = secchat-public-v1 " "$TMP/eve.err" ||
    grep -q "= $(cut -d' ' -f1-2 "$TMP/eve.pub")" "$TMP/eve.err" ||
    fail "eve was not given her allowlist line"
wait_log "refused unknown key .* not on the allowlist"
wait_log "accepted alice"
wait_log "accepted bob"

# The server still serves after all that.
server_alive
printf 'still here\n' | client alice > "$TMP/again.out" 2>/dev/null ||
    fail "a later session failed"
[ "$(cat "$TMP/again.out")" = "still here" ] || fail "later echo differs"
echo "PASS: 2 allowed clients x $(wc -l < "$TMP/alice.in") messages echoed exactly; unknown key refused"
