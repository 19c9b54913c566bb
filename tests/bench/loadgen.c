/*
 * loadgen: the client side of secchat's benchmark (make bench, see
 * tests/bench/README.md).  It speaks the secchat client protocol itself,
 * with the library, so that a session costs what the protocol costs and
 * not a process; or, given a command (such as "ssh -T host cat"), it
 * spawns that command for each session and talks to its standard input
 * and output, which must echo.  Every echoed byte is compared with what
 * was sent, every failure is counted, and every wait has a deadline.
 *
 * usage: loadgen [options] MODE [COMMAND [ARG ...]]
 * MODE:
 *   throughput  one session; -b bytes in messages of -m bytes; MB/s
 *   rtt         one session; -n round trips of -m bytes; median, p99 (µs)
 *   rate        -c clients, each running whole sessions (open, one
 *               message of -m bytes, orderly close) for -t seconds
 *   hold        -n sessions opened by -c workers, each used once, then all
 *               held open at once (with -P PID: the PSS of PID and its
 *               descendants is read then), then closed in order
 *   freeport    print a TCP port of 127.0.0.1 that is free now
 *   echod       serve as a plain TCP echo server forking per connection,
 *               for -t seconds, on a port of 127.0.0.1 printed first
 * Without COMMAND the target is secchatd on -H host (127.0.0.1), port -p,
 * with client key -i and the server's public key -k; with -r, the plain
 * TCP echo server on -p.  -T bounds each wait (30 s).  Each mode prints
 * one line of name=value fields on stdout, and exits 0 if nothing failed,
 * 1 otherwise, 2 on a usage error.
 */

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "channel.h"
#include "key.h"
#include "net.h"
#include "proto.h"

#define POOL_PERIOD	65537		/* prime > 64 KiB: messages differ */
#define WARMUP_RTT	100		/* round trips before the clock runs */
#define MAX_WARNINGS	5		/* failures told, per process */
#define MAX_PROCS	65536		/* processes scanned for the PSS */
#define PID_LIMIT	4194304		/* Linux's largest pid_max */
#define MAX_WORKERS	256		/* -c */

/* Byte ${o} of every echo stream is pool[o % POOL_PERIOD]. */
static uint8_t pool[POOL_PERIOD + CHANNEL_BODY_MAX];

/* A record sealed or opened; records are handled one at a time. */
static uint8_t record[CHANNEL_RECORD_MAX];

/* The command line. */
static struct {
	const char *mode;
	char **cmd;		/* spawn this per session, or NULL */
	int tcp;		/* -r: a plain TCP echo server */
	int raw;		/* a byte stream (command or TCP) */
	const char *host;
	int port;
	struct key_pair *id;
	uint8_t server_pub[KEY_LEN];
	uint64_t bytes;		/* -b */
	size_t msg_len;		/* -m */
	int count;		/* -n */
	int clients;		/* -c */
	int seconds;		/* -t */
	pid_t pss_pid;		/* -P */
	int64_t timeout_us;	/* -T: any single step */
} o;

static int warnings;

/* One session: a secchat channel, or the pipes of a command. */
struct link {
	int rfd, wfd;		/* the socket twice, or the command's pipes */
	pid_t pid;		/* the command, or -1 */
	struct channel_dir tx, rx;
	const uint8_t *wbuf;	/* bytes being sent */
	uint8_t *frame;		/* a sealed frame (secchat) */
	size_t wlen, woff;
	uint8_t *rbuf;		/* bytes received, not yet used */
	size_t rcap, rlen;
	size_t frame_cap;	/* largest frame expected */
	int closed;		/* the peer's CLOSE (or EOF) arrived */
	uint64_t base;		/* this session's offset in the pattern */
	uint64_t sent, echoed;	/* bytes queued, bytes echoed and checked */
};

/* What a worker process reports to the parent. */
struct tally {
	uint64_t ok, fail;
	int64_t end_us;
};

/* Print a failure reason on stderr, a few times per process. */
static void
complain(const char *what, const char *detail)
{

	if (warnings++ < MAX_WARNINGS)
		fprintf(stderr, "loadgen[%ld]: %s%s%s\n", (long)getpid(), what,
		    detail[0] ? ": " : "", detail);
}

/* Return the monotonic clock in microseconds. */
static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* Return the deadline of one step: the step timeout from now. */
static int64_t
step_deadline(void)
{

	return (now_us() + o.timeout_us);
}

/* The same deadline, in net_*'s milliseconds. */
static int64_t
step_deadline_ms(void)
{

	return (step_deadline() / 1000);
}

/* Fill the pattern pool with random bytes, repeated past the period. */
static void
pool_init(void)
{

	randombytes_buf(pool, POOL_PERIOD);
	memcpy(pool + POOL_PERIOD, pool, CHANNEL_BODY_MAX);
}

/* Return the pattern bytes at stream offset ${off} (contiguous: 64 KiB). */
static const uint8_t *
pool_at(uint64_t off)
{

	return (pool + off % POOL_PERIOD);
}

