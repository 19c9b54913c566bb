/*
 * stress: many secchat sessions at once against a live secchatd, from one
 * process with poll(2), each sending messages of random sizes (0 to
 * 64 KiB) and checking every echo byte for byte, in order; with faults
 * injected during the load: session children killed with SIGKILL, the
 * master reloaded with SIGHUP, clients vanishing within a frame, and
 * attacks on the handshake port.
 *
 * usage: stress [-n sessions] [-m messages] [-k kills] [-H hups]
 *          [-v vanishing] [-a attacks] [-s seed] [-t seconds]
 *          PORT IDENTITY SERVER_PUB MASTER_PID SERVER_LOG
 *
 * All sessions are established and hold a first echo before the load
 * begins, so that they are all open at once.  The sessions to kill are
 * drawn at random; each is killed halfway through its messages, its
 * process found by the local port of its handshake connection in the
 * server's log.  Prints a report; exits 0 if every session not killed
 * completed intact, every killed one saw its connection end, and every
 * attack was refused.
 */

#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "channel.h"
#include "key.h"
#include "net.h"
#include "proto.h"

#define HOST		"127.0.0.1"
#define WINDOW		4	/* messages in flight per session */
#define MAX_HANDSHAKES	64	/* sessions being set up at once */
#define ATTACK_MS	10000	/* for one attack to be refused */

/* Where a session stands. */
enum st {
	ST_IDLE,	/* not started */
	ST_CONNECT,	/* connecting to the handshake port */
	ST_HELLO,	/* sending HELLO */
	ST_REPLY,	/* reading REPLY */
	ST_AUTH,	/* sending AUTH */
	ST_FIRST,	/* reading the stream header and PORT */
	ST_DCONNECT,	/* connecting to the data port */
	ST_RUN,		/* sending messages, reading echoes */
	ST_CLOSING,	/* our CLOSE sent or queued; waiting for the server's */
	ST_DONE,	/* closed in order */
	ST_FAILED,	/* ended with an error */
	ST_VANISHED	/* went away within a frame, on purpose */
};

/* One client session. */
struct sess {
	int idx;
	enum st st;
	int fd;			/* the connection polled now */
	int hs_fd;		/* handshake connection */
	int dport;		/* the data port */
	struct proto_hs *hs;
	struct proto_session keys;
	struct channel_dir tx, rx;
	uint8_t *obuf;		/* bytes to send */
	size_t olen, ooff;
	uint8_t *ibuf;		/* bytes being read */
	size_t ineed, igot;
	int total;		/* messages to send */
	int sent, echoed;	/* messages queued; echoes verified */
	int kill_at;		/* kill its process at this echo, or -1 */
	int killed;
	int vanish_at;		/* vanish within this message, or -1 */
	int vanishing;		/* the half frame is queued */
	char why[160];		/* the first error */
};

static struct {
	int port, nsess, nmsg, nkill, nhup, nvanish, nattack, seconds;
	pid_t master;
	const char *log;
	uint64_t seed;
} opt = { 0, 300, 20, 10, 20, 10, 30, 240, 0, NULL, 0 };

static struct key_pair *id;
static uint8_t server_pub[KEY_LEN];
static struct sess *sess;	/* nsess main sessions, then nvanish */
static int nall;
static uint8_t rec_hello[PROTO_HELLO_LEN], rec_auth[PROTO_AUTH_LEN];
static int recorded;

/* Figures for the report. */
static struct {
	uint64_t msgs, bytes;		/* echoes verified */
	int held, children, killed, hups, vanished, attacks;
	int64_t t_start, t_held, t_end;
} fig;

/* Print ${why} and exit 1. */
static void
die(const char *why)
{

	fprintf(stderr, "stress: FAIL: %s\n", why);
	exit(1);
}

/* Note the first error of ${s}: it has failed. */
static void
sess_fail(struct sess *s, const char *why)
{

	if (s->st != ST_FAILED)
		snprintf(s->why, sizeof(s->why), "%s%s%s", why,
		    errno ? ": " : "", errno ? strerror(errno) : "");
	s->st = ST_FAILED;
	if (s->fd != -1)
		close(s->fd);
	if (s->hs_fd != -1 && s->hs_fd != s->fd)
		close(s->hs_fd);
	s->fd = s->hs_fd = -1;
	proto_hs_free(s->hs);
	s->hs = NULL;
}

