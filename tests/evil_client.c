/*
 * evil_client: a secchat client that misbehaves on purpose, for the
 * integration tests.  Each mode plays one attack against a live secchatd
 * and exits 0 if the server resisted it as it must, 1 otherwise, saying
 * why on stderr.  Modes that try many variants print one line on standard
 * output saying how many ("tried N ...") for the test to check against the
 * server's log.
 *
 * usage: evil_client MODE PORT IDENTITY SERVER_PUB [ARGS]
 * IDENTITY is an allowed key unless the mode says otherwise.  Handshake:
 *   impostor ALLOWED_PUB  present ALLOWED_PUB without its secret (IDENTITY
 *             not allowed): no port may come
 *   replay    record the HELLO and AUTH of a real session, replay them on
 *             new connections: no session
 *   hsflip    flip each byte of HELLO and of AUTH, one connection each, two
 *             ways (all bits, one bit): ERROR or a close, never a session
 *   truncate T  send each prefix of HELLO and of AUTH then end the
 *             connection: closed at once (T: handshake_timeout)
 *   hold T    the same prefixes, all at once, then silence: each closed
 *             at the handshake timeout T, with nothing sent
 *   version   a HELLO of version 2: the server must answer ERROR(version)
 *   garbage   random bytes instead of a HELLO: ERROR(malformed) or a close
 *   zeros     zero bytes on the handshake port, the data port, and as a
 *             frame: each refused
 *   silent N S  open N connections that say nothing and hold them S seconds;
 *             prints "held H refused R" (refused: closed or told busy
 *             within a second)
 *   slow N S  open N connections that send a HELLO one byte a second, for
 *             S seconds at most; prints "held H refused R closed after
 *             MIN..MAX ms"
 *   halfopen N S  N connections begun and never used, held S seconds, then
 *             reset
 *   reset     reset connections (SO_LINGER 0) within HELLO, AUTH,
 *             DATA_HELLO and a frame
 * Data port and conversation:
 *   foreign   strangers on the data port first; the real session must work
 *   dpreplay  replay the real client's DATA_HELLO and first frame on a
 *             connection made before it and on one made after: no second
 *             session, the first goes on
 *   flip      a flipped byte on the data connection: the session must end
 *   biglen    length prefixes out of bounds (0 up to 2^32-1) after a valid
 *             DATA_HELLO: each session ends at once
 *   frames    replayed, reordered, dropped, truncated, cut, reflected,
 *             spliced and garbage frames: each session ends, no echo
 *   noread S  send 64 KiB messages and never read the echoes; prints when
 *             it stalls and when the server closed (within S seconds)
 * With EVIL_SOURCE set, connections come from that local address (another
 * 127.0.0.0/8 address stands for another host).
 */

#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#define TIMEOUT_MS	10000
#define MAX_CONNS	1024	/* connections one mode holds at once */

static int port;
static struct key_pair *id;
static uint8_t server_pub[KEY_LEN];

/* The header of an AUTH message, for AUTHs made of random bytes. */
static const uint8_t auth_header[PROTO_HDR_LEN] = { 'S', 'C', 'H', 'T',
    PROTO_VERSION, PROTO_T_AUTH, 0, PROTO_AUTH_BODY };

/* The last frame read_record() read, as it came on the wire. */
static uint8_t last_frame[CHANNEL_FRAME_MAX];
static size_t last_frame_len;

/* A session as the real client holds it, with what it sent recorded. */
struct sess {
	int hs;				/* handshake connection, or -1 */
	int data;			/* data connection, or -1 */
	int port;			/* the data port */
	struct proto_session keys;
	struct channel_dir tx, rx;
	uint8_t hello[PROTO_HELLO_LEN];	/* the messages as sent */
	uint8_t auth[PROTO_AUTH_LEN];
	uint8_t data_hello[PROTO_DATA_HELLO_LEN];
};

/* Print why the attack was not resisted, and exit 1. */
static void
fail(const char *why)
{

	fprintf(stderr, "evil_client: FAIL: %s\n", why);
	exit(1);
}

/* Return the deadline TIMEOUT_MS from now. */
static int64_t
deadline(void)
{

	return (net_now_ms() + TIMEOUT_MS);
}

/* Open a TCP socket, bound to EVIL_SOURCE if set; -1 on failure. */
static int
evil_socket(void)
{
	const char *src = getenv("EVIL_SOURCE");
	struct sockaddr_in sin;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	if (src == NULL)
		return (fd);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (inet_pton(AF_INET, src, &sin.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		fail("cannot bind EVIL_SOURCE");
	return (fd);
}

/* Fill ${sin} with the server's address on port ${p}. */
static void
server_addr(struct sockaddr_in *sin, int p)
{

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)p);
	inet_pton(AF_INET, HOST, &sin->sin_addr);
}