/* Allocate the buffers of ${l} for messages of ${msg_len} bytes. */
static int
link_init(struct link *l, size_t msg_len)
{
	size_t body = msg_len;

	memset(l, 0, sizeof(*l));
	l->rfd = l->wfd = -1;
	l->pid = -1;
	if (body < CHANNEL_CLOSE_REASON_MAX)
		body = CHANNEL_CLOSE_REASON_MAX;
	l->frame_cap = CHANNEL_LEN_LEN + CHANNEL_ABYTES + 1 + body;
	l->rcap = 4 * l->frame_cap;
	l->rbuf = malloc(l->rcap);
	l->frame = malloc(l->frame_cap);
	l->base = randombytes_uniform(POOL_PERIOD);
	return ((l->rbuf != NULL && l->frame != NULL) ? 0 : -1);
}

/* Close the descriptors of ${l}, and kill and reap its command. */
static void
link_shut(struct link *l)
{
	int status;

	if (l->wfd != -1 && l->wfd != l->rfd)
		close(l->wfd);
	if (l->rfd != -1)
		close(l->rfd);
	l->rfd = l->wfd = -1;
	if (l->pid != -1) {
		kill(l->pid, SIGKILL);
		(void)waitpid(l->pid, &status, 0);
		l->pid = -1;
	}
}

/* Release ${l} entirely. */
static void
link_free(struct link *l)
{

	link_shut(l);
	channel_dir_wipe(&l->tx);
	channel_dir_wipe(&l->rx);
	free(l->rbuf);
	free(l->frame);
	l->rbuf = l->frame = NULL;
}

/* Read one handshake message of ${type} (${body} bytes) into ${buf}. */
static int
read_message(int fd, uint8_t *buf, int type, size_t body)
{
	int64_t deadline = step_deadline_ms();
	int r;

	if (net_read_full(fd, buf, PROTO_HDR_LEN, deadline)) {
		complain("handshake", "no answer from the server");
		return (-1);
	}
	if ((r = proto_check_header(buf, type, body)) == PROTO_E_REMOTE) {
		if (net_read_full(fd, buf + PROTO_HDR_LEN, 1, deadline) == 0)
			complain("the server refused the handshake",
			    proto_error_code_str(buf[PROTO_HDR_LEN]));
		return (-1);
	}
	if (r != PROTO_OK || net_read_full(fd, buf + PROTO_HDR_LEN, body,
	    deadline)) {
		complain("handshake", r ? proto_strerror(r) : "truncated");
		return (-1);
	}
	return (0);
}

/* Run the client handshake on ${fd}, storing the session in ${s}. */
static int
handshake(int fd, struct proto_session *s)
{
	uint8_t msg[PROTO_REPLY_LEN];
	struct proto_hs *hs;
	int r = -1;

	if ((hs = proto_client_new(o.id, o.server_pub)) == NULL)
		return (-1);
	if (proto_client_hello(hs, msg) ||
	    net_write_full(fd, msg, PROTO_HELLO_LEN, step_deadline_ms()))
		goto out;
	if (read_message(fd, msg, PROTO_T_REPLY, PROTO_REPLY_BODY))
		goto out;
	if (proto_client_read_reply(hs, msg) ||
	    proto_client_auth(hs, msg) ||
	    net_write_full(fd, msg, PROTO_AUTH_LEN, step_deadline_ms()) ||
	    proto_hs_session(hs, s)) {
		complain("handshake", "failed");
		goto out;
	}
	r = 0;
out:
	proto_hs_free(hs);
	return (r);
}

/* Read the server's first record on ${fd}: the data port, or -1. */
static int
read_port(int fd, struct link *l, const struct proto_session *s)
{
	uint8_t header[CHANNEL_HEADER_LEN], prefix[CHANNEL_LEN_LEN];
	int64_t deadline = step_deadline_ms();
	size_t ct_len, len;
	int final;

	if (net_read_full(fd, header, sizeof(header), deadline) ||
	    net_read_full(fd, prefix, sizeof(prefix), deadline) ||
	    channel_rx_start(&l->rx, s->rx_key, header) ||
	    channel_frame_length(prefix, &ct_len) ||
	    ct_len > l->rcap ||
	    net_read_full(fd, l->rbuf, ct_len, deadline) ||
	    channel_open(&l->rx, l->rbuf, ct_len, record, &len, &final)) {
		complain("no first record after the handshake", "");
		return (-1);
	}
	if (record[0] != CHANNEL_T_PORT || len != 3) {
		complain("the server refused the session",
		    record[0] == CHANNEL_T_REFUSED ? "REFUSED" : "bad record");
		return (-1);
	}
	return ((record[1] << 8) | record[2]);
}

