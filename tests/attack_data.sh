# The adversarial client on the data port and in the conversation: zero
# bytes; length prefixes out of bounds up to 2^32-1; replayed, reordered,
# dropped, truncated, cut, reflected, spliced and garbage frames; the real
# client's first bytes replayed on the data port; resets within HELLO,
# AUTH, DATA_HELLO and a frame.  Each spoilt session ends at once with the
# problem logged and nothing echoed; no attacker gets a session; a
# legitimate client is served after each group.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attack_lib.sh"

mkkey alice
EXTRA_CONF="penalty_failures = 0" write_conf alice
start_server
legit first
SESSIONS=1
LEGIT=1

# Zero bytes: on the handshake port, the data port, as a length and as a
# frame.
bounds="protocol error from .*: frame length out of bounds"
forged="protocol error from .*: frame failed authentication"
evil real=2 zeros
wait_count "peer does not speak the secchat protocol" 1
wait_count "data connection from .* refused: peer does not speak" 1
wait_count "$bounds" 1
wait_count "$forged" 1
after_group zeros

# Length prefixes 0 .. 2^32-1 out of bounds: each session ends at once,
# before anything of that size is read or allocated.
b0=$(logcount "$bounds")
evil real=9 biglen
n=$(tried biglen)
[ "$n" -eq 9 ] || fail "biglen: tried $n"
wait_count "$bounds" $((b0 + n))
after_group biglen

# Frames replayed, reordered, dropped, truncated, reflected, from another
# session, or garbage: authentication fails; half a frame then the end:
# an unclean end; the end without CLOSE: logged as such.
a0=$(logcount "$forged")
e0=$(logcount "lost: end of file within a frame")
l0=$(logcount "ended (client left without closing)")
evil real=10 frames
[ "$(tried frames)" -eq 9 ] || fail "frames: tried $(tried frames)"
wait_count "$forged" $((a0 + 7))
wait_count "lost: end of file within a frame" $((e0 + 1))
wait_count "ended (client left without closing)" $((l0 + 1))
after_group frames

# The real client's DATA_HELLO and first frame replayed on a connection
# opened before it, and on one after: one session only, which goes on.
d0=$(logcount "client connected to the data port")
evil real=1 dpreplay
wait_count "client connected to the data port" $((d0 + 1))
after_group dpreplay
[ "$(logcount "client connected to the data port")" -eq $((d0 + 2)) ] ||
    fail "a replay on the data port became a session"

# Resets within HELLO, AUTH, DATA_HELLO and a frame.
r0=$(logcount "lost: Connection reset by peer")
h0=$(logcount "lost during the handshake: Connection reset by peer")
evil real=2 reset
wait_count "lost during the handshake: Connection reset by peer" $((h0 + 2))
wait_count "data connection from .* ended before proving the session: Connection reset by peer" 1
wait_count "lost: Connection reset by peer" $((r0 + 1))
after_group reset

total=$(( $(tried zeros) + $(tried biglen) + $(tried frames) + $(tried dpreplay) + $(tried reset) ))
line="attack_data: $total attempts (zeros $(tried zeros), lengths out of bounds $(tried biglen), spoilt frames $(tried frames), data-port replays $(tried dpreplay), resets $(tried reset)); $LEGIT legitimate sessions served, none for an attacker"
echo "$line" > "$top_builddir/tests/attack_data.report"
echo "PASS: $line"
