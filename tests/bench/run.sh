#!/bin/sh
# make bench (POSIX sh): secchat's benchmark, beside OpenSSH when sshd and
# ssh are installed (as root with apt-get, this script installs
# openssh-server when it is missing), and beside a plain TCP echo server
# that forks per connection (the floor: no cryptography).  Prints a
# Markdown table; tests/bench/README.md explains every figure.
#
# Environment: top_srcdir and top_builddir (set by make); BENCH_RUNS, runs
# per figure (5); BENCH_QUICK=1, fewer and shorter runs while developing;
# BENCH_SSH=0, no OpenSSH; BENCH_SSH_SCALE=1, run the scale test on sshd
# too (minutes: ssh opens about 20 sessions/s here); BENCH_REF=0, no plain
# TCP reference; BENCH_INSTALL=0, never run apt-get.
#
# Everything runs on 127.0.0.1 in a private temporary directory; every
# process started here is stopped by PID (with its descendants) on exit.

set -u
set -f
: "${top_srcdir:=.}" "${top_builddir:=.}"
BIN=$top_builddir/src
LOADGEN=$top_builddir/tests/bench/loadgen
TMP=$(mktemp -d "${TMPDIR:-/tmp}/secchat-bench.XXXXXX") || exit 1
RES=$TMP/results
LOG=$TMP/bench.log
SERVER_PID=
SSHD_PID=
ECHOD_PID=
PIN=
STARTED=$(date +%s)

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	RUNS=${BENCH_RUNS:-2}
	BYTES=$((256 << 20))
	RATE_SECS=2
	RTT_COUNT=2000
	MEM_SESSIONS=50
	SCALE_SESSIONS=200
else
	RUNS=${BENCH_RUNS:-5}
	BYTES=$((1 << 30))
	RATE_SECS=10
	RTT_COUNT=10000
	MEM_SESSIONS=200
	SCALE_SESSIONS=1000
fi
MSG_BULK=65536
MSG_SMALL=64
WORKERS=8

# Print a progress line on stderr and in the log.
say() {
	echo "bench: $*" >&2
	echo "bench: $*" >> "$LOG"
}

# Print the PIDs of the descendants of $1, children first.
descendants() {
	ps -eo pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END {
			for (pass = 0; pass < 16; pass++)
				for (p in parent)
					if (!(p in in_tree) &&
					    (parent[p] == root ||
					    parent[p] in in_tree))
						in_tree[p] = 1
			for (p in in_tree)
				print p
		}'
}