/* Return a pseudo-random 64-bit value drawn from ${x} (splitmix64). */
static uint64_t
mix(uint64_t x)
{

	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return (x ^ (x >> 31));
}

/* Return the key of message ${j} of session ${i}. */
static uint64_t
msg_key(int i, int j)
{

	return (mix(opt.seed ^ ((uint64_t)i << 32) ^ (uint64_t)j));
}

/* Return the size of message ${j} of session ${i}: 0 to 64 KiB. */
static size_t
msg_size(int i, int j)
{

	return ((size_t)(mix(msg_key(i, j)) % (CHANNEL_BODY_MAX + 1)));
}

/* Write the body of message ${j} of session ${i} into ${buf}. */
static void
msg_body(int i, int j, uint8_t *buf)
{
	uint64_t x = msg_key(i, j), v;
	size_t k, len = msg_size(i, j);

	for (k = 0; k < len; k += 8) {
		v = x = mix(x);
		memcpy(buf + k, &v, len - k < 8 ? len - k : 8);
	}
}

/* Start a non-blocking connection to ${p}; the socket, or -1. */
static int
connect_nb(int p)
{
	struct sockaddr_in sin;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)p);
	inet_pton(AF_INET, HOST, &sin.sin_addr);
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1 ||
	    (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS)) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Return 0 if the connection ${fd} begun by connect_nb is up. */
static int
connected(int fd)
{
	socklen_t len = sizeof(int);
	int e = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) || e != 0) {
		errno = e;
		return (-1);
	}
	return (0);
}

/* Queue ${len} bytes of ${buf} to send on ${s}. */
static void
queue(struct sess *s, const void *buf, size_t len)
{

	memcpy(s->obuf + s->olen, buf, len);
	s->olen += len;
}

/* Queue the next message of ${s} (half of it, if it vanishes there). */
static void
queue_msg(struct sess *s)
{
	static uint8_t record[CHANNEL_RECORD_MAX];
	size_t len = msg_size(s->idx, s->sent), out_len;

	record[0] = CHANNEL_T_MSG;
	msg_body(s->idx, s->sent, record + 1);
	if (channel_seal(&s->tx, record, 1 + len, 0, s->obuf + s->olen,
	    &out_len))
		die("cannot seal");
	if (s->sent == s->vanish_at) {
		out_len /= 2;
		s->vanishing = 1;
	}
	s->olen += out_len;
	s->sent++;
}

/* Queue our CLOSE on ${s}. */
static void
queue_close(struct sess *s)
{
	uint8_t record[1] = { CHANNEL_T_CLOSE };
	size_t out_len;

	if (channel_seal(&s->tx, record, 1, 1, s->obuf + s->olen, &out_len))
		die("cannot seal");
	s->olen += out_len;
	s->st = ST_CLOSING;
}

/* Begin session ${s}: connect to the handshake port. */
static void
sess_start(struct sess *s)
{

	errno = 0;
	s->hs = proto_client_new(id, server_pub);
	if (s->hs == NULL || (s->fd = s->hs_fd = connect_nb(opt.port)) == -1) {
		sess_fail(s, "cannot connect to the handshake port");
		return;
	}
	s->st = ST_CONNECT;
}

/* Expect ${n} bytes on ${s}. */
static void
expect(struct sess *s, size_t n)
{

	s->ineed = n;
	s->igot = 0;
}

/* Verify the record ${rec} (${len} bytes) as the next echo of ${s}. */
static int
check_echo(struct sess *s, const uint8_t *rec, size_t len)
{
	static uint8_t want[CHANNEL_BODY_MAX];
	size_t size;

	if (s->echoed >= s->sent)
		return (-1);
	size = msg_size(s->idx, s->echoed);
	msg_body(s->idx, s->echoed, want);
	if (len != 1 + size || rec[0] != CHANNEL_T_MSG ||
	    memcmp(rec + 1, want, size) != 0)
		return (-1);
	s->echoed++;
	fig.msgs++;
	fig.bytes += size;
	return (0);
}