/* Open a secchat session into ${l}: handshake, data port, DATA_HELLO. */
static int
secchat_open(struct link *l)
{
	uint8_t header[CHANNEL_HEADER_LEN], hello[PROTO_DATA_HELLO_LEN];
	struct proto_session s;
	char err[NET_ERR_LEN];
	int hs, fd = -1, port;

	if ((hs = net_connect(o.host, o.port, (int)(o.timeout_us / 1000),
	    err)) == -1) {
		complain(err, "");
		return (-1);
	}
	if (handshake(hs, &s) == 0 && (port = read_port(hs, l, &s)) > 0 &&
	    (fd = net_connect_peer(hs, port, (int)(o.timeout_us / 1000),
	    err)) == -1)
		complain(err, "");
	close(hs);
	if (fd == -1)
		goto fail;
	l->rfd = l->wfd = fd;
	channel_tx_start(&l->tx, s.tx_key, header);
	proto_data_hello(&s, header, hello);
	if (net_write_full(fd, hello, sizeof(hello), step_deadline_ms()) ||
	    net_set_nonblock(fd, 1)) {
		complain("sending DATA_HELLO", strerror(errno));
		goto fail;
	}
	proto_session_wipe(&s);
	return (0);

fail:
	proto_session_wipe(&s);
	return (-1);
}

