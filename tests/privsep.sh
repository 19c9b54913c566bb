# Privilege separation, seen from /proc: a session child of a root
# secchatd runs as `user` (nobody) in its `chroot`, with no-new-privs, no
# capability, no core dumps, lowered limits and (when built with libseccomp)
# a system call filter, and the echo still works.  A chroot directory that
# others may write makes the session refuse to start, and the server keeps
# serving.  Needs root: skipped otherwise.
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: privsep.sh needs root (the session child drops to nobody)"
	exit 77
fi
if ! id nobody >/dev/null 2>&1; then
	echo "SKIP: privsep.sh needs the user nobody"
	exit 77
fi
. "$top_srcdir/tests/lib.sh"

NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)
SECCOMP=0
grep -q '^#define HAVE_SECCOMP 1' "$top_builddir/config.h" && SECCOMP=1

# The chroot: an empty directory of root's that only root may write.
mkdir "$TMP/chroot" && chown root:root "$TMP/chroot" &&
    chmod 755 "$TMP/chroot" || fail "cannot make the chroot directory"
CHROOT=$(cd "$TMP/chroot" && pwd -P)

mkkey alice
write_conf alice
sed -i "/^\[server\]/a user = nobody\nchroot = $CHROOT" "$TMP/server.ini"
start_server

# Print the value of the field $2 of /proc/$1/status, tabs as spaces.
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr '\t' ' ' |
	    sed 's/ *$//'
}

# Print the soft and hard values of the limit $2 of /proc/$1/limits.
limit_of() {
	sed -n "s/^$2  *\([^ ]*\)  *\([^ ]*\).*/\1 \2/p" "/proc/$1/limits"
}

# A session held open for a while; its reply means the conversation runs.
(echo x; sleep 4) | client alice > "$TMP/held.out" 2>"$TMP/held.err" &
cpid=$!
EXTRA_PIDS=$cpid
i=0
while [ "$(cat "$TMP/held.out")" != x ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(cat "$TMP/held.out")" = x ] || fail "no echo from the contained session: $(cat "$TMP/held.err")"
child=$(sed -n 's/.*accepted alice .*session pid \([0-9]*\).*/\1/p' \
    "$TMP/server.log")
[ -n "$child" ] && [ -d "/proc/$child" ] || fail "no live session pid logged"

ids="$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID"
[ "$(status_field "$child" Uid)" = "$ids" ] ||
    fail "session Uid is '$(status_field "$child" Uid)', expected '$ids'"
ids="$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID"
[ "$(status_field "$child" Gid)" = "$ids" ] ||
    fail "session Gid is '$(status_field "$child" Gid)', expected '$ids'"
[ "$(status_field "$child" Groups)" = "$NOBODY_GID" ] ||
    fail "session Groups is '$(status_field "$child" Groups)'"
[ "$(status_field "$child" NoNewPrivs)" = 1 ] || fail "session NoNewPrivs is not 1"
[ "$(status_field "$child" CapEff)" = 0000000000000000 ] &&
    [ "$(status_field "$child" CapPrm)" = 0000000000000000 ] ||
    fail "session has capabilities: $(status_field "$child" CapEff)"
if [ $SECCOMP = 1 ]; then
	[ "$(status_field "$child" Seccomp)" = 2 ] ||
	    fail "session Seccomp is '$(status_field "$child" Seccomp)', expected 2 (filter)"
fi
[ "$(readlink "/proc/$child/root")" = "$CHROOT" ] ||
    fail "session root is '$(readlink "/proc/$child/root")', expected $CHROOT"
[ "$(limit_of "$child" "Max processes")" = "0 0" ] || fail "Max processes: $(limit_of "$child" "Max processes")"
[ "$(limit_of "$child" "Max open files")" = "32 32" ] || fail "Max open files: $(limit_of "$child" "Max open files")"
[ "$(limit_of "$child" "Max core file size")" = "0 0" ] || fail "Max core file size: $(limit_of "$child" "Max core file size")"
grep -q "session contained: uid $NOBODY_UID gid $NOBODY_GID, root directory $CHROOT" \
    "$TMP/server.log" || fail "no debug line for the containment"

# The held session still ends in order.
wait $cpid
st=$?
EXTRA_PIDS=
[ $st -eq 0 ] || fail "the contained session's client exited $st: $(cat "$TMP/held.err")"
wait_log "session pid $child exited with status 0"

# A chroot that others may write: the session does not start, the client
# is told the connection ended, and the server serves on once it is fixed.
chmod 757 "$CHROOT"
echo y | client alice > "$TMP/open.out" 2>"$TMP/open.err"
st=$?
[ $st -ne 0 ] || fail "a session started in a chroot that others may write"
[ -s "$TMP/open.out" ] && fail "the refused session echoed: $(cat "$TMP/open.out")"
wait_log "chroot $CHROOT: writable by group or others"
server_alive
chmod 755 "$CHROOT"
echo z | client alice > "$TMP/fixed.out" 2>"$TMP/fixed.err" ||
    fail "no session once the chroot was fixed: $(cat "$TMP/fixed.err")"
[ "$(cat "$TMP/fixed.out")" = z ] || fail "echo after the fix differs"
stop_server

# A user that does not exist is an error of the configuration: secchatd
# does not start (and a reload to it would be refused).
sed -i "s/^user = nobody/user = no-such-user-secchat/" "$TMP/server.ini"
"$BIN/secchatd" -D -f "$TMP/server.ini" > "$TMP/nouser.out" 2>&1
[ $? -eq 1 ] || fail "secchatd started with a user that does not exist"
grep -q "user no-such-user-secchat: no such user" "$TMP/nouser.out" ||
    fail "the unknown user was not named: $(cat "$TMP/nouser.out")"
echo "PASS: contained session (nobody, chroot, no-new-privs, limits$([ $SECCOMP = 1 ] && echo ', seccomp')); a chroot made writable is refused per session, the server serves on; an unknown user stops the start"