/* Read what ${s} expects: 1 when all is in, 0 to wait, -1 on an error or
 * the end of the connection (errno 0). */
static int
fill(struct sess *s)
{
	ssize_t n;

	if (s->igot == s->ineed)
		return (1);
	n = read(s->fd, s->ibuf + s->igot, s->ineed - s->igot);
	if (n == -1)
		return ((errno == EAGAIN || errno == EINTR) ? 0 : -1);
	if (n == 0) {
		errno = 0;
		return (-1);
	}
	s->igot += (size_t)n;
	return (s->igot == s->ineed);
}

/* Send what ${s} has queued: 1 when all is out, 0 to wait, -1 on error. */
static int
flush(struct sess *s)
{
	ssize_t n;

	while (s->ooff < s->olen) {
		n = send(s->fd, s->obuf + s->ooff, s->olen - s->ooff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1)
			return ((errno == EAGAIN || errno == EINTR) ? 0 : -1);
		s->ooff += (size_t)n;
	}
	s->olen = s->ooff = 0;
	return (1);
}

/* The handshake port is up: queue HELLO. */
static void
on_connect(struct sess *s)
{
	uint8_t hello[PROTO_HELLO_LEN];

	if (connected(s->fd)) {
		sess_fail(s, "cannot connect to the handshake port");
		return;
	}
	if (proto_client_hello(s->hs, hello))
		die("cannot build HELLO");
	if (!recorded && s->idx == 0)
		memcpy(rec_hello, hello, sizeof(hello));
	queue(s, hello, sizeof(hello));
	s->st = ST_HELLO;
}

/* Read REPLY; queue AUTH. */
static void
on_reply(struct sess *s)
{
	uint8_t auth[PROTO_AUTH_LEN];
	int r;

	if ((r = fill(s)) <= 0) {
		if (r == -1)
			sess_fail(s, "handshake connection lost");
		return;
	}
	errno = 0;
	if (proto_client_read_reply(s->hs, s->ibuf) ||
	    proto_client_auth(s->hs, auth) ||
	    proto_hs_session(s->hs, &s->keys)) {
		sess_fail(s, "handshake failed");
		return;
	}
	if (!recorded && s->idx == 0) {
		memcpy(rec_auth, auth, sizeof(auth));
		recorded = 1;
	}
	proto_hs_free(s->hs);
	s->hs = NULL;
	queue(s, auth, sizeof(auth));
	s->st = ST_AUTH;
}

/* Send HELLO or AUTH; then read what follows. */
static void
on_send_hs(struct sess *s)
{
	int r;

	if ((r = flush(s)) <= 0) {
		if (r == -1)
			sess_fail(s, "cannot send the handshake");
		return;
	}
	if (s->st == ST_HELLO) {
		expect(s, PROTO_REPLY_LEN);
		s->st = ST_REPLY;
	} else {
		expect(s, CHANNEL_HEADER_LEN + CHANNEL_LEN_LEN);
		s->st = ST_FIRST;
	}
}

/* Read the stream header and the PORT record; connect to the port. */
static void
on_first(struct sess *s)
{
	static uint8_t record[CHANNEL_RECORD_MAX];
	size_t ct_len, len;
	int r, final, port;

	if ((r = fill(s)) <= 0)
		goto lost;
	errno = 0;
	if (s->ineed == CHANNEL_HEADER_LEN + CHANNEL_LEN_LEN) {
		if (channel_rx_start(&s->rx, s->keys.rx_key, s->ibuf) ||
		    channel_frame_length(s->ibuf + CHANNEL_HEADER_LEN, &ct_len))
			goto bad;
		s->ineed += ct_len;
		return;
	}
	if (channel_open(&s->rx, s->ibuf + CHANNEL_HEADER_LEN +
	    CHANNEL_LEN_LEN, s->ineed - CHANNEL_HEADER_LEN - CHANNEL_LEN_LEN,
	    record, &len, &final) || len != 3 || record[0] != CHANNEL_T_PORT)
		goto bad;
	s->dport = port = (record[1] << 8) | record[2];
	if ((s->fd = connect_nb(port)) == -1) {
		s->fd = s->hs_fd;
		sess_fail(s, "cannot connect to the data port");
		return;
	}
	s->st = ST_DCONNECT;
	return;

lost:
	if (r == -1)
		sess_fail(s, "no data port: connection lost or refused");
	return;
bad:
	sess_fail(s, "no data port: bad first record");
}