/* Spawn the command with its standard input and output on pipes. */
static int
command_open(struct link *l)
{
	posix_spawn_file_actions_t fa;
	extern char **environ;
	int in[2], out[2], r = -1;

	if (pipe(in))
		return (-1);
	if (pipe(out)) {
		close(in[0]);
		close(in[1]);
		return (-1);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	if ((errno = posix_spawnp(&l->pid, o.cmd[0], &fa, NULL, o.cmd,
	    environ)) != 0) {
		complain("cannot run the command", strerror(errno));
		l->pid = -1;
	} else
		r = 0;
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	l->wfd = in[1];
	l->rfd = out[0];
	if (fcntl(l->wfd, F_SETFD, FD_CLOEXEC) ||
	    fcntl(l->rfd, F_SETFD, FD_CLOEXEC) ||
	    net_set_nonblock(l->wfd, 1) || net_set_nonblock(l->rfd, 1))
		r = -1;
	return (r);
}

/* Connect to the plain TCP echo server into ${l}. */
static int
tcp_open(struct link *l)
{
	char err[NET_ERR_LEN];
	int fd;

	if ((fd = net_connect(o.host, o.port, (int)(o.timeout_us / 1000),
	    err)) == -1) {
		complain(err, "");
		return (-1);
	}
	l->rfd = l->wfd = fd;
	return (net_set_nonblock(fd, 1));
}

/* Open a session into ${l}, of the kind the command line asks for. */
static int
link_open(struct link *l)
{

	if (o.cmd != NULL)
		return (command_open(l));
	return (o.tcp ? tcp_open(l) : secchat_open(l));
}

/* Queue the next message of ${len} bytes of the pattern for sending. */
static int
queue_message(struct link *l, size_t len)
{
	const uint8_t *body = pool_at(l->base + l->sent);
	int r;

	l->sent += len;
	l->woff = 0;
	if (o.raw) {
		/* Raw bytes: send straight from the pool. */
		l->wbuf = body;
		l->wlen = len;
		return (0);
	}
	record[0] = CHANNEL_T_MSG;
	memcpy(record + 1, body, len);
	if ((r = channel_seal(&l->tx, record, 1 + len, 0, l->frame,
	    &l->wlen)) != CHANNEL_OK) {
		complain("seal", channel_strerror(r));
		return (-1);
	}
	l->wbuf = l->frame;
	return (0);
}

/* Queue our orderly close: a CLOSE record, or the end of the input. */
static int
queue_close(struct link *l)
{
	static const uint8_t close_record[1] = { CHANNEL_T_CLOSE };
	int r;

	if (o.tcp)
		return (shutdown(l->wfd, SHUT_WR));
	if (o.cmd != NULL) {
		close(l->wfd);
		l->wfd = -1;
		return (0);
	}
	if ((r = channel_seal(&l->tx, close_record, 1, 1, l->frame,
	    &l->wlen)) != CHANNEL_OK) {
		complain("seal", channel_strerror(r));
		return (-1);
	}
	l->wbuf = l->frame;
	l->woff = 0;
	return (0);
}

/* Send what can be sent now; 1 if bytes moved, 0 if not, -1 on error. */
static int
link_write(struct link *l)
{
	ssize_t n;

	if (l->wlen == 0)
		return (0);
	n = write(l->wfd, l->wbuf + l->woff, l->wlen - l->woff);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return (0);
	if (n == -1) {
		complain("write", strerror(errno));
		return (-1);
	}
	l->woff += (size_t)n;
	if (l->woff == l->wlen)
		l->wlen = l->woff = 0;
	return (1);
}

/* Check ${n} echoed bytes ${buf} against the pattern; 0 or -1. */
static int
check_echo(struct link *l, const uint8_t *buf, size_t n)
{
	size_t chunk;

	if (l->echoed + n > l->sent) {
		complain("echo", "more bytes came back than were sent");
		return (-1);
	}
	while (n > 0) {
		chunk = n < CHANNEL_BODY_MAX ? n : CHANNEL_BODY_MAX;
		if (memcmp(buf, pool_at(l->base + l->echoed), chunk) != 0) {
			complain("echo", "the bytes differ from those sent");
			return (-1);
		}
		buf += chunk;
		n -= chunk;
		l->echoed += chunk;
	}
	return (0);
}

/* Open the record in the ciphertext ${ct} and check it; 0 or -1. */
static int
handle_frame(struct link *l, const uint8_t *ct, size_t ct_len)
{
	size_t len;
	int r, final;

	if ((r = channel_open(&l->rx, ct, ct_len, record, &len, &final))) {
		complain("open", channel_strerror(r));
		return (-1);
	}
	if (record[0] == CHANNEL_T_MSG)
		return (check_echo(l, record + 1, len - 1));
	if (record[0] == CHANNEL_T_CLOSE) {
		l->closed = 1;
		return (0);
	}
	complain("unexpected record from the server", "");
	return (-1);
}

/* Use the whole frames in the receive buffer of ${l}; 0 or -1. */
static int
parse_frames(struct link *l)
{
	size_t off = 0, ct_len;
	int r = 0;

	while (r == 0 && !l->closed && l->rlen - off >= CHANNEL_LEN_LEN) {
		if (channel_frame_length(l->rbuf + off, &ct_len) ||
		    CHANNEL_LEN_LEN + ct_len > l->frame_cap) {
			complain("frame", "length out of bounds");
			return (-1);
		}
		if (l->rlen - off < CHANNEL_LEN_LEN + ct_len)
			break;
		r = handle_frame(l, l->rbuf + off + CHANNEL_LEN_LEN, ct_len);
		off += CHANNEL_LEN_LEN + ct_len;
	}
	if (r == 0 && l->closed && off < l->rlen) {
		complain("frame", "bytes after the server's CLOSE");
		r = -1;
	}
	memmove(l->rbuf, l->rbuf + off, l->rlen - off);
	l->rlen -= off;
	return (r);
}

/* Receive what is there; 1 if bytes moved, 0 if not, -1 on error. */
static int
link_read(struct link *l)
{
	ssize_t n;

	if (l->closed)
		return (0);
	n = read(l->rfd, l->rbuf + l->rlen, l->rcap - l->rlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return (0);
	if (n == -1) {
		complain("read", strerror(errno));
		return (-1);
	}
	if (n == 0 && !o.raw) {
		complain("read", "end of file without an orderly close");
		return (-1);
	}
	if (n == 0) {
		l->closed = 1;
		return (1);
	}
	if (o.raw) {
		/* A byte stream: check it all, keep nothing. */
		return (check_echo(l, l->rbuf, (size_t)n) ? -1 : 1);
	}
	l->rlen += (size_t)n;
	return (parse_frames(l) ? -1 : 1);
}

/* Wait until ${l} can move bytes, or the ${deadline} (µs) passes. */
static int
link_wait(struct link *l, int64_t deadline)
{
	struct pollfd pfds[2];
	int64_t left = deadline - now_us();
	int r;

	if (left <= 0) {
		complain("timeout", "no progress within the step timeout");
		return (-1);
	}
	pfds[0].fd = l->closed ? -1 : l->rfd;
	pfds[0].events = POLLIN;
	pfds[1].fd = (l->wlen != 0) ? l->wfd : -1;
	pfds[1].events = POLLOUT;
	r = poll(pfds, 2, (int)((left + 999) / 1000));
	if (r == -1 && errno != EINTR) {
		complain("poll", strerror(errno));
		return (-1);
	}
	return (0);
}

/*
 * Move bytes on ${l} until ${target} bytes of echo are checked, all that
 * was queued is sent and, if ${want_close}, the peer has closed; queue
 * messages of ${msg_len} bytes until ${target} bytes are queued.  Each
 * wait without progress is bounded by the step timeout.  0, or -1.
 */
static int
link_pump(struct link *l, uint64_t target, size_t msg_len, int want_close)
{
	int64_t deadline = step_deadline();
	uint64_t left;
	int w, r;

	while (l->echoed < target || l->wlen != 0 || (want_close &&
	    !l->closed)) {
		if (l->closed && (!want_close || l->echoed < target)) {
			complain("the peer closed", "before the echo was done");
			return (-1);
		}
		if (l->wlen == 0 && l->sent < target) {
			left = target - l->sent;
			if (queue_message(l, left < msg_len ?
			    (size_t)left : msg_len))
				return (-1);
		}
		if ((w = link_write(l)) == -1 || (r = link_read(l)) == -1)
			return (-1);
		if (w || r)
			deadline = step_deadline();
		else if (link_wait(l, deadline))
			return (-1);
	}
	return (0);
}

/* Send ${len} more bytes on ${l} and wait for their echo; 0 or -1. */
static int
link_echo(struct link *l, size_t len)
{

	return (link_pump(l, l->sent + len, len, 0));
}

/* End ${l} in order and wait for the peer's end; 0 or -1. */
static int
link_close(struct link *l)
{
	int64_t deadline;
	int status;

	if (queue_close(l) || link_pump(l, l->sent, 1, 1))
		return (-1);
	if (l->pid == -1)
		return (0);

	/* The command: reap it, bounded by the step timeout. */
	deadline = step_deadline();
	while (waitpid(l->pid, &status, WNOHANG) == 0) {
		if (now_us() > deadline) {
			complain("the command did not exit", "");
			return (-1);
		}
		usleep(1000);
	}
	l->pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		complain("the command failed", "");
		return (-1);
	}
	return (0);
}

/* Open, warm up and time the transfer of -b bytes; 0 or -1. */
static int
mode_throughput(void)
{
	struct link l;
	int64_t t0, t1;
	int i, r = -1;

	if (link_init(&l, o.msg_len) || link_open(&l))
		goto out;
	for (i = 0; i < 8; i++)
		if (link_echo(&l, 64))
			goto out;
	t0 = now_us();
	if (link_pump(&l, l.sent + o.bytes, o.msg_len, 0))
		goto out;
	t1 = now_us();
	if (link_close(&l))
		goto out;
	printf("throughput bytes=%llu msg=%zu secs=%.3f mbps=%.1f "
	    "failures=0\n", (unsigned long long)o.bytes, o.msg_len,
	    (double)(t1 - t0) / 1e6, (double)o.bytes / (double)(t1 - t0));
	r = 0;
out:
	if (r)
		printf("throughput failures=1\n");
	link_free(&l);
	return (r);
}

/* Compare two int64_t for qsort. */
static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return ((x > y) - (x < y));
}