# Stop process $1 and every process it started (by PID), and reap it.
# The descendants go first, while their parents live to reap them (a
# session child of secchatd outlives its master by design).
stop_tree() {
	[ -n "$1" ] || return 0
	kids=$(descendants "$1")
	if [ -n "$kids" ]; then
		for pid in $kids; do
			kill -TERM "$pid" 2>/dev/null
		done
		sleep 0.5
	fi
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# Stop every server, remove the directory.
cleanup() {
	rc=$?
	stop_tree "$SERVER_PID"
	stop_tree "$SSHD_PID"
	stop_tree "$ECHOD_PID"
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Report a failure to set up, and exit 1.
die() {
	echo "bench: FAILED: $*" >&2
	exit 1
}

# Wait (10 s at most) until file $1 matches the sed expression $2; print
# the match.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		v=$(sed -n "$2" "$1" 2>/dev/null | head -n 1)
		if [ -n "$v" ]; then
			echo "$v"
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Make sure this shell (and the servers it starts) may open enough files.
# (ulimit -n is not POSIX, but dash, bash, ksh and busybox sh have it.)
raise_nofile() {
	want=8192
	cur=$(ulimit -n)
	[ "$cur" = unlimited ] && return 0
	[ "$cur" -ge $want ] && return 0
	hard=$(ulimit -H -n)
	[ "$hard" != unlimited ] && [ "$hard" -lt $want ] && want=$hard
	if ulimit -n "$want" 2>/dev/null; then
		say "raised the open files limit from $cur to $want"
	else
		say "cannot raise the open files limit from $cur"
	fi
}

# Run loadgen with the arguments given (on CPU 0 when $PIN is set),
# bounded in time when timeout(1) exists (it signals loadgen's whole
# process group).
loadgen() {
	if command -v timeout >/dev/null 2>&1; then
		timeout -k 10 900 $PIN "$LOADGEN" "$@"
	else
		$PIN "$LOADGEN" "$@"
	fi
}

# once KEY FIELD... -- ARG...: run "loadgen ARG..." once (run $RUN of
# $RUNS), and append the value of each FIELD of its output line to
# $RES/KEY.FIELD; a run that fails is counted in $RES/KEY.failed.
once() {
	o_key=$1
	shift
	o_fields=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		o_fields="$o_fields $1"
		shift
	done
	shift
	o_line=$(loadgen "$@" 2>>"$TMP/loadgen.err")
	o_rc=$?
	say "$o_key run $RUN/$RUNS: ${o_line:-no output} (exit $o_rc)"
	[ $o_rc -eq 0 ] || echo "$RUN" >> "$RES/$o_key.failed"
	for o_f in $o_fields; do
		o_v=$(echo "$o_line" | sed -n "s/.* $o_f=\([^ ]*\).*/\1/p")
		[ -n "$o_v" ] && echo "$o_v" >> "$RES/$o_key.$o_f"
	done
	return 0
}

# ---------------------------------------------------------------- secchat

# Write the keys and server.ini of the private secchatd into $TMP/sc.  The
# data ports are a random range of 4000 below the kernel's ephemeral
# ports; the limits admit the scale test.
secchat_setup() {
	mkdir -p "$TMP/sc/keys" || die "mkdir"
	"$BIN/secchat-keygen" -q -C bench -f "$TMP/sc/client" >/dev/null ||
	    die "secchat-keygen"
	low=$((10000 + $(od -An -N2 -tu2 /dev/urandom) % 5 * 4000))
	cat > "$TMP/sc/server.ini" <<-EOF
	[server]
	listen = 127.0.0.1
	port = 0
	data_ports = $low-$((low + 3999))
	secret_key = keys/server.key
	max_startups = 1024
	per_source_startups = 1024
	max_sessions = 4096
	[allow]
	bench = $(cat "$TMP/sc/client.pub")
	EOF
}

# Start secchatd in the foreground, logging (info level, as in
# production) to a file; set SERVER_PID and SC_PORT.
secchat_start() {
	"$BIN/secchatd" -D -f "$TMP/sc/server.ini" 2>"$TMP/sc/server.log" &
	SERVER_PID=$!
	SC_PORT=$(wait_for "$TMP/sc/server.log" \
	    's/.*listening on .* port \([0-9]*\) .*/\1/p') ||
	    die "secchatd did not start: $(cat "$TMP/sc/server.log")"
	say "secchatd (pid $SERVER_PID) listens on 127.0.0.1 port $SC_PORT"
}

# ---------------------------------------------------------------- OpenSSH

# Find sshd; install openssh-server when it is missing, we are root, and
# apt-get exists.  Sets SSHD (an absolute path: sshd re-executes itself)
# or returns 1.
ssh_find() {
	SSHD=$(command -v sshd 2>/dev/null)
	[ -z "$SSHD" ] && [ -x /usr/sbin/sshd ] && SSHD=/usr/sbin/sshd
	if [ -z "$SSHD" ] && [ "$(id -u)" = 0 ] &&
	    [ "${BENCH_INSTALL:-1}" != 0 ] &&
	    command -v apt-get >/dev/null 2>&1; then
		say "sshd is missing: running" \
		    "'apt-get install -y openssh-server' (log: $TMP/apt.log)"
		say "note: on a machine run by systemd this also enables" \
		    "the system's own sshd service"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    openssh-server > "$TMP/apt.log" 2>&1 ||
		    say "apt-get install failed: $(tail -n 3 "$TMP/apt.log")"
		[ -x /usr/sbin/sshd ] && SSHD=/usr/sbin/sshd
	fi
	case $SSHD in
	/*)	;;
	*)	return 1 ;;
	esac
	command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1
}

# Write host key, client key, authorized_keys, known_hosts and
# sshd_config of a private sshd on a free loopback port into $TMP/ssh.
ssh_setup() {
	d=$TMP/ssh
	mkdir -p "$d" && chmod 700 "$d" || return 1
	ssh-keygen -q -t ed25519 -N '' -C bench-host -f "$d/host_key" &&
	    ssh-keygen -q -t ed25519 -N '' -C bench -f "$d/id" || return 1
	cp "$d/id.pub" "$d/authorized_keys"
	SSH_PORT=$(loadgen freeport) || return 1
	echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$d/host_key.pub")" \
	    > "$d/known_hosts"

	# StrictModes would refuse a key file under a world-writable /tmp;
	# no PAM, so that a private sshd needs no system configuration.
	# sshd runs "cat" through the user's shell, and Debian's bash reads
	# ~/.bashrc when sshd starts it with no SHLVL set, which may cost more
	# than ssh itself (0.15 s here): SHLVL=1 keeps the figures OpenSSH's.
	cat > "$d/sshd_config" <<-EOF
	Port $SSH_PORT
	ListenAddress 127.0.0.1
	HostKey $d/host_key
	PidFile $d/sshd.pid
	AuthorizedKeysFile $d/authorized_keys
	AuthenticationMethods publickey
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	PermitRootLogin prohibit-password
	UseDNS no
	MaxStartups 256
	PrintMotd no
	PrintLastLog no
	X11Forwarding no
	AllowTcpForwarding no
	LogLevel INFO
	SetEnv SHLVL=1
	EOF

	# As root, sshd 9.x needs its privilege separation directory.
	if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
		say "creating /run/sshd, sshd's privilege separation directory"
		mkdir -p /run/sshd && chmod 755 /run/sshd || return 1
	fi
	"$SSHD" -t -f "$d/sshd_config" 2>"$d/sshd.log" || {
		say "sshd -t: $(cat "$d/sshd.log")"
		return 1
	}
}

# Set SSH to the ssh command (words) for cipher $1, running cat remotely,
# with the key exchange $2 if given (else OpenSSH's default).
ssh_command() {
	d=$TMP/ssh
	SSH="ssh -F /dev/null -T -x -a -o BatchMode=yes -o IdentitiesOnly=yes
	    -o IdentityFile=$d/id -o UserKnownHostsFile=$d/known_hosts
	    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes
	    -o UpdateHostKeys=no -o ControlMaster=no -o ControlPath=none
	    -o LogLevel=ERROR -o Ciphers=$1 ${2:+-o KexAlgorithms=$2}
	    -p $SSH_PORT -l $(id -un) 127.0.0.1 cat"
}

# Start the private sshd and check that "ssh ... cat" echoes; sets
# SSHD_PID.
ssh_start() {
	"$SSHD" -D -e -f "$TMP/ssh/sshd_config" 2>"$TMP/ssh/sshd.log" &
	SSHD_PID=$!
	wait_for "$TMP/ssh/sshd.log" 's/.*Server listening on.*/x/p' \
	    >/dev/null || return 1
	ssh_command chacha20-poly1305@openssh.com
	[ "$(echo ok | timeout 30 $SSH 2>>"$TMP/ssh/client.err")" = ok ] ||
	    return 1
	say "sshd (pid $SSHD_PID) listens on 127.0.0.1 port $SSH_PORT"
}

# Start the private sshd when OpenSSH is there and works; sets SSH_ON,
# SSH_VERSION and SSH.
ssh_up() {
	SSH_ON=
	SSH_VERSION=
	if [ "${BENCH_SSH:-1}" = 0 ]; then
		say "BENCH_SSH=0: OpenSSH skipped"
	elif ! ssh_find; then
		say "sshd or ssh not found: OpenSSH skipped"
	elif ! ssh_setup || ! ssh_start; then
		say "the private sshd does not work: OpenSSH skipped"
		cat "$TMP/ssh/sshd.log" "$TMP/ssh/client.err" 2>/dev/null >&2
	else
		SSH_ON=1
		SSH_VERSION=$(ssh -V 2>&1 | head -n 1)
	fi
}

# ------------------------------------------------- plain TCP, the floor

# Start loadgen's plain TCP echo server (fork per connection, no crypto);
# sets ECHOD_PID and REF, loadgen's options to reach it.
ref_up() {
	REF=
	[ "${BENCH_REF:-1}" = 0 ] && return 0
	"$LOADGEN" -t 3600 echod > "$TMP/echod.port" 2>>"$TMP/loadgen.err" &
	ECHOD_PID=$!
	port=$(wait_for "$TMP/echod.port" 's/^\([0-9][0-9]*\)$/\1/p') || {
		say "the plain TCP echo server did not start"
		return 0
	}
	REF="-r -p $port"
	say "plain TCP echo server (pid $ECHOD_PID) on 127.0.0.1 port $port"
}

# ----------------------------------------------------------------- rounds

# each KEY FIELD... -- ARG...: one run of "loadgen ARG..." against each
# server in turn: secchatd (key sc_KEY), sshd with cat (ssh_KEY), and the
# plain TCP server (ref_KEY).
each() {
	e_key=$1
	shift
	e_fields=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		e_fields="$e_fields $1"
		shift
	done
	shift
	once "sc_$e_key" $e_fields -- $SC "$@"
	[ -n "$SSH_ON" ] && once "ssh_$e_key" $e_fields -- "$@" $SSH
	[ -n "$REF" ] && once "ref_$e_key" $e_fields -- $REF "$@"
	return 0
}

# One run of the echo throughput, ssh with both ciphers.
round_tput() {
	each tput mbps -- -b $BYTES -m $MSG_BULK throughput
	[ -n "$SSH_ON" ] || return 0
	ssh_command aes128-gcm@openssh.com
	once ssh_tput_aes mbps -- -b $BYTES -m $MSG_BULK throughput $SSH
	ssh_command chacha20-poly1305@openssh.com
}

# One run of the session rate with 1 client, and with 8.
round_rate1() {
	each rate1 per_sec failures -- -c 1 -t $RATE_SECS -m $MSG_SMALL rate
}
round_rate8() {
	each rate8 per_sec failures -- -c 8 -t $RATE_SECS -m $MSG_SMALL rate
}

# One run of the round trips.
round_rtt() {
	each rtt median_us p99_us -- -n $RTT_COUNT -m $MSG_SMALL rtt
}

# One run of the round trips with every process on CPU 0.
round_rtt_cpu0() {
	each rtt_cpu0 median_us p99_us -- -n $RTT_COUNT -m $MSG_SMALL rtt
}

# hold KEY SESSIONS SSH: one run holding SESSIONS sessions on secchatd,
# and on sshd too if SSH is 1.  Held ssh sessions are opened with
# curve25519 instead of the default sntrup761x25519, whose key generation
# costs the client about 0.1 s of CPU here: 3 times faster, the same PSS.
hold() {
	once "sc_$1" failures open_secs procs pss_per_session_kib -- $SC \
	    -P "$SERVER_PID" -n "$2" -c $WORKERS -m $MSG_SMALL hold
	[ -n "$SSH_ON" ] && [ "$3" = 1 ] || return 0
	ssh_command chacha20-poly1305@openssh.com curve25519-sha256
	once "ssh_$1" failures open_secs procs pss_per_session_kib -- \
	    -P "$SSHD_PID" -n "$2" -c $WORKERS -m $MSG_SMALL hold $SSH
	ssh_command chacha20-poly1305@openssh.com
}

# One run of the memory figure, and of the scale test.
round_mem() {
	hold mem $MEM_SESSIONS 1
}
round_scale() {
	hold scale $SCALE_SESSIONS "${BENCH_SSH_SCALE:-0}"
}

# rounds FUNCTION: call FUNCTION $RUNS times with RUN set.  Within a run
# the servers take turns, so that a change in the machine's load hits all
# of them, not the one that happens to run then.
rounds() {
	RUN=1
	while [ $RUN -le "$RUNS" ]; do
		"$1"
		RUN=$((RUN + 1))
	done
}

# Put every server (its threads, and the processes it forks from now on)
# on CPU 0, and loadgen (with the ssh it spawns) too: a round trip then
# costs its CPU work, without the wake-up of another CPU.  Returns 1 if
# taskset is missing.
pin_all() {
	command -v taskset >/dev/null 2>&1 || return 1
	for pid in $SERVER_PID $SSHD_PID $ECHOD_PID; do
		taskset -a -p -c 0 "$pid" >/dev/null || return 1
	done
	PIN="taskset -c 0"
}

# ------------------------------------------------------------------ table

# Print "median min max" of the numbers in file $1.
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR] }'
}