/* The data port is up: queue DATA_HELLO and the first message. */
static void
on_dconnect(struct sess *s)
{
	uint8_t header[CHANNEL_HEADER_LEN], hello[PROTO_DATA_HELLO_LEN];

	if (connected(s->fd)) {
		sess_fail(s, "cannot connect to the data port");
		return;
	}
	close(s->hs_fd);
	s->hs_fd = -1;
	channel_tx_start(&s->tx, s->keys.tx_key, header);
	proto_data_hello(&s->keys, header, hello);
	proto_session_wipe(&s->keys);
	queue(s, hello, sizeof(hello));
	queue_msg(s);
	expect(s, CHANNEL_LEN_LEN);
	s->st = ST_RUN;
}

/* Handle the frame now read on ${s}; 0, or -1 if ${s} failed. */
static int
on_frame(struct sess *s)
{
	static uint8_t record[CHANNEL_RECORD_MAX];
	size_t len;
	int final;

	errno = 0;
	if (channel_open(&s->rx, s->ibuf + CHANNEL_LEN_LEN,
	    s->ineed - CHANNEL_LEN_LEN, record, &len, &final)) {
		sess_fail(s, "a frame from the server failed");
		return (-1);
	}
	if (record[0] == CHANNEL_T_CLOSE && s->st == ST_CLOSING &&
	    s->olen == 0 && s->echoed == s->total) {
		close(s->fd);
		s->fd = -1;
		s->st = ST_DONE;
		return (0);
	}
	if (check_echo(s, record, len)) {
		sess_fail(s, record[0] == CHANNEL_T_CLOSE ?
		    "the server closed the session" :
		    "an echo was lost, duplicated, reordered or altered");
		return (-1);
	}
	expect(s, CHANNEL_LEN_LEN);
	return (0);
}

/* Read the echoes that have come for ${s}. */
static void
read_frames(struct sess *s)
{
	size_t ct_len;
	int r;

	while (s->st == ST_RUN || s->st == ST_CLOSING) {
		if ((r = fill(s)) == 0)
			return;
		if (r == -1) {
			sess_fail(s, "the connection was lost");
			return;
		}
		if (s->ineed > CHANNEL_LEN_LEN) {
			if (on_frame(s))
				return;
			continue;
		}
		errno = 0;
		if (channel_frame_length(s->ibuf, &ct_len)) {
			sess_fail(s, "a frame length out of bounds");
			return;
		}
		s->ineed += ct_len;
	}
}

/* Queue what ${s} may send next, once its queue is empty. */
static void
pump(struct sess *s, int barrier)
{

	if (s->st != ST_RUN || s->olen != 0)
		return;
	if (s->vanishing) {
		/* The half frame went: gone, as if the client crashed. */
		close(s->fd);
		s->fd = -1;
		s->st = ST_VANISHED;
		fig.vanished++;
	} else if (s->sent < s->total && s->sent - s->echoed < WINDOW &&
	    barrier && (s->sent != s->vanish_at || s->echoed == s->sent))
		queue_msg(s);	/* vanishing: with nothing unread, a FIN */
	else if (s->sent == s->total && s->echoed == s->total)
		queue_close(s);
}