/* Connect to the server's ${p} from EVIL_SOURCE if set; -1 on failure. */
static int
try_connect(int p)
{
	struct sockaddr_in sin;
	int fd;

	if (getenv("EVIL_SOURCE") == NULL) {
		char err[NET_ERR_LEN];

		return (net_connect(HOST, p, TIMEOUT_MS, err));
	}
	if ((fd = evil_socket()) == -1)
		return (-1);
	server_addr(&sin, p);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Connect to the server's ${p}, or fail. */
static int
connect_port(int p)
{
	int fd;

	if ((fd = try_connect(p)) == -1)
		fail("cannot connect");
	return (fd);
}

/* Send ${len} bytes of ${buf} on ${fd}, or fail. */
static void
send_bytes(int fd, const void *buf, size_t len)
{

	if (len > 0 && net_write_full(fd, buf, len, deadline()))
		fail("cannot send");
}

/* Close ${fd} with a reset (SO_LINGER 0) rather than a FIN. */
static void
reset_close(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/* Let this process hold MAX_CONNS descriptors and more, if it may. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Start a client handshake as ${id}, claiming ${claim} if not NULL. */
static struct proto_hs *
client_hs(const uint8_t *claim)
{
	struct proto_hs *hs;

	if ((hs = proto_client_new(id, server_pub)) == NULL)
		fail("out of memory");
	if (claim != NULL && proto_hs_set_test_keys(hs, NULL, claim))
		fail("cannot claim a key");
	return (hs);
}

/* Send HELLO for ${hs} on ${fd} and read the REPLY; a copy in ${hello}. */
static void
hello_reply(int fd, struct proto_hs *hs, uint8_t hello[PROTO_HELLO_LEN])
{
	uint8_t reply[PROTO_REPLY_LEN];

	if (proto_client_hello(hs, hello))
		fail("cannot build HELLO");
	send_bytes(fd, hello, PROTO_HELLO_LEN);
	if (net_read_full(fd, reply, sizeof(reply), deadline()) ||
	    proto_client_read_reply(hs, reply))
		fail("reading REPLY");
}

/*
 * Run the handshake on ${fd} as ${id}, claiming ${claim} (or NULL) as our
 * key; store the session in ${s}, and the messages sent in ${hello} and
 * ${auth} unless NULL.
 */
static void
handshake(int fd, const uint8_t *claim, struct proto_session *s,
    uint8_t *hello, uint8_t *auth)
{
	uint8_t h[PROTO_HELLO_LEN], a[PROTO_AUTH_LEN];
	struct proto_hs *hs = client_hs(claim);

	hello_reply(fd, hs, h);
	if (proto_client_auth(hs, a))
		fail("cannot build AUTH");
	send_bytes(fd, a, sizeof(a));
	if (proto_hs_session(hs, s))
		fail("no session keys");
	proto_hs_free(hs);
	if (hello != NULL)
		memcpy(hello, h, sizeof(h));
	if (auth != NULL)
		memcpy(auth, a, sizeof(a));
}

/*
 * Read one frame from ${fd} in ${rx} into ${record}, keeping it as it came
 * in last_frame; its length or -1.
 */
static ssize_t
read_record(int fd, struct channel_dir *rx, uint8_t *record)
{
	size_t ct_len, len;
	int final;

	if (net_read_full(fd, last_frame, CHANNEL_LEN_LEN, deadline()) ||
	    channel_frame_length(last_frame, &ct_len) ||
	    net_read_full(fd, last_frame + CHANNEL_LEN_LEN, ct_len,
	    deadline()))
		return (-1);
	last_frame_len = CHANNEL_LEN_LEN + ct_len;
	if (channel_open(rx, last_frame + CHANNEL_LEN_LEN, ct_len, record,
	    &len, &final))
		return (-1);
	return ((ssize_t)len);
}

/* Seal ${record} into a frame in ${out}; its length. */
static size_t
seal(struct channel_dir *tx, const uint8_t *record, size_t len, int final,
    uint8_t *out)
{
	size_t out_len;

	if (channel_seal(tx, record, len, final, out, &out_len))
		fail("cannot seal");
	return (out_len);
}

/* After the handshake on ${fd}, read the data port in stream ${rx}. */
static int
read_port(int fd, struct proto_session *s, struct channel_dir *rx)
{
	static uint8_t record[CHANNEL_RECORD_MAX];
	uint8_t header[CHANNEL_HEADER_LEN];

	if (net_read_full(fd, header, sizeof(header), deadline()) ||
	    channel_rx_start(rx, s->rx_key, header))
		fail("no stream header after AUTH");
	if (read_record(fd, rx, record) != 3 || record[0] != CHANNEL_T_PORT)
		fail("no PORT record");
	return ((record[1] << 8) | record[2]);
}

/* Check that the server closes ${fd} without sending anything. */
static void
expect_eof(int fd, const char *what)
{
	uint8_t b;
	int r;

	/* A close or a reset is fine; data or silence is not. */
	r = net_read_full(fd, &b, 1, deadline());
	if (r == 0 || (r == -1 && errno != ECONNRESET))
		fail(what);
}

/* As expect_eof, and within ${ms} milliseconds. */
static void
expect_eof_within(int fd, int64_t ms, const char *what)
{
	int64_t t0 = net_now_ms();

	expect_eof(fd, what);
	if (net_now_ms() - t0 > ms)
		fail(what);
}

/* Check that ${fd} gets exactly an ERROR carrying ${code}, then a close. */
static void
expect_error(int fd, int code, const char *what)
{
	uint8_t answer[PROTO_ERROR_LEN];

	if (net_read_full(fd, answer, sizeof(answer), deadline()) ||
	    proto_check_header(answer, PROTO_T_REPLY, PROTO_REPLY_BODY) !=
	    PROTO_E_REMOTE || answer[PROTO_HDR_LEN] != code)
		fail(what);
	expect_eof(fd, what);
}

/* Run the handshake of ${S} and read its data port, as the real client. */
static void
session_port(struct sess *S)
{

	memset(S, 0, sizeof(*S));
	S->data = -1;
	S->hs = connect_port(port);
	handshake(S->hs, NULL, &S->keys, S->hello, S->auth);
	S->port = read_port(S->hs, &S->keys, &S->rx);
}

/* Connect ${S} to its data port and prove it, as the real client does. */
static void
session_data(struct sess *S)
{
	uint8_t header[CHANNEL_HEADER_LEN];

	S->data = connect_port(S->port);
	channel_tx_start(&S->tx, S->keys.tx_key, header);
	proto_data_hello(&S->keys, header, S->data_hello);
	send_bytes(S->data, S->data_hello, sizeof(S->data_hello));
	close(S->hs);
	S->hs = -1;
}

/* Open a whole session ${S}: handshake, data port, proof. */
static void
session_open(struct sess *S)
{

	session_port(S);
	session_data(S);
}

/* Seal the MSG ${body} (${len} bytes) of ${S} into ${frame}; its length. */
static size_t
seal_msg(struct sess *S, const void *body, size_t len, uint8_t *frame)
{
	static uint8_t record[CHANNEL_RECORD_MAX];

	record[0] = CHANNEL_T_MSG;
	memcpy(record + 1, body, len);
	return (seal(&S->tx, record, len + 1, 0, frame));
}

/* Read the next record of ${S}: it must be the MSG ${body} (${len}). */
static void
expect_echo(struct sess *S, const void *body, size_t len)
{
	static uint8_t record[CHANNEL_RECORD_MAX];

	if (read_record(S->data, &S->rx, record) != (ssize_t)len + 1 ||
	    record[0] != CHANNEL_T_MSG || memcmp(record + 1, body, len) != 0)
		fail("no exact echo");
}

/* Send the MSG ${body} on ${S} and check its echo. */
static void
ping(struct sess *S, const char *body)
{
	static uint8_t frame[CHANNEL_FRAME_MAX];

	send_bytes(S->data, frame, seal_msg(S, body, strlen(body), frame));
	expect_echo(S, body, strlen(body));
}

/* Close ${S} in order: our CLOSE, the server's CLOSE. */
static void
session_close(struct sess *S)
{
	static uint8_t record[CHANNEL_RECORD_MAX];
	uint8_t frame[64];

	record[0] = CHANNEL_T_CLOSE;
	send_bytes(S->data, frame, seal(&S->tx, record, 1, 1, frame));
	if (read_record(S->data, &S->rx, record) != 1 ||
	    record[0] != CHANNEL_T_CLOSE)
		fail("no orderly close");
	close(S->data);
	S->data = -1;
}

/* Present an allowed public key without its secret. */
static int
mode_impostor(const uint8_t allowed[KEY_LEN])
{
	struct proto_session s;
	int fd = connect_port(port);

	handshake(fd, allowed, &s, NULL, NULL);
	expect_eof(fd, "the server answered an impostor's AUTH");
	close(fd);
	return (0);
}

/* Record a real session's HELLO and AUTH; replay them: no session. */
static int
mode_replay(void)
{
	uint8_t reply[PROTO_REPLY_LEN];
	struct sess S;
	int i, fd, n = 0;

	/* The real session, recorded, and used: it works. */
	session_open(&S);
	ping(&S, "recorded");

	/* The recording, again and again: the server's fresh ephemeral
	 * makes the old AUTH fail, during the real session and after it. */
	for (i = 0; i < 3; i++, n++) {
		if (i == 2)
			session_close(&S);
		fd = connect_port(port);
		send_bytes(fd, S.hello, sizeof(S.hello));
		if (net_read_full(fd, reply, sizeof(reply), deadline()))
			fail("no REPLY to a replayed HELLO");
		send_bytes(fd, S.auth, sizeof(S.auth));
		expect_eof(fd, "a replayed AUTH was answered");
		close(fd);
	}

	/* HELLO and AUTH at once, before any REPLY. */
	fd = connect_port(port);
	send_bytes(fd, S.hello, sizeof(S.hello));
	send_bytes(fd, S.auth, sizeof(S.auth));
	if (net_read_full(fd, reply, sizeof(reply), deadline()))
		fail("no REPLY to a replayed HELLO");
	expect_eof(fd, "a replayed AUTH sent early was answered");
	close(fd);
	printf("tried %d\n", n + 1);
	return (0);
}

/* After a flipped HELLO: ERROR for a header, else a REPLY we refuse. */
static void
flipped_hello_answer(int fd, int pos, struct proto_hs *hs)
{
	uint8_t reply[PROTO_REPLY_LEN], auth[PROTO_AUTH_LEN];
	int r;

	if (pos < PROTO_HDR_LEN) {
		expect_error(fd, pos == 4 ? PROTO_ERRCODE_VERSION :
		    PROTO_ERRCODE_MALFORMED, "a flipped HELLO header was not "
		    "answered ERROR");
		return;
	}

	/* A changed ephemeral changes the transcript: the REPLY cannot
	 * verify, and an AUTH made without it is refused. */
	r = net_read_full(fd, reply, sizeof(reply), deadline());
	if (r == -1 && errno == ETIMEDOUT)
		fail("no answer to a flipped HELLO");
	if (r == 0 && proto_client_read_reply(hs, reply) == PROTO_OK)
		fail("a REPLY to a flipped HELLO verified");
	if (r == 0) {
		randombytes_buf(auth, sizeof(auth));
		memcpy(auth, auth_header, PROTO_HDR_LEN);
		send_bytes(fd, auth, sizeof(auth));
	}
	expect_eof(fd, "an AUTH after a flipped HELLO was answered");
}

/* Flip byte ${pos} of a HELLO with ${mask}: the server must not go on. */
static void
flip_hello(int pos, uint8_t mask)
{
	uint8_t hello[PROTO_HELLO_LEN];
	struct proto_hs *hs = client_hs(NULL);
	int fd = connect_port(port);

	if (proto_client_hello(hs, hello))
		fail("cannot build HELLO");
	hello[pos] ^= mask;
	send_bytes(fd, hello, sizeof(hello));
	flipped_hello_answer(fd, pos, hs);
	proto_hs_free(hs);
	close(fd);
}

/* Flip byte ${pos} of a real AUTH with ${mask}: ERROR or a close. */
static void
flip_auth(int pos, uint8_t mask)
{
	uint8_t hello[PROTO_HELLO_LEN], auth[PROTO_AUTH_LEN];
	struct proto_hs *hs = client_hs(NULL);
	int fd = connect_port(port);

	hello_reply(fd, hs, hello);
	if (proto_client_auth(hs, auth))
		fail("cannot build AUTH");
	auth[pos] ^= mask;
	send_bytes(fd, auth, sizeof(auth));
	if (pos < PROTO_HDR_LEN)
		expect_error(fd, pos == 4 ? PROTO_ERRCODE_VERSION :
		    PROTO_ERRCODE_MALFORMED, "a flipped AUTH header was not "
		    "answered ERROR");
	else
		expect_eof(fd, "a flipped AUTH was answered");
	proto_hs_free(hs);
	close(fd);
}

/* Flip every byte of HELLO and of AUTH, all bits and one bit. */
static int
mode_hsflip(void)
{
	int pos, n = 0;

	for (pos = 0; pos < PROTO_HELLO_LEN; pos++, n += 2) {
		flip_hello(pos, 0xff);
		flip_hello(pos, (uint8_t)(1 << (pos % 8)));
	}
	for (pos = 0; pos < PROTO_AUTH_LEN; pos++, n += 2) {
		flip_auth(pos, 0xff);
		flip_auth(pos, (uint8_t)(1 << (pos % 8)));
	}
	printf("tried %d\n", n);
	return (0);
}

/*
 * Connect and send the first ${len} bytes of a HELLO or, if ${auth}, of
 * an AUTH after a real HELLO and REPLY; the socket.
 */
static int
prefix_conn(int auth, size_t len)
{
	uint8_t hello[PROTO_HELLO_LEN], msg[PROTO_AUTH_LEN];
	struct proto_hs *hs = client_hs(NULL);
	int fd = connect_port(port);

	if (auth) {
		hello_reply(fd, hs, hello);
		if (proto_client_auth(hs, msg))
			fail("cannot build AUTH");
	} else if (proto_client_hello(hs, msg))
		fail("cannot build HELLO");
	send_bytes(fd, msg, len);
	proto_hs_free(hs);
	return (fd);
}

/* Each prefix of HELLO and AUTH, then the end: closed at once. */
static int
mode_truncate(int timeout)
{
	int auth, len, fd, n = 0;

	for (auth = 0; auth < 2; auth++)
		for (len = 0; len < (auth ? PROTO_AUTH_LEN : PROTO_HELLO_LEN);
		    len++, n++) {
			fd = prefix_conn(auth, (size_t)len);
			(void)shutdown(fd, SHUT_WR);
			expect_eof_within(fd, 500 * (int64_t)timeout,
			    auth ? "a truncated AUTH was not closed at once" :
			    "a truncated HELLO was not closed at once");
			close(fd);
		}
	printf("tried %d\n", n);
	return (0);
}

/*
 * Wait until ${end} for the server to close the ${n} sockets ${fds}
 * opened at the times ${start}; store how long each lasted in ${dur} (-1
 * while open).  Data from the server fails unless ${data_ok}.  Returns how
 * many are still open.
 */
static int
await_closes(const int *fds, const int64_t *start, int64_t *dur, int n,
    int64_t end, int data_ok)
{
	static struct pollfd pfds[MAX_CONNS];
	static int idx[MAX_CONNS];
	uint8_t b[64];
	int64_t now;
	int i, k, open;

	for (;;) {
		for (i = 0, open = 0; i < n; i++)
			if (dur[i] == -1) {
				pfds[open].fd = fds[i];
				pfds[open].events = POLLIN;
				idx[open++] = i;
			}
		if (open == 0 || (now = net_now_ms()) >= end)
			return (open);
		if (poll(pfds, (nfds_t)open, (int)(end - now)) <= 0)
			continue;
		for (k = 0; k < open; k++) {
			if (pfds[k].revents == 0)
				continue;
			if (read(pfds[k].fd, b, sizeof(b)) > 0) {
				if (!data_ok)
					fail("data sent to a silent handshake");
				continue;
			}
			dur[idx[k]] = net_now_ms() - start[idx[k]];
		}
	}
}

/* Each prefix of HELLO and AUTH at once, then silence: each is closed at
 * the handshake timeout ${timeout}, with nothing sent. */
static int
mode_hold(int timeout)
{
	static int fds[PROTO_HELLO_LEN + PROTO_AUTH_LEN];
	static int64_t t0[PROTO_HELLO_LEN + PROTO_AUTH_LEN];
	static int64_t dur[PROTO_HELLO_LEN + PROTO_AUTH_LEN];
	int64_t lo = -1, hi = -1, ms = 1000 * (int64_t)timeout;
	int auth, len, i, n = 0;

	for (auth = 0; auth < 2; auth++)
		for (len = 0; len < (auth ? PROTO_AUTH_LEN : PROTO_HELLO_LEN);
		    len++, n++) {
			fds[n] = prefix_conn(auth, (size_t)len);
			t0[n] = net_now_ms();
			dur[n] = -1;
		}
	if (await_closes(fds, t0, dur, n, net_now_ms() + ms + 8000, 0))
		fail("a silent handshake outlived the timeout");
	for (i = 0; i < n; i++) {
		if (lo == -1 || dur[i] < lo)
			lo = dur[i];
		if (dur[i] > hi)
			hi = dur[i];
		close(fds[i]);
	}
	printf("held %d closed after %lld..%lld ms\n", n, (long long)lo,
	    (long long)hi);
	if (lo < ms - 200)
		fail("a silent handshake was closed before the timeout");
	return (0);
}

/* A HELLO of another version must get ERROR(version). */
static int
mode_version(void)
{
	uint8_t msg[PROTO_HELLO_LEN];
	struct proto_hs *hs;
	int fd = connect_port(port);

	if ((hs = proto_client_new(id, NULL)) == NULL ||
	    proto_client_hello(hs, msg))
		fail("cannot build HELLO");
	msg[4] = PROTO_VERSION + 1;
	send_bytes(fd, msg, sizeof(msg));
	expect_error(fd, PROTO_ERRCODE_VERSION,
	    "no ERROR(version) to a HELLO of version 2");
	proto_hs_free(hs);
	close(fd);
	return (0);
}

/* Random bytes instead of a HELLO: ERROR(malformed), or a close. */
static int
mode_garbage(void)
{
	uint8_t junk[300], answer[PROTO_ERROR_LEN];
	int fd = connect_port(port), r;

	randombytes_buf(junk, sizeof(junk));
	memcpy(junk, "GET / HTTP/1.0\r\n", 16);
	(void)net_write_full(fd, junk, sizeof(junk), deadline());
	r = net_read_full(fd, answer, sizeof(answer), deadline());
	if (r == 0 && (proto_check_header(answer, PROTO_T_REPLY,
	    PROTO_REPLY_BODY) != PROTO_E_REMOTE ||
	    answer[PROTO_HDR_LEN] != PROTO_ERRCODE_MALFORMED))
		fail("garbage got an answer other than ERROR(malformed)");
	if (r == -1 && errno == ETIMEDOUT)
		fail("garbage got no answer and no close");
	close(fd);
	return (0);
}

/* Zero bytes on the handshake port, the data port and as frames. */
static int
mode_zeros(void)
{
	static uint8_t zeros[CHANNEL_LEN_LEN + 300];
	struct sess S;
	int fd;

	/* The handshake port: not a secchat peer. */
	fd = connect_port(port);
	send_bytes(fd, zeros, 300);
	expect_error(fd, PROTO_ERRCODE_MALFORMED,
	    "zeros on the handshake port were not answered ERROR");
	close(fd);

	/* The data port, before the client: refused. */
	session_port(&S);
	fd = connect_port(S.port);
	(void)net_write_full(fd, zeros, PROTO_DATA_HELLO_LEN, deadline());
	expect_eof(fd, "zeros on the data port were not refused");
	close(fd);

	/* A zero length prefix, then a frame of zeros: each session ends. */
	session_data(&S);
	ping(&S, "zero length next");
	(void)net_write_full(S.data, zeros, 64, deadline());
	expect_eof(S.data, "a zero length prefix did not end the session");
	close(S.data);
	session_open(&S);
	ping(&S, "zero frame next");
	zeros[3] = 200;
	(void)net_write_full(S.data, zeros, CHANNEL_LEN_LEN + 200,
	    deadline());
	expect_eof(S.data, "a frame of zeros did not end the session");
	close(S.data);
	printf("tried 4\n");
	return (0);
}

/* Hold ${n} silent connections for ${secs} seconds; count refusals. */
static int
mode_silent(int n, int secs)
{
	static struct pollfd pfds[MAX_CONNS];
	uint8_t b[PROTO_ERROR_LEN];
	int i, held = 0, refused = 0;

	if (n < 1 || n > MAX_CONNS)
		fail("silent: 1..1024 connections");
	raise_nofile();
	for (i = 0; i < n; i++) {
		if ((pfds[i].fd = try_connect(port)) == -1)
			refused++;
		pfds[i].events = POLLIN;
	}

	/* A refused one is closed or told busy at once: after a second,
	 * see which. */
	sleep(1);
	(void)poll(pfds, (nfds_t)n, 0);
	for (i = 0; i < n; i++) {
		if (pfds[i].fd == -1)
			continue;
		if (pfds[i].revents != 0 && read(pfds[i].fd, b, sizeof(b)) >= 0) {
			refused++;
			close(pfds[i].fd);
			pfds[i].fd = -1;
		} else
			held++;
	}
	printf("held %d refused %d\n", held, refused);
	fflush(stdout);
	sleep((unsigned)secs);
	for (i = 0; i < n; i++)
		if (pfds[i].fd != -1)
			close(pfds[i].fd);
	return (0);
}

/* Send the next byte of ${hello} on each open one of the ${n} ${fds}. */
static void
trickle(const int *fds, const int64_t *dur, size_t *sent, int n,
    const uint8_t *hello)
{
	int i;

	for (i = 0; i < n; i++)
		if (dur[i] == -1 && sent[i] < PROTO_HELLO_LEN &&
		    send(fds[i], hello + sent[i], 1,
		    MSG_NOSIGNAL | MSG_DONTWAIT) == 1)
			sent[i]++;
}

/*
 * Open ${n} connections that send a HELLO one byte a second, for ${secs}
 * seconds at most.  A connection closed within a second was refused; the
 * others must be closed at the handshake timeout, trickle or not.
 */
static int
mode_slow(int n, int secs)
{
	static int fds[MAX_CONNS];
	static int64_t t0[MAX_CONNS], dur[MAX_CONNS];
	static size_t sent[MAX_CONNS];
	uint8_t hello[PROTO_HELLO_LEN];
	struct proto_hs *hs = client_hs(NULL);
	int64_t end = net_now_ms() + 1000 * (int64_t)secs, lo = -1, hi = -1;
	int i, held = 0, refused = 0, open = n;

	if (n < 1 || n > MAX_CONNS || proto_client_hello(hs, hello))
		fail("slow: 1..1024 connections");
	raise_nofile();
	for (i = 0; i < n; i++) {
		fds[i] = connect_port(port);
		t0[i] = net_now_ms();
		dur[i] = -1;
	}
	while (open > 0 && net_now_ms() < end) {
		trickle(fds, dur, sent, n, hello);
		open = await_closes(fds, t0, dur, n, net_now_ms() + 1000, 1);
	}
	for (i = 0; i < n; i++) {
		if (dur[i] == -1)
			continue;
		if (dur[i] < 1000)
			refused++;
		else {
			held++;
			lo = (lo == -1 || dur[i] < lo) ? dur[i] : lo;
			hi = dur[i] > hi ? dur[i] : hi;
		}
		close(fds[i]);
	}
	printf("held %d refused %d closed after %lld..%lld ms open %d\n",
	    held, refused, (long long)lo, (long long)hi, open);
	proto_hs_free(hs);
	return (0);
}

/* Begin ${n} connections, never use them, hold them ${secs} seconds, then
 * reset them all. */
static int
mode_halfopen(int n, int secs)
{
	static int fds[MAX_CONNS];
	struct sockaddr_in sin;
	int i, opened = 0;

	if (n < 1 || n > MAX_CONNS)
		fail("halfopen: 1..1024 connections");
	raise_nofile();
	server_addr(&sin, port);
	for (i = 0; i < n; i++) {
		if ((fds[i] = evil_socket()) == -1 ||
		    fcntl(fds[i], F_SETFL, O_NONBLOCK) == -1)
			fail("halfopen: no socket");
		if (connect(fds[i], (struct sockaddr *)&sin, sizeof(sin)) == 0 ||
		    errno == EINPROGRESS)
			opened++;
	}
	printf("opened %d\n", opened);
	fflush(stdout);
	sleep((unsigned)secs);
	for (i = 0; i < n; i++)
		reset_close(fds[i]);
	return (0);
}

/* Reset connections within HELLO, AUTH, DATA_HELLO and a frame. */
static int
mode_reset(void)
{
	static uint8_t frame[CHANNEL_FRAME_MAX];
	uint8_t header[CHANNEL_HEADER_LEN], hello[PROTO_DATA_HELLO_LEN];
	struct sess S;
	size_t len;
	int fd;

	reset_close(prefix_conn(0, PROTO_HELLO_LEN / 2));
	reset_close(prefix_conn(1, PROTO_AUTH_LEN / 2));

	/* Within a DATA_HELLO: the real client still gets in after it. */
	session_port(&S);
	fd = connect_port(S.port);
	randombytes_buf(header, sizeof(header));
	proto_data_hello(&S.keys, header, hello);
	send_bytes(fd, hello, sizeof(hello) / 2);
	reset_close(fd);

	/* Once a stranger after it is refused, the reset one was seen. */
	fd = connect_port(S.port);
	send_bytes(fd, "GET / HTTP/1.0\r\n", 16);
	expect_eof(fd, "a stranger on the data port was not refused");
	close(fd);
	session_data(&S);
	ping(&S, "in after a reset on the data port");
	session_close(&S);

	/* Within a frame, after an echo: the session ends. */
	session_open(&S);
	ping(&S, "before the reset");
	len = seal_msg(&S, "cut short by a reset", 20, frame);
	send_bytes(S.data, frame, len / 2);
	reset_close(S.data);
	printf("tried 4\n");
	return (0);
}

/* Connect to ${data_port} and send ${len} bytes of ${buf}; the socket. */
static int
stranger(int data_port, const uint8_t *buf, size_t len)
{
	int fd = connect_port(data_port);

	if (len > 0 && net_write_full(fd, buf, len, deadline()))
		fail("stranger cannot send");
	return (fd);
}

/* Strangers come to the data port first; the real client must get in. */
static int
mode_foreign(void)
{
	uint8_t header[CHANNEL_HEADER_LEN], hello[PROTO_DATA_HELLO_LEN];
	uint8_t junk[PROTO_DATA_HELLO_LEN];
	struct proto_session other;
	struct sess S;
	int garbage, forged, silent;

	session_port(&S);

	/* Garbage, a forged token, and a silent connection, in that order. */
	randombytes_buf(junk, sizeof(junk));
	garbage = stranger(S.port, junk, sizeof(junk));
	other = S.keys;
	other.token[0] ^= 1;
	randombytes_buf(header, sizeof(header));
	proto_data_hello(&other, header, hello);
	forged = stranger(S.port, hello, sizeof(hello));
	silent = stranger(S.port, NULL, 0);
	expect_eof(garbage, "garbage on the data port was not refused");
	expect_eof(forged, "a forged token was not refused");

	/* The real client, with a message and an orderly close. */
	session_data(&S);
	ping(&S, "ping");

	/* Once in, the listener is gone: a late comer is refused. */
	if (net_connect(HOST, S.port, TIMEOUT_MS,
	    (char[NET_ERR_LEN]){ 0 }) != -1)
		fail("the data port still accepts after the client came");
	session_close(&S);
	close(silent);
	close(garbage);
	close(forged);
	return (0);
}

/*
 * Replay the real client's first bytes on the data port (its DATA_HELLO
 * and first frame): on a connection made before the client came, and on
 * one made after.  Neither may become a second session; the real one goes
 * on.
 */
static int
mode_dpreplay(void)
{
	static uint8_t f0[CHANNEL_FRAME_MAX];
	struct sess S;
	size_t len;
	int early;

	session_port(&S);
	early = connect_port(S.port);
	session_data(&S);
	len = seal_msg(&S, "first", 5, f0);
	send_bytes(S.data, f0, len);
	expect_echo(&S, "first", 5);

	/* The early connection was dropped when the client proved itself. */
	(void)net_write_full(early, S.data_hello, sizeof(S.data_hello),
	    deadline());
	(void)net_write_full(early, f0, len, deadline());
	expect_eof(early, "a replay on an early data connection was answered");
	close(early);

	/* A late one finds the port closed. */
	if (try_connect(S.port) != -1)
		fail("the data port still accepts after the client came");

	/* The session is unharmed. */
	ping(&S, "second");
	session_close(&S);
	printf("tried 2\n");
	return (0);
}

/* Flip a byte of a frame on the data connection: the session must end. */
static int
mode_flip(void)
{
	uint8_t frame[64];
	struct sess S;
	size_t len;

	session_open(&S);
	len = seal_msg(&S, "tampered", 8, frame);
	frame[len - 3] ^= 0x40;
	send_bytes(S.data, frame, len);
	expect_eof(S.data, "a tampered frame did not end the session");
	close(S.data);
	return (0);
}

/* Length prefixes out of bounds after a valid DATA_HELLO: each session
 * ends at once, whatever follows. */
static int
mode_biglen(void)
{
	static const uint32_t lens[] = { 0, 1, CHANNEL_CT_MIN - 1,
	    CHANNEL_CT_MAX + 1, 0x00100000, 0x7fffffff, 0x80000000,
	    0xfffffffe, 0xffffffff };
	uint8_t frame[CHANNEL_LEN_LEN + 4096];
	struct sess S;
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		session_open(&S);
		ping(&S, "a huge frame next");
		randombytes_buf(frame, sizeof(frame));
		frame[0] = (uint8_t)(lens[i] >> 24);
		frame[1] = (uint8_t)(lens[i] >> 16);
		frame[2] = (uint8_t)(lens[i] >> 8);
		frame[3] = (uint8_t)lens[i];
		(void)net_write_full(S.data, frame, sizeof(frame), deadline());
		expect_eof_within(S.data, 2000,
		    "a length out of bounds did not end the session at once");
		close(S.data);
	}
	printf("tried %zu\n", i);
	return (0);
}

/* Ways to spoil the stream of data frames after a good exchange. */
enum frame_attack {
	F_REPLAY,	/* a frame sent again */
	F_REORDER,	/* two frames swapped */
	F_DROP,		/* a frame left out */
	F_TRUNCATE,	/* a frame cut short, with a prefix that agrees */
	F_CUT,		/* half a frame, then the end */
	F_NOCLOSE,	/* the end without a CLOSE */
	F_REFLECT,	/* the server's own frame sent back */
	F_SPLICE,	/* a frame of another session */
	F_GARBAGE,	/* random bytes with a valid length */
	F_COUNT
};

/* After one good exchange on ${S}, spoil the stream by ${kind}. */
static void
spoil(struct sess *S, enum frame_attack kind, const uint8_t *body,
    size_t blen, const uint8_t *echo, size_t elen)
{
	static uint8_t f1[CHANNEL_FRAME_MAX], f2[CHANNEL_FRAME_MAX];
	struct channel_dir copy;
	struct sess T;
	size_t l1, l2;

	if (kind == F_TRUNCATE) {
		/* The next frame in order, 16 bytes short. */
		l1 = seal_msg(S, body, blen, f1) - 16;
		f1[3] = (uint8_t)(f1[3] - 16);	/* below 256: no carry */
		send_bytes(S->data, f1, l1);
		return;
	}
	l1 = seal_msg(S, "one", 3, f1);
	l2 = seal_msg(S, "two", 3, f2);
	if (kind == F_REORDER) {
		send_bytes(S->data, f2, l2);
		(void)net_write_full(S->data, f1, l1, deadline());
	} else if (kind == F_DROP)
		send_bytes(S->data, f2, l2);
	else if (kind == F_CUT) {
		send_bytes(S->data, f1, l1 / 2);
		(void)shutdown(S->data, SHUT_WR);
	} else if (kind == F_NOCLOSE)
		(void)shutdown(S->data, SHUT_WR);
	else if (kind == F_REFLECT)
		send_bytes(S->data, echo, elen);
	else if (kind == F_SPLICE) {
		/* Another session's first frame, copied into ours; that
		 * session sends it too, and goes on. */
		session_open(&T);
		copy = T.tx;
		l1 = seal_msg(&T, "spliced", 7, f1);
		T.tx = copy;
		send_bytes(S->data, f1, l1);
		ping(&T, "spliced");
		session_close(&T);
	} else if (kind == F_GARBAGE) {
		randombytes_buf(f1, 200);
		f1[0] = f1[1] = f1[2] = 0;
		f1[3] = 196;
		send_bytes(S->data, f1, 200);
	}
}

/* Replayed, reordered, dropped, truncated, cut, reflected, spliced and
 * garbage frames: each ends its session, and nothing is echoed. */
static int
mode_frames(void)
{
	static uint8_t f0[CHANNEL_FRAME_MAX], echo[CHANNEL_FRAME_MAX];
	uint8_t body[100];
	struct sess S;
	size_t l0, elen;
	int kind;

	for (kind = 0; kind < F_COUNT; kind++) {
		session_open(&S);
		randombytes_buf(body, sizeof(body));
		l0 = seal_msg(&S, body, sizeof(body), f0);
		send_bytes(S.data, f0, l0);
		expect_echo(&S, body, sizeof(body));
		memcpy(echo, last_frame, elen = last_frame_len);
		if (kind == F_REPLAY)
			send_bytes(S.data, f0, l0);
		else
			spoil(&S, kind, body, sizeof(body), echo, elen);
		expect_eof(S.data, "a spoilt stream of frames was answered");
		close(S.data);
	}
	printf("tried %d\n", kind);
	return (0);
}

/* Return 1 if the server closed or reset the connection ${fd}. */
static int
peer_gone(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	return (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	    ti.tcpi_state != TCP_ESTABLISHED);
}

/* Send 64 KiB messages on ${S} until nothing goes for a second; how many
 * went whole. */
static int
flood_unread(struct sess *S)
{
	static uint8_t body[CHANNEL_BODY_MAX], frame[CHANNEL_FRAME_MAX];
	struct pollfd pfd = { .fd = S->data, .events = POLLOUT };
	int64_t last = net_now_ms();
	size_t len, off = 0;
	ssize_t w;
	int n = 0;

	randombytes_buf(body, sizeof(body));
	len = seal_msg(S, body, sizeof(body), frame);
	while (n < 4096 && net_now_ms() - last < 1000) {
		w = send(S->data, frame + off, len - off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w == -1 && errno == EAGAIN) {
			(void)poll(&pfd, 1, 100);
			continue;
		}
		if (w <= 0)
			fail("the server dropped a client that does not read "
			    "before it stalled");
		last = net_now_ms();
		if ((off += (size_t)w) == len) {
			n++;
			off = 0;
			len = seal_msg(S, body, sizeof(body), frame);
		}
	}
	if (n == 4096)
		fail("the server took 256 MiB without its echoes being read");
	return (n);
}

/* Send 64 KiB messages and never read: the server must stop reading
 * and then, within ${secs} seconds, give up on us. */
static int
mode_noread(int secs)
{
	struct sess S;
	int64_t t0;
	int n;

	session_open(&S);
	ping(&S, "then never read again");
	n = flood_unread(&S);
	printf("stalled after %d messages\n", n);
	fflush(stdout);
	t0 = net_now_ms();
	while (!peer_gone(S.data) && net_now_ms() - t0 < 1000 * (int64_t)secs)
		usleep(100000);
	if (!peer_gone(S.data))
		fail("the server kept a client that does not read");
	printf("closed by the server after %lld ms\n",
	    (long long)(net_now_ms() - t0));
	close(S.data);
	return (0);
}

/* Run mode ${m} with the ${argc} arguments ${argv} that follow it. */
static int
run_mode(const char *m, int argc, char *argv[])
{
	char err[KEY_ERR_LEN];
	uint8_t allowed[KEY_LEN];
	int a = argc > 0 ? atoi(argv[0]) : 0, b = argc > 1 ? atoi(argv[1]) : 0;

	if (strcmp(m, "impostor") == 0 && argc == 1) {
		if (key_load_public(argv[0], allowed, NULL, err))
			fail(err);
		return (mode_impostor(allowed));
	}
	if (strcmp(m, "silent") == 0 && argc == 2)
		return (mode_silent(a, b));
	if (strcmp(m, "slow") == 0 && argc == 2)
		return (mode_slow(a, b));
	if (strcmp(m, "halfopen") == 0 && argc == 2)
		return (mode_halfopen(a, b));
	if (strcmp(m, "truncate") == 0 && argc == 1 && a > 0)
		return (mode_truncate(a));
	if (strcmp(m, "hold") == 0 && argc == 1 && a > 0)
		return (mode_hold(a));
	if (strcmp(m, "noread") == 0 && argc == 1 && a > 0)
		return (mode_noread(a));
	if (argc != 0)
		fail("unknown mode or wrong arguments");
	return (strcmp(m, "replay") == 0 ? mode_replay() :
	    strcmp(m, "hsflip") == 0 ? mode_hsflip() :
	    strcmp(m, "version") == 0 ? mode_version() :
	    strcmp(m, "garbage") == 0 ? mode_garbage() :
	    strcmp(m, "zeros") == 0 ? mode_zeros() :
	    strcmp(m, "reset") == 0 ? mode_reset() :
	    strcmp(m, "foreign") == 0 ? mode_foreign() :
	    strcmp(m, "dpreplay") == 0 ? mode_dpreplay() :
	    strcmp(m, "flip") == 0 ? mode_flip() :
	    strcmp(m, "biglen") == 0 ? mode_biglen() :
	    strcmp(m, "frames") == 0 ? mode_frames() : 2);
}

int
main(int argc, char *argv[])
{
	char err[KEY_ERR_LEN];
	int status;

	if (sodium_init() < 0 || argc < 5) {
		fprintf(stderr, "usage: evil_client MODE PORT IDENTITY "
		    "SERVER_PUB [ARGS]\n");
		return (2);
	}
	port = atoi(argv[2]);
	if ((id = key_load_secret(argv[3], err)) == NULL ||
	    key_load_public(argv[4], server_pub, NULL, err))
		fail(err);
	if ((status = run_mode(argv[1], argc - 5, argv + 5)) == 2)
		fail("unknown mode");
	key_pair_free(id);
	return (status);
}
