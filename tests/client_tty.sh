# The client on a terminal, driven through a pseudo-terminal by
# tests/pty_run: the prompt, a message and its reply, /help, //, an
# unknown command, a line typed while a reply arrives (with line editing),
# /quit and Ctrl-D ending in order (exit 0); and the first-contact
# question about an unknown server key, answered yes (recorded) and no
# (exit 6).
. "$top_srcdir/tests/lib.sh"

PTY=$top_builddir/tests/pty_run
mkkey alice
write_conf alice
no_penalty
start_server
private_home
TERM=vt100
export TERM
KH=$TMP/xdg/secchat/known_hosts
EDITOR_BUILT=
grep -q '^#define HAVE_LIBEDIT 1' "$top_builddir/config.h" && EDITOR_BUILT=1

# Run the script $1 (steps on standard input) with the client on a
# terminal, with the remaining arguments; the transcript goes to $TMP/$1.
chat() {
	name=$1
	shift
	cat > "$TMP/$name.steps"
	"$PTY" -t 20 -o "$TMP/$name.out" "$TMP/$name.steps" "$BIN/secchat" \
	    -i "$TMP/alice" -p "$PORT" "$@" 127.0.0.1 ||
	    fail "the terminal session '$name' failed"
}

# Print the lines of the transcript $1 as they look, prompts cleared.
screen_lines() {
	tr -d '\r' < "$TMP/$1.out" | sed 's/.*\x1b\[J//'
}

# 1. A session: prompt, message and reply, commands, /quit.  Each line is
# typed at a prompt, as a person would.
chat session --server-key "$TMP/keys/server.key.pub" <<'EOF'
expect > 
send hello\r
expect hello
expect hello
expect > 
send /help\r
expect /quit
expect > 
send //slash\r
expect slash
expect slash
expect > 
send /nope\r
expect unknown command /nope
expect > 
send /quit\r
exit 0
EOF
screen_lines session | grep -q -x '/slash' || fail "// did not send /slash"

# 2. With line editing, a reply that comes while a line is being typed
# leaves that line whole, shown again after the reply.
if [ -n "$EDITOR_BUILT" ]; then
	chat typing --server-key "$TMP/keys/server.key.pub" <<'EOF'
expect > 
send one\rpar
expect one
expect one
expect > par
send tial\r
expect partial
send /quit\r
exit 0
EOF
fi

# 3. Ctrl-D at the prompt closes in order.
chat eof --server-key "$TMP/keys/server.key.pub" <<'EOF'
expect > 
send bye\r
expect bye
expect bye
send \x04
exit 0
EOF

# 4. An unknown server: the question, with the fingerprint; "no" refuses.
FP=$("$BIN/secchat-keygen" -l -f "$TMP/keys/server.key.pub" | cut -d' ' -f1)
chat refuse <<EOF
expect The authenticity of host '[127.0.0.1]:$PORT' can't be established.
expect Key fingerprint is $FP.
expect Are you sure you want to continue connecting (yes/no)? 
send no\r
expect not accepted
exit 6
EOF
[ -e "$KH" ] && fail "a refused key was recorded"

# 5. "yes" records the key and the chat begins; next time, no question.
chat accept <<EOF
expect Key fingerprint is $FP.
expect (yes/no)? 
send yes\r
expect > 
send hi\r
expect hi
expect hi
send /quit\r
exit 0
EOF
grep -q -F "[127.0.0.1]:$PORT $(cut -d' ' -f1-2 "$TMP/keys/server.key.pub")" \
    "$KH" || fail "the accepted key was not recorded: $(cat "$KH")"
chat known <<'EOF'
expect > 
send \x04
exit 0
EOF
grep -q "authenticity" "$TMP/known.out" && fail "a known host was asked about"

# 6. A slow answer: the server gives up on the handshake meanwhile; once
# the key is trusted, the client connects again by itself.
stop_server
HANDSHAKE_TIMEOUT=1 write_conf alice
no_penalty
start_server
chat slow <<'EOF'
expect (yes/no)? 
sleep 2500
send yes\r
expect connecting again
expect > 
send late\r
expect late
expect late
send /quit\r
exit 0
EOF
echo "PASS: prompt, reply, /help, //, unknown command${EDITOR_BUILT:+, typing during a reply}, /quit, Ctrl-D; first contact: no (exit 6), yes (recorded), yes after the server gave up"