/* Move session ${s} on, as poll found its connection (${rev}). */
static void
step(struct sess *s, short rev, int barrier)
{

	if (s->st == ST_CONNECT)
		on_connect(s);
	else if (s->st == ST_HELLO || s->st == ST_AUTH)
		on_send_hs(s);
	else if (s->st == ST_REPLY)
		on_reply(s);
	else if (s->st == ST_FIRST)
		on_first(s);
	else if (s->st == ST_DCONNECT)
		on_dconnect(s);
	else {
		if ((rev & POLLOUT) && flush(s) == -1) {
			sess_fail(s, "cannot send");
			return;
		}
		if (rev & (POLLIN | POLLHUP | POLLERR))
			read_frames(s);
	}
	pump(s, barrier);
}

/* Return the poll events ${s} waits for, or 0. */
static short
events(const struct sess *s)
{

	switch (s->st) {
	case ST_CONNECT:
	case ST_DCONNECT:
	case ST_HELLO:
	case ST_AUTH:
		return (POLLOUT);
	case ST_REPLY:
	case ST_FIRST:
		return (POLLIN);
	case ST_RUN:
	case ST_CLOSING:
		return ((short)(POLLIN | (s->ooff < s->olen ? POLLOUT : 0)));
	default:
		return (0);
	}
}

/* Return the pid in the log line ${line} if it ends with ${tail}, or 0. */
static pid_t
line_pid(const char *line, const char *tail)
{
	size_t n = strlen(line), t = strlen(tail);
	const char *p;

	if (n < t || strcmp(line + n - t, tail) != 0 ||
	    (p = strstr(line, "secchatd[")) == NULL)
		return (0);
	return ((pid_t)atoi(p + 9));
}

/*
 * Return the pid of the session child serving ${s}, from the server's
 * log, or -1: the one that logged both our data port and our local port
 * on it (a local port alone may serve two connections to two ports).
 */
static pid_t
find_child(const struct sess *s)
{
	char line[1024], dport[64], lport[96];
	pid_t pids[64], pid, found = -1;
	int i, n = 0;
	FILE *f;

	snprintf(dport, sizeof(dport), ": data port %d\n", s->dport);
	snprintf(lport, sizeof(lport), "client connected to the data port "
	    "from 127.0.0.1:%d\n", net_local_port(s->fd));
	if ((f = fopen(opt.log, "r")) == NULL)
		die("cannot read the server's log");
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((pid = line_pid(line, dport)) > 0)
			pids[n++ % 64] = pid;
		if ((pid = line_pid(line, lport)) > 0)
			for (i = 0; i < n && i < 64; i++)
				if (pids[i] == pid)
					found = pid;
	}
	fclose(f);
	return (found);
}

/* Kill the session child of ${s} with SIGKILL. */
static void
kill_child(struct sess *s)
{
	pid_t pid = find_child(s);

	if (pid <= 1 || pid == opt.master || kill(pid, SIGKILL) == -1)
		die("cannot find or kill a session child");
	s->killed = 1;
	fig.killed++;
}

/* Return how many processes have ${parent} as their parent. */
static int
count_children(pid_t parent)
{
	char path[300], buf[512], *p;
	struct dirent *de;
	int n = 0, fd;
	ssize_t len;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY)) == -1)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* After the command name: state, then the parent. */
		if ((p = strrchr(buf, ')')) != NULL &&
		    atoi(p + 4) == (int)parent)
			n++;
	}
	closedir(d);
	return (n);
}

/* Read until ${fd} closes; fail unless nothing came, or only an ERROR
 * if ${error_ok}. */
static void
expect_refused(int fd, int error_ok)
{
	uint8_t buf[64];
	size_t got = 0;
	int r;

	for (;;) {
		r = net_read_full(fd, buf + got, 1, net_now_ms() + ATTACK_MS);
		if (r == 1 || (r == -1 && errno == ECONNRESET))
			break;
		if (r == -1)
			die("an attack got neither an answer nor a close");
		if (++got == sizeof(buf))
			break;
	}
	if (got != 0 && !(error_ok && got == PROTO_ERROR_LEN &&
	    proto_check_header(buf, PROTO_T_REPLY, PROTO_REPLY_BODY) ==
	    PROTO_E_REMOTE))
		die("an attack on the handshake was answered");
}

