# The client in scripts: no prompt and no decoration on any stream; with
# -0, NUL-separated messages that hold newlines, tabs, backslashes and
# other bytes come back exactly; a last message without a separator is
# sent; a message over 64 KiB is refused whole (exit 1) while the others
# go through.
. "$top_srcdir/tests/lib.sh"

mkkey alice
write_conf alice
start_server

# 1. -0: messages with newlines and odd bytes round-trip byte for byte.
printf 'one\ntwo lines\n\0\0tab\there\\back\r\n\0\001\177\377 end\0' \
    > "$TMP/nul.in"
client alice -0 < "$TMP/nul.in" > "$TMP/nul.out" 2> "$TMP/nul.err" ||
    fail "-0 session failed: $(cat "$TMP/nul.err")"
cmp -s "$TMP/nul.in" "$TMP/nul.out" || fail "-0 echoes differ: $(od -c "$TMP/nul.out")"
[ -s "$TMP/nul.err" ] && fail "-0 session wrote on stderr: $(cat "$TMP/nul.err")"

# 2. The last message needs no separator; the reply gets one.
printf 'a\0b' | client alice -0 > "$TMP/last.out" 2>&1 ||
    fail "no final separator: $(cat "$TMP/last.out")"
printf 'a\0b\0' | cmp -s - "$TMP/last.out" || fail "the last message was lost"

# 3. Lines: a line that starts with '/' is a message, not a command.
printf '/quit\n/help\nplain\n' > "$TMP/lines.in"
client alice < "$TMP/lines.in" > "$TMP/lines.out" 2> "$TMP/lines.err" ||
    fail "lines: $(cat "$TMP/lines.err")"
cmp -s "$TMP/lines.in" "$TMP/lines.out" || fail "lines echoed differ"
[ -s "$TMP/lines.err" ] && fail "lines: stderr: $(cat "$TMP/lines.err")"

# 4. Over 64 KiB: refused whole, reported, exit 1; the others still pass.
random_message "$TMP/big" 65537
{ echo before; cat "$TMP/big"; echo; echo after; } > "$TMP/big.in"
client alice < "$TMP/big.in" > "$TMP/big.out" 2> "$TMP/big.err"
st=$?
[ $st -eq 1 ] || fail "a message over 64 KiB exited $st, not 1"
printf 'before\nafter\n' | cmp -s - "$TMP/big.out" ||
    fail "around the long message: $(cat "$TMP/big.out")"
grep -q "message 2 is longer than 65536 bytes: not sent" "$TMP/big.err" ||
    fail "the long message was not reported: $(cat "$TMP/big.err")"
echo "PASS: -0 round trip exact, final message, '/' lines are messages, over 64 KiB refused whole"