# Print the cell of KEY.FIELD $1 with printf format $2: "median
# (min-max)", with the failed runs of KEY if any.
cell() {
	key=${1%.*}
	out=n/a
	[ -s "$RES/$1" ] && out=$(stats "$RES/$1" |
	    awk -v f="$2" '{ printf f " (" f "-" f ")", $1, $2, $3 }')
	[ -s "$RES/$key.failed" ] &&
	    out="$out, FAILED in $(wc -l < "$RES/$key.failed") run(s)"
	echo "$out"
}

# Print the median of KEY.FIELD $1, or nothing.
median() {
	[ -s "$RES/$1" ] && stats "$RES/$1" | cut -d' ' -f1
}

# Print median($1) / median($2), or "-".
ratio() {
	a=$(median "$1")
	b=$(median "$2")
	awk -v a="${a:-}" -v b="${b:-}" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) print "-"
		else printf "%.2f\n", a / b }'
}

# Print "met" or "MISSED" for the test "$1 $2 $3" (awk), "-" if unknown.
verdict() {
	[ "$1" = - ] || [ -z "$1" ] && { echo "-"; return; }
	awk -v x="$1" -v y="$3" \
	    "BEGIN { print (x $2 y) ? \"met\" : \"MISSED\" }"
}

# Print the maximum of the numbers in file $1, or nothing.
maximum() {
	[ -s "$RES/$1" ] && sort -n "$RES/$1" | tail -n 1
}