/* Run a handshake on ${fd} up to AUTH, then flip a byte of the AUTH. */
static void
flipped_auth(int fd)
{
	uint8_t hello[PROTO_HELLO_LEN], reply[PROTO_REPLY_LEN];
	uint8_t auth[PROTO_AUTH_LEN];
	struct proto_hs *hs = proto_client_new(id, server_pub);
	int64_t dl = net_now_ms() + ATTACK_MS;

	if (hs == NULL || proto_client_hello(hs, hello) ||
	    net_write_full(fd, hello, sizeof(hello), dl) ||
	    net_read_full(fd, reply, sizeof(reply), dl) ||
	    proto_client_read_reply(hs, reply) || proto_client_auth(hs, auth))
		die("attack: no handshake");
	auth[PROTO_HDR_LEN + randombytes_uniform(PROTO_AUTH_BODY)] ^=
	    (uint8_t)(1 + randombytes_uniform(255));
	if (net_write_full(fd, auth, sizeof(auth), dl))
		die("attack: cannot send");
	proto_hs_free(hs);
}

/* Attack ${k} on the handshake port, during the load: garbage, a flipped
 * AUTH, or a replay of a real session's HELLO and AUTH.  No session. */
static void
attack(int k)
{
	uint8_t buf[PROTO_REPLY_LEN];
	char err[NET_ERR_LEN];
	int64_t dl = net_now_ms() + ATTACK_MS;
	int fd;

	if ((fd = net_connect(HOST, opt.port, ATTACK_MS, err)) == -1)
		die(err);
	if (k % 3 == 0) {
		randombytes_buf(buf, sizeof(buf));
		memcpy(buf, "GET / HTTP/1.1\r\n", 16);
		(void)net_write_full(fd, buf, sizeof(buf), dl);
	} else if (k % 3 == 1)
		flipped_auth(fd);
	else if (net_write_full(fd, rec_hello, sizeof(rec_hello), dl) ||
	    net_read_full(fd, buf, sizeof(buf), dl) ||
	    net_write_full(fd, rec_auth, sizeof(rec_auth), dl))
		die("attack: the replay was not even read");
	expect_refused(fd, k % 3 == 0);
	close(fd);
	fig.attacks++;
}

/* Inject the faults due after ${done} of ${total} echoes. */
static void
faults(uint64_t done, uint64_t total, int barrier)
{
	int i;

	if (!barrier)
		return;
	while (fig.hups < opt.nhup &&
	    done * (uint64_t)(opt.nhup + 1) >= total * (uint64_t)(fig.hups + 1)) {
		if (kill(opt.master, SIGHUP) == -1)
			die("cannot send SIGHUP to the master");
		fig.hups++;
	}
	while (fig.attacks < opt.nattack && done * (uint64_t)(opt.nattack +
	    1) >= total * (uint64_t)(fig.attacks + 1))
		attack(fig.attacks);
	for (i = 0; i < opt.nsess; i++)
		if (sess[i].kill_at >= 0 && !sess[i].killed &&
		    sess[i].st == ST_RUN && sess[i].echoed >= sess[i].kill_at)
			kill_child(&sess[i]);

	/* The vanishing clients start a quarter of the way through. */
	if (done * 4 >= total)
		for (i = opt.nsess; i < nall; i++)
			if (sess[i].st == ST_IDLE)
				sess_start(&sess[i]);
}

/* Start main sessions while fewer than MAX_HANDSHAKES are being set up. */
static void
start_more(void)
{
	int i, setting_up = 0;

	for (i = 0; i < nall; i++)
		if (sess[i].st >= ST_CONNECT && sess[i].st <= ST_DCONNECT)
			setting_up++;
	for (i = 0; i < opt.nsess && setting_up < MAX_HANDSHAKES; i++)
		if (sess[i].st == ST_IDLE) {
			sess_start(&sess[i]);
			setting_up++;
		}
}

/* Return 1 once every main session holds its first echo (and note the
 * figures then), else 0; a session failed before that is fatal. */