/* Time -n round trips of -m bytes over one session; 0 or -1. */
static int
mode_rtt(void)
{
	struct link l;
	int64_t *v, t0;
	int i, r = -1;

	if ((v = calloc((size_t)o.count, sizeof(*v))) == NULL)
		return (-1);
	if (link_init(&l, o.msg_len) || link_open(&l))
		goto out;
	for (i = 0; i < WARMUP_RTT; i++)
		if (link_echo(&l, o.msg_len))
			goto out;
	for (i = 0; i < o.count; i++) {
		t0 = now_us();
		if (link_echo(&l, o.msg_len))
			goto out;
		v[i] = now_us() - t0;
	}
	if (link_close(&l))
		goto out;
	qsort(v, (size_t)o.count, sizeof(*v), cmp_i64);
	printf("rtt count=%d msg=%zu median_us=%lld p99_us=%lld min_us=%lld "
	    "max_us=%lld failures=0\n", o.count, o.msg_len,
	    (long long)v[o.count / 2], (long long)v[(o.count * 99 + 99) / 100
	    - 1], (long long)v[0], (long long)v[o.count - 1]);
	r = 0;
out:
	if (r)
		printf("rtt failures=1\n");
	link_free(&l);
	free(v);
	return (r);
}

/* Run one whole session: open, one message, orderly close; 0 or -1. */
static int
one_session(void)
{
	struct link l;
	int r = -1;

	if (link_init(&l, o.msg_len) == 0 && link_open(&l) == 0 &&
	    link_echo(&l, o.msg_len) == 0 && link_close(&l) == 0)
		r = 0;
	link_free(&l);
	return (r);
}

/* The go-pipe of a worker process: the parent writes when to go on. */
static int worker_go = -1;

/* A worker's body: ${arg} is its deadline (rate) or sessions (hold). */
typedef void worker_fn(int, int64_t);

/* Send the tally ${t} to the parent on ${fd} (one write: atomic). */
static void
send_tally(int fd, const struct tally *t)
{

	if (write(fd, t, sizeof(*t)) != (ssize_t)sizeof(*t))
		complain("cannot report to the parent", strerror(errno));
}

/* A rate worker: whole sessions until ${end}; the tally to ${fd}. */
static void
rate_worker(int fd, int64_t end)
{
	struct tally t = { 0, 0, 0 };

	while (now_us() < end) {
		if (one_session() == 0)
			t.ok++;
		else
			t.fail++;
	}
	t.end_us = now_us();
	send_tally(fd, &t);
}

/*
 * Fork a worker running ${fn}(fd, ${arg}), where fd carries its tallies
 * to us: we keep the other end in ${fd}, and in ${go} the end of its
 * go-pipe.  Returns its pid, or -1.
 */
static pid_t
spawn_worker(worker_fn *fn, int64_t arg, int *fd, int *go)
{
	int p[2], g[2];
	pid_t pid;

	if (pipe(p))
		return (-1);
	if (pipe(g)) {
		close(p[0]);
		close(p[1]);
		return (-1);
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(p[0]);
		close(g[1]);
		worker_go = g[0];
		fn(p[1], arg);
		_exit(0);
	}
	close(p[1]);
	close(g[0]);
	*fd = p[0];
	*go = g[1];
	if (pid == -1) {
		close(p[0]);
		close(g[1]);
	}
	return (pid);
}