# Print one row: figure, secchat cell, ssh cell, ratio, plain TCP cell,
# target, verdict.
row() {
	echo "| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"
}

# Print the machine, and the table of every figure.
table() {
	cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)
	echo
	echo "Machine: $(nproc) CPUs, ${cpu:-unknown CPU}; $(uname -s)" \
	    "$(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "OpenSSH: ${SSH_VERSION:-not run}; runs per figure: $RUNS" \
	    "(median, then min-max); load average before, after:" \
	    "${LOAD_START:-?}, $(cut -d' ' -f1 /proc/loadavg 2>/dev/null)"
	echo
	row figure secchat "OpenSSH (chacha20-poly1305)" secchat/ssh \
	    "plain TCP, fork/conn" target "target met?"
	row --- --- --- --- --- --- ---
	r=$(ratio sc_tput.mbps ssh_tput.mbps)
	row "echo throughput, $((BYTES >> 20)) MiB in 64 KiB messages, MB/s" \
	    "$(cell sc_tput.mbps %.0f)" "$(cell ssh_tput.mbps %.0f)" "$r" \
	    "$(cell ref_tput.mbps %.0f)" "≥ 1.5× ssh" \
	    "$(verdict "$r" '>=' 1.5)"
	row "echo throughput vs ssh aes128-gcm@openssh.com, MB/s" \
	    "$(cell sc_tput.mbps %.0f)" "$(cell ssh_tput_aes.mbps %.0f)" \
	    "$(ratio sc_tput.mbps ssh_tput_aes.mbps)" "" "" ""
	r=$(ratio sc_rate1.per_sec ssh_rate1.per_sec)
	row "sessions/s, 1 client (sequential)" \
	    "$(cell sc_rate1.per_sec %.0f)" "$(cell ssh_rate1.per_sec %.1f)" \
	    "$r" "$(cell ref_rate1.per_sec %.0f)" "≥ 50× ssh" \
	    "$(verdict "$r" '>=' 50)"
	row "sessions/s, 8 concurrent clients" \
	    "$(cell sc_rate8.per_sec %.0f)" "$(cell ssh_rate8.per_sec %.1f)" \
	    "$(ratio sc_rate8.per_sec ssh_rate8.per_sec)" \
	    "$(cell ref_rate8.per_sec %.0f)" "" ""
	r=$(ratio sc_rtt.median_us ssh_rtt.median_us)
	row "64 B round trip, median, µs" \
	    "$(cell sc_rtt.median_us %.0f)" "$(cell ssh_rtt.median_us %.0f)" \
	    "$r" "$(cell ref_rtt.median_us %.0f)" "≤ 0.4× ssh" \
	    "$(verdict "$r" '<=' 0.4)"
	row "64 B round trip, p99, µs" \
	    "$(cell sc_rtt.p99_us %.0f)" "$(cell ssh_rtt.p99_us %.0f)" \
	    "$(ratio sc_rtt.p99_us ssh_rtt.p99_us)" \
	    "$(cell ref_rtt.p99_us %.0f)" "" ""
	row "64 B round trip, median, all on CPU 0, µs" \
	    "$(cell sc_rtt_cpu0.median_us %.0f)" \
	    "$(cell ssh_rtt_cpu0.median_us %.0f)" \
	    "$(ratio sc_rtt_cpu0.median_us ssh_rtt_cpu0.median_us)" \
	    "$(cell ref_rtt_cpu0.median_us %.0f)" "" ""
	row "64 B round trip, p99, all on CPU 0, µs" \
	    "$(cell sc_rtt_cpu0.p99_us %.0f)" \
	    "$(cell ssh_rtt_cpu0.p99_us %.0f)" \
	    "$(ratio sc_rtt_cpu0.p99_us ssh_rtt_cpu0.p99_us)" \
	    "$(cell ref_rtt_cpu0.p99_us %.0f)" "" ""
	m=$(median sc_mem.pss_per_session_kib)
	row "server PSS per idle session ($MEM_SESSIONS sessions), KiB" \
	    "$(cell sc_mem.pss_per_session_kib %.0f)" \
	    "$(cell ssh_mem.pss_per_session_kib %.0f)" \
	    "$(ratio sc_mem.pss_per_session_kib ssh_mem.pss_per_session_kib)" \
	    "" "≤ 200 KiB" "$(verdict "${m:--}" '<=' 200)"
	f=$(maximum sc_scale.failures)
	g=$(maximum ssh_scale.failures)
	[ -n "$SSH_VERSION" ] && [ -z "$g" ] && g="not run (BENCH_SSH_SCALE=1)"
	row "$SCALE_SESSIONS concurrent sessions: failures (worst run)" \
	    "${f:-n/a}" "${g:-n/a}" "" "" "0" "$(verdict "${f:--}" '==' 0)"
	row "$SCALE_SESSIONS concurrent sessions: time to open all, s" \
	    "$(cell sc_scale.open_secs %.2f)" \
	    "$(cell ssh_scale.open_secs %.2f)" \
	    "$(ratio sc_scale.open_secs ssh_scale.open_secs)" "" "" ""
	row "$SCALE_SESSIONS concurrent sessions: server PSS per session, KiB" \
	    "$(cell sc_scale.pss_per_session_kib %.0f)" \
	    "$(cell ssh_scale.pss_per_session_kib %.0f)" \
	    "$(ratio sc_scale.pss_per_session_kib \
	    ssh_scale.pss_per_session_kib)" "" "" ""
}