static int
check_barrier(void)
{
	int i;

	for (i = 0; i < opt.nsess; i++) {
		if (sess[i].st == ST_FAILED) {
			fprintf(stderr, "stress: session %d: %s\n", i,
			    sess[i].why);
			die("a session failed before the load began");
		}
		if (sess[i].st != ST_RUN || sess[i].echoed < 1)
			return (0);
	}
	fig.held = opt.nsess;
	fig.children = count_children(opt.master);
	fig.t_held = net_now_ms();
	return (1);
}

/* Poll the sessions once; return how many are still going. */
static int
poll_once(struct pollfd *pfds, int *map, int barrier)
{
	int i, n = 0, going = 0;

	for (i = 0; i < nall; i++) {
		if (sess[i].st != ST_DONE && sess[i].st != ST_FAILED &&
		    sess[i].st != ST_VANISHED)
			going++;
		if (sess[i].fd == -1 || events(&sess[i]) == 0)
			continue;
		pfds[n].fd = sess[i].fd;
		pfds[n].events = events(&sess[i]);
		pfds[n].revents = 0;
		map[n++] = i;
	}
	if (going == 0)
		return (0);
	if (poll(pfds, (nfds_t)n, 1000) == -1 && errno != EINTR)
		die("poll");
	for (i = 0; i < n; i++)
		if (pfds[i].revents != 0)
			step(&sess[map[i]], pfds[i].revents, barrier);
	return (going);
}

/* Set up the ${nall} sessions: buffers, messages, kills, vanishing. */
static void
sessions_new(void)
{
	int i, k;

	nall = opt.nsess + opt.nvanish;
	if ((sess = calloc((size_t)nall, sizeof(*sess))) == NULL)
		die("out of memory");
	for (i = 0; i < nall; i++) {
		sess[i].idx = i;
		sess[i].fd = sess[i].hs_fd = -1;
		sess[i].total = (i < opt.nsess) ? opt.nmsg : 3;
		sess[i].kill_at = -1;
		sess[i].vanish_at = (i < opt.nsess) ? -1 :
		    1 + (int)randombytes_uniform(2);
		sess[i].obuf = malloc(PROTO_DATA_HELLO_LEN + CHANNEL_FRAME_MAX);
		sess[i].ibuf = malloc(CHANNEL_HEADER_LEN + CHANNEL_FRAME_MAX);
		if (sess[i].obuf == NULL || sess[i].ibuf == NULL)
			die("out of memory");
	}

	/* The sessions to kill, halfway through, drawn at random. */
	for (k = 0; k < opt.nkill; k++) {
		do
			i = (int)randombytes_uniform((uint32_t)opt.nsess);
		while (sess[i].kill_at != -1);
		sess[i].kill_at = opt.nmsg / 2;
	}
}

/* Free the sessions. */
static void
sessions_free(void)
{
	int i;

	for (i = 0; i < nall; i++) {
		if (sess[i].fd != -1)
			close(sess[i].fd);
		proto_hs_free(sess[i].hs);
		free(sess[i].obuf);
		free(sess[i].ibuf);
	}
	free(sess);
}

/* Check how each session ended; print the failures; 0 if as it must. */
static int
sessions_check(int *done)
{
	int i, bad = 0;

	for (i = 0, *done = 0; i < nall; i++) {
		struct sess *s = &sess[i];
		const char *why = NULL;

		if (i >= opt.nsess)
			why = (s->st == ST_VANISHED) ? NULL : "did not vanish";
		else if (s->killed)
			why = (s->st == ST_FAILED) ? NULL :
			    "completed although its process was killed";
		else if (s->st != ST_DONE)
			why = "did not complete";
		else
			(*done)++;
		if (why != NULL) {
			fprintf(stderr, "stress: session %d %s (%d/%d echoes): "
			    "%s\n", i, why, s->echoed, s->total, s->why);
			bad++;
		}
	}
	return (bad);
}