/* Read a tally from ${fd} before ${deadline} (µs); 0 or -1. */
static int
read_tally(int fd, struct tally *t, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int64_t left = deadline - now_us();

	if (left <= 0 || poll(&pfd, 1, (int)((left + 999) / 1000)) != 1 ||
	    read(fd, t, sizeof(*t)) != (ssize_t)sizeof(*t))
		return (-1);
	return (0);
}

/* Stop and reap the ${n} workers ${pids} (after a failure). */
static void
kill_workers(pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
}

/* Reap the ${n} workers ${pids}. */
static void
reap_workers(pid_t *pids, int n)
{
	int i, status;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			(void)waitpid(pids[i], &status, 0);
}

/*
 * Collect one tally from each of the ${n} workers into ${sum}, waiting
 * until ${deadline} at most; returns the number of workers that did not
 * report.
 */
static int
collect(int *fds, int n, struct tally *sum, int64_t deadline)
{
	struct tally t;
	int i, lost = 0;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < n; i++) {
		if (read_tally(fds[i], &t, deadline)) {
			lost++;
			continue;
		}
		sum->ok += t.ok;
		sum->fail += t.fail;
		if (t.end_us > sum->end_us)
			sum->end_us = t.end_us;
	}
	return (lost);
}

/* Close the ${n} descriptors of ${fds} and of ${gos}. */
static void
close_pipes(int *fds, int *gos, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		close(fds[i]);
		close(gos[i]);
	}
}

/* Run -c clients doing whole sessions for -t seconds; 0 or -1. */
static int
mode_rate(void)
{
	pid_t pids[MAX_WORKERS];
	int fds[MAX_WORKERS], gos[MAX_WORKERS], n, lost;
	int64_t t0 = now_us(), end = t0 + (int64_t)o.seconds * 1000000;
	struct tally sum;

	for (n = 0; n < o.clients; n++)
		if ((pids[n] = spawn_worker(rate_worker, end, &fds[n],
		    &gos[n])) == -1)
			break;
	if ((lost = collect(fds, n, &sum, end + 3 * o.timeout_us)) != 0)
		kill_workers(pids, n);
	reap_workers(pids, n);
	close_pipes(fds, gos, n);

	/* A worker that could not start or report counts as one failure. */
	sum.fail += (uint64_t)(o.clients - n + lost);
	if (sum.end_us <= t0)
		sum.end_us = now_us();
	printf("rate clients=%d secs=%.2f sessions=%llu failures=%llu "
	    "per_sec=%.1f\n", o.clients, (double)(sum.end_us - t0) / 1e6,
	    (unsigned long long)sum.ok, (unsigned long long)sum.fail,
	    (double)sum.ok * 1e6 / (double)(sum.end_us - t0));
	return (sum.fail == 0 ? 0 : -1);
}

/* Open ${n} sessions into ${l}, each used once; the tally of it. */
static struct tally
hold_open(struct link *l, int n)
{
	struct tally t = { 0, 0, 0 };
	int i;

	for (i = 0; i < n; i++) {
		if (link_init(&l[i], o.msg_len) == 0 && link_open(&l[i]) == 0 &&
		    link_echo(&l[i], o.msg_len) == 0) {
			t.ok++;
			continue;
		}
		t.fail++;
		link_free(&l[i]);
	}
	t.end_us = now_us();
	return (t);
}

/* Close the ${n} sessions of ${l} that are open; the tally of it. */
static struct tally
hold_close(struct link *l, int n)
{
	struct tally t = { 0, 0, 0 };
	int i;

	for (i = 0; i < n; i++) {
		if (l[i].rfd == -1)
			continue;
		if (link_close(&l[i]) == 0)
			t.ok++;
		else
			t.fail++;
		link_free(&l[i]);
	}
	t.end_us = now_us();
	return (t);
}

/* Wait (bounded) for the parent's go byte on ${fd}; 0 or -1. */
static int
wait_go(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&pfd, 1, (int)(4 * o.timeout_us / 1000)) != 1 ||
	    read(fd, &c, 1) != 1)
		return (-1);
	return (0);
}

/* A hold worker: open ${n} sessions, report, wait, close, report. */
static void
hold_worker(int fd, int64_t n)
{
	struct link *l;
	struct tally t;

	if ((l = calloc((size_t)n, sizeof(*l))) == NULL)
		return;
	t = hold_open(l, (int)n);
	send_tally(fd, &t);
	if (wait_go(worker_go))
		complain("hold", "no word from the parent: closing");
	t = hold_close(l, (int)n);
	send_tally(fd, &t);
	free(l);
}

