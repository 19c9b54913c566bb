# The adversarial client against the handshake: a recorded handshake
# replayed; every byte of HELLO and of AUTH flipped; every prefix of each,
# ended at once or left silent until the handshake timeout (all at once,
# beside a legitimate client); garbage, zero bytes and a wrong version.
# No attempt gets a session or a data port, each is logged, and a
# legitimate client is served during and after each group.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attack_lib.sh"

mkkey alice
HANDSHAKE_TIMEOUT=2 EXTRA_CONF="penalty_failures = 0
max_startups = 256
per_source_startups = 200" write_conf alice
start_server
legit first
SESSIONS=1
LEGIT=1

# A real session, recorded; its HELLO and AUTH replayed on new
# connections fail authentication against the server's fresh ephemeral.
failed="handshake from .* failed"
auth_failed="$failed: handshake authentication failed"
f0=$(logcount "$auth_failed")
evil real=1 replay
n=$(tried replay)
[ "$n" -ge 4 ] || fail "replay: tried $n"
wait_count "$auth_failed" $((f0 + n))
after_group replay

# Each byte of HELLO (40) and AUTH (72), flipped whole and by one bit.
f0=$(logcount "$failed")
t0=$(now_ms)
evil hsflip
n=$(tried hsflip)
[ "$n" -eq $((2 * (40 + 72))) ] || fail "hsflip: tried $n"
wait_count "$failed" $((f0 + n))
flip_ms=$(($(now_ms) - t0))
after_group hsflip

# Each prefix of HELLO and AUTH, then the end of the connection: closed
# at once, with nothing sent.
c0=$(logcount "closed during the handshake")
evil truncate 2
n=$(tried truncate)
[ "$n" -eq $((40 + 72)) ] || fail "truncate: tried $n"
wait_count "closed during the handshake" $((c0 + n))
after_group truncate

# The same prefixes all at once, then silence: each closed at the 2 s
# handshake timeout with nothing sent, while a legitimate client is
# served beside them.
s0=$(logcount "handshake from .* timed out")
"$EVIL" hold "$PORT" "$TMP/alice" "$TMP/keys/server.key.pub" 2 \
    > "$TMP/evil.hold.out" 2> "$TMP/evil.hold.err" &
hold=$!
EXTRA_PIDS="$EXTRA_PIDS $hold"
sleep 0.5
legit_bg during-hold 3000
wait $hold || fail "evil_client hold: $(cat "$TMP/evil.hold.err")"
legit_wait
held=$(sed -n 's/^held \([0-9]*\) .*/\1/p' "$TMP/evil.hold.out")
[ "$held" = 112 ] || fail "hold: $(cat "$TMP/evil.hold.out")"
wait_count "handshake from .* timed out" $((s0 + held))
after_group hold

# Garbage, zero bytes and another version on the handshake port.
evil garbage
wait_count "peer does not speak the secchat protocol" 1
evil version
wait_count "peer speaks another protocol version" 1
after_group garbage

total=$(( $(tried replay) + $(tried hsflip) + $(tried truncate) + held + 2))
line="attack_handshake: $total attempts (replay $(tried replay), byte flips $(tried hsflip) in $flip_ms ms, truncations $(tried truncate) closed + $held silent: $(sed 's/^held [0-9]* //' "$TMP/evil.hold.out"), garbage, version); $LEGIT legitimate sessions served, none for an attacker"
echo "$line" > "$top_builddir/tests/attack_handshake.report"
echo "PASS: $line"