# ------------------------------------------------------------------- main

[ -x "$LOADGEN" ] || die "$LOADGEN is not built (run make bench)"
case $TMP in
*[[:space:]]*)	die "the temporary directory's name holds a space: $TMP" ;;
esac
mkdir -p "$RES" || die "mkdir $RES"
grep -q __asan_init "$BIN/secchatd" 2>/dev/null &&
    say "warning: secchatd is built with sanitizers: figures are slow"
raise_nofile
say "$RUNS runs per figure; log in $LOG while running"
LOAD_START=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
awk -v l="${LOAD_START:-0}" 'BEGIN { exit !(l > 0.5) }' &&
    say "warning: load average $LOAD_START: other programs compete" \
    "for the CPUs; the figures will be low and noisy"

secchat_setup
secchat_start
SC="-p $SC_PORT -i $TMP/sc/client -k $TMP/sc/keys/server.key.pub"
ssh_up
ref_up
[ -n "$SSH_ON" ] && ssh_command chacha20-poly1305@openssh.com
rounds round_tput
rounds round_rate1
rounds round_rate8
rounds round_rtt
rounds round_mem
rounds round_scale
pin_all && rounds round_rtt_cpu0
PIN=

table
say "done in $(($(date +%s) - STARTED)) s"
failed=$(cat "$RES"/*.failed 2>/dev/null | wc -l)
if [ "$failed" -ne 0 ]; then
	echo "bench: $failed run(s) failed; loadgen said:" >&2
	tail -n 20 "$TMP/loadgen.err" >&2
	exit 1
fi
exit 0