/* Read the ppid of process ${pid} from /proc; -1 if gone. */
static pid_t
proc_ppid(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;
	long ppid;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';

	/* The command name may hold anything: skip to its last ')'. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return (-1);
	return ((pid_t)ppid);
}

/* Read the PSS (KiB) of process ${pid}; 0 if gone. */
static long
proc_pss(pid_t pid)
{
	char path[64], line[256];
	long kib = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/smaps_rollup", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (0);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Pss: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return (kib);
}

/* List every process in ${pid} and ${ppid}; their number, or -1. */
static int
proc_list(pid_t *pid, pid_t *ppid)
{
	struct dirent *d;
	DIR *dir;
	char *end;
	long v;
	int n = 0;

	if ((dir = opendir("/proc")) == NULL)
		return (-1);
	while (n < MAX_PROCS && (d = readdir(dir)) != NULL) {
		v = strtol(d->d_name, &end, 10);
		if (*end != '\0' || v <= 0)
			continue;
		pid[n] = (pid_t)v;
		if ((ppid[n] = proc_ppid(pid[n])) != -1)
			n++;
	}
	closedir(dir);
	return (n);
}

/*
 * Sum the PSS (KiB) of ${root} and all its descendants into ${kib}, and
 * count them into ${procs}; 0 or -1.
 */
static int
tree_pss(pid_t root, long *kib, int *procs)
{
	pid_t *pid, *ppid;
	char *mark;
	int n = -1, i, grew, pass;

	pid = calloc(MAX_PROCS, sizeof(*pid));
	ppid = calloc(MAX_PROCS, sizeof(*ppid));
	mark = calloc(PID_LIMIT, 1);
	if (pid == NULL || ppid == NULL || mark == NULL ||
	    root <= 0 || root >= PID_LIMIT || (n = proc_list(pid, ppid)) == -1)
		goto out;

	/* Mark the tree from the root down: one pass per level at most. */
	mark[root] = 1;
	for (pass = 0, grew = 1; grew && pass < n; pass++) {
		grew = 0;
		for (i = 0; i < n; i++) {
			if (pid[i] >= PID_LIMIT || mark[pid[i]] ||
			    ppid[i] <= 0 || ppid[i] >= PID_LIMIT ||
			    !mark[ppid[i]])
				continue;
			mark[pid[i]] = 1;
			grew = 1;
		}
	}
	*kib = 0;
	*procs = 0;
	for (i = 0; i < n; i++) {
		if (pid[i] >= PID_LIMIT || !mark[pid[i]])
			continue;
		*kib += proc_pss(pid[i]);
		(*procs)++;
	}
out:
	free(pid);
	free(ppid);
	free(mark);
	return (n == -1 ? -1 : 0);
}

/* Let the ${n} workers go on: one byte to each go-pipe of ${gos}. */
static void
release(int *gos, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (write(gos[i], "g", 1) != 1)
			complain("cannot wake a worker", strerror(errno));
}

/*
 * Open -n sessions with -c workers, use each once; once all are open read
 * the PSS of the tree of -P; then close them all in order.  0 or -1.
 */
static int
mode_hold(void)
{
	pid_t pids[MAX_WORKERS];
	int fds[MAX_WORKERS], gos[MAX_WORKERS], n, procs = 0, lost = 0;
	int64_t t0 = now_us(), deadline;
	struct tally opened, closed;
	uint64_t fail;
	long kib = 0;

	for (n = 0; n < o.clients; n++)
		if ((pids[n] = spawn_worker(hold_worker, o.count / o.clients +
		    (n < o.count % o.clients), &fds[n], &gos[n])) == -1)
			break;

	/* Each session may take a few step timeouts at worst. */
	deadline = t0 + (int64_t)(o.count / o.clients + 1) * 4 * o.timeout_us;
	lost = collect(fds, n, &opened, deadline);
	if (o.pss_pid > 0 && tree_pss(o.pss_pid, &kib, &procs))
		complain("cannot read the PSS of the server's processes", "");
	release(gos, n);
	lost += collect(fds, n, &closed, deadline + 4 * o.timeout_us);
	if (lost)
		kill_workers(pids, n);
	reap_workers(pids, n);
	close_pipes(fds, gos, n);

	/* A failure is a session not opened, used and closed in order. */
	fail = (uint64_t)o.count - closed.ok;
	printf("hold sessions=%d opened=%llu failures=%llu open_secs=%.2f "
	    "procs=%d pss_kib=%ld pss_per_session_kib=%.1f\n", o.count,
	    (unsigned long long)opened.ok, (unsigned long long)fail,
	    (double)(opened.end_us - t0) / 1e6, procs, kib,
	    (double)kib / o.count);
	return (fail == 0 ? 0 : -1);
}

/* Print a port of 127.0.0.1 that the kernel finds free now; 0 or -1. */
static int
mode_freeport(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, r = -1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0) {
		printf("%d\n", ntohs(sin.sin_port));
		r = 0;
	}
	close(fd);
	return (r);
}

/* Echo what ${fd} sends until end of file or a silent step timeout. */
static void
echo_child(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int one = 1;
	ssize_t n;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (net_set_nonblock(fd, 0))
		return;
	while (poll(&pfd, 1, (int)(o.timeout_us / 1000)) == 1) {
		if ((n = read(fd, record, sizeof(record))) <= 0)
			break;
		if (net_write_full(fd, record, (size_t)n, step_deadline_ms()))
			break;
	}
}