/* Print the report on standard output. */
static void
report(int done)
{
	double secs = (double)(fig.t_end - fig.t_start) / 1000;

	printf("stress: %d sessions held at once (%d session processes), "
	    "established in %.1f s\n", fig.held, fig.children,
	    (double)(fig.t_held - fig.t_start) / 1000);
	printf("stress: %llu messages, %llu bytes (0 to 64 KiB each) echoed "
	    "and verified byte for byte, in order: none lost, duplicated, "
	    "reordered or altered\n", (unsigned long long)fig.msgs,
	    (unsigned long long)fig.bytes);
	printf("stress: faults: %d session processes killed (SIGKILL: only "
	    "their %d clients saw an error), %d SIGHUP reloads, %d clients "
	    "vanished within a frame; %d attacks on the handshake refused\n",
	    fig.killed, fig.killed, fig.hups, fig.vanished, fig.attacks);
	printf("stress: %d of %d sessions completed intact in %.1f s "
	    "(%.1f MB/s echoed)\n", done, opt.nsess, secs,
	    secs > 0 ? (double)fig.bytes / 1e6 / secs : 0.0);
}

/* Parse the options into opt; the index of the first operand. */
static int
options(int argc, char *argv[])
{
	int c;

	while ((c = getopt(argc, argv, "n:m:k:H:v:a:s:t:")) != -1) {
		switch (c) {
		case 'n': opt.nsess = atoi(optarg); break;
		case 'm': opt.nmsg = atoi(optarg); break;
		case 'k': opt.nkill = atoi(optarg); break;
		case 'H': opt.nhup = atoi(optarg); break;
		case 'v': opt.nvanish = atoi(optarg); break;
		case 'a': opt.nattack = atoi(optarg); break;
		case 's': opt.seed = strtoull(optarg, NULL, 0); break;
		case 't': opt.seconds = atoi(optarg); break;
		default: return (-1);
		}
	}
	if (argc - optind != 5 || opt.nsess < 1 || opt.nmsg < 2 ||
	    opt.nkill < 0 || opt.nkill > opt.nsess || opt.nvanish < 0 ||
	    opt.nhup < 0 || opt.nattack < 0 || opt.seconds < 1)
		return (-1);
	return (optind);
}

int
main(int argc, char *argv[])
{
	struct pollfd *pfds;
	char err[KEY_ERR_LEN];
	int *map, i, a, barrier = 0, done;

	if (sodium_init() < 0 || (a = options(argc, argv)) < 0) {
		fprintf(stderr, "usage: stress [-n sessions] [-m messages] "
		    "[-k kills] [-H hups] [-v vanishing] [-a attacks] [-s seed] "
		    "[-t seconds]\n"
		    "              PORT IDENTITY SERVER_PUB MASTER_PID "
		    "SERVER_LOG\n");
		return (2);
	}
	opt.port = atoi(argv[a]);
	opt.master = (pid_t)atoi(argv[a + 3]);
	opt.log = argv[a + 4];
	if (opt.seed == 0)
		randombytes_buf(&opt.seed, sizeof(opt.seed));
	if ((id = key_load_secret(argv[a + 1], err)) == NULL ||
	    key_load_public(argv[a + 2], server_pub, NULL, err))
		die(err);
	signal(SIGPIPE, SIG_IGN);
	sessions_new();
	pfds = calloc((size_t)nall, sizeof(*pfds));
	map = calloc((size_t)nall, sizeof(*map));
	if (pfds == NULL || map == NULL)
		die("out of memory");

	/* Set up every session, hold them all, then the load and faults. */
	fig.t_start = net_now_ms();
	for (;;) {
		if (!barrier)
			start_more();
		if (!barrier && (barrier = check_barrier()))
			for (i = 0; i < opt.nsess; i++)
				pump(&sess[i], barrier);
		faults(fig.msgs, (uint64_t)opt.nsess * (uint64_t)opt.nmsg,
		    barrier);
		if (poll_once(pfds, map, barrier) == 0)
			break;
		if (net_now_ms() - fig.t_start > 1000 * (int64_t)opt.seconds)
			break;
	}
	fig.t_end = net_now_ms();
	if (sessions_check(&done) != 0 || !barrier) {
		report(done);
		die("sessions did not end as they must");
	}
	report(done);
	printf("stress: seed 0x%016llx\n", (unsigned long long)opt.seed);
	sessions_free();
	free(pfds);
	free(map);
	key_pair_free(id);
	return (0);
}