/*
 * Serve as a plain TCP echo server on 127.0.0.1 (a port the kernel picks,
 * printed first) for -t seconds, forking a child per connection like
 * secchatd but with no cryptography: the floor for its figures.
 */
static int
mode_echod(void)
{
	struct pollfd pfd;
	char err[NET_ERR_LEN];
	int64_t end = now_us() + (int64_t)o.seconds * 1000000;
	int lfd, fd;

	if ((lfd = net_listen("127.0.0.1", 0, 128, err)) == -1) {
		fprintf(stderr, "loadgen: %s\n", err);
		return (-1);
	}
	printf("%d\n", net_local_port(lfd));
	fflush(stdout);

	/* The kernel reaps the children: none is left a zombie. */
	signal(SIGCHLD, SIG_IGN);
	while (now_us() < end) {
		pfd.fd = lfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 1000) != 1 ||
		    (fd = net_accept(lfd, NULL, NULL)) == -1)
			continue;
		if (fork() == 0) {
			close(lfd);
			echo_child(fd);
			_exit(0);
		}
		close(fd);
	}
	close(lfd);
	return (0);
}

/* Print the usage message and exit 2. */
static void
usage(void)
{

	fprintf(stderr, "usage: loadgen [-b bytes] [-c clients] [-H host] "
	    "[-i id] [-k server.pub]\n"
	    "               [-m msg_len] [-n count] [-P pid] [-p port] "
	    "[-r] [-T timeout] [-t seconds]\n"
	    "               throughput | rtt | rate | hold | freeport | "
	    "echod [command [arg ...]]\n");
	exit(2);
}

/* Parse the decimal ${s} in [${min}, ${max}], or exit through usage. */
static long long
number(const char *s, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max)
		usage();
	return (v);
}

/* Load the client key ${id} and the server key ${pub}, or exit 2. */
static void
load_keys(const char *id, const char *pub)
{
	char err[KEY_ERR_LEN];

	if (id == NULL || pub == NULL || o.port <= 0)
		usage();
	if ((o.id = key_load_secret(id, err)) == NULL ||
	    key_load_public(pub, o.server_pub, NULL, err)) {
		fprintf(stderr, "loadgen: %s\n", err);
		exit(2);
	}
}

/* Set the defaults of the options. */
static void
set_defaults(void)
{

	o.host = "127.0.0.1";
	o.bytes = 1 << 30;
	o.msg_len = 64;
	o.count = 10000;
	o.clients = 1;
	o.seconds = 10;
	o.timeout_us = 30 * 1000000LL;
}

/* Parse the command line into ${o}, or exit through usage. */
static void
parse_args(int argc, char *argv[])
{
	const char *id = NULL, *pub = NULL;
	int ch;

	set_defaults();
	while ((ch = getopt(argc, argv, "b:c:H:i:k:m:n:P:p:rT:t:")) != -1) {
		switch (ch) {
		case 'b': o.bytes = (uint64_t)number(optarg, 1, 1LL << 40);
			break;
		case 'c': o.clients = (int)number(optarg, 1, 256);
			break;
		case 'H': o.host = optarg;
			break;
		case 'i': id = optarg;
			break;
		case 'k': pub = optarg;
			break;
		case 'm': o.msg_len = (size_t)number(optarg, 1,
			    CHANNEL_BODY_MAX);
			break;
		case 'n': o.count = (int)number(optarg, 1, 1000000);
			break;
		case 'P': o.pss_pid = (pid_t)number(optarg, 1, PID_LIMIT - 1);
			break;
		case 'p': o.port = (int)number(optarg, 1, 65535);
			break;
		case 'r': o.tcp = 1;
			break;
		case 'T': o.timeout_us = number(optarg, 1, 3600) * 1000000;
			break;
		case 't': o.seconds = (int)number(optarg, 1, 3600);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	o.mode = argv[optind];
	if (optind + 1 < argc)
		o.cmd = argv + optind + 1;
	else if (o.tcp && o.port <= 0)
		usage();
	else if (!o.tcp && strcmp(o.mode, "freeport") != 0 &&
	    strcmp(o.mode, "echod") != 0)
		load_keys(id, pub);
	o.raw = (o.cmd != NULL || o.tcp);
}

/* Let this process hold as many descriptors as it may. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char *argv[])
{
	int r;

	if (sodium_init() < 0) {
		fprintf(stderr, "loadgen: sodium_init failed\n");
		return (1);
	}
	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	pool_init();
	if (strcmp(o.mode, "throughput") == 0)
		r = mode_throughput();
	else if (strcmp(o.mode, "rtt") == 0)
		r = mode_rtt();
	else if (strcmp(o.mode, "rate") == 0)
		r = mode_rate();
	else if (strcmp(o.mode, "hold") == 0)
		r = mode_hold();
	else if (strcmp(o.mode, "freeport") == 0)
		r = mode_freeport();
	else if (strcmp(o.mode, "echod") == 0)
		r = mode_echod();
	else
		usage();
	fflush(stdout);
	key_pair_free(o.id);
	return (r == 0 ? 0 : 1);
}
