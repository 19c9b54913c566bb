/*
 * evil_client: a secchat client that misbehaves on purpose, for the
 * integration tests.  Each mode plays one attack against a live secchatd
 * and exits 0 if the server resisted it as it must, 1 otherwise, saying
 * why on stderr.
 *
 * usage: evil_client MODE PORT IDENTITY SERVER_PUB [ALLOWED_PUB | N SECONDS]
 *   impostor  present ALLOWED_PUB without its secret: no port may come
 *   foreign   strangers on the data port first; the real session must work
 *   flip      a flipped byte on the data connection: the session must end
 *   version   a HELLO of version 2: the server must answer ERROR(version)
 *   garbage   random bytes instead of a HELLO: ERROR(malformed) or a close
 *   silent N S  open N connections that say nothing and hold them S seconds;
 *             prints "held H refused R" (refused: closed or told busy
 *             within a second); exit 0
 * With EVIL_SOURCE set, connections come from that local address (another
 * 127.0.0.0/8 address stands for another host).
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
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

static int port;
static struct key_pair *id;
static uint8_t server_pub[KEY_LEN];

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

/* Connect to the server's ${p} from EVIL_SOURCE if set; -1 on failure. */
static int
try_connect(int p)
{
	const char *src = getenv("EVIL_SOURCE");
	struct sockaddr_in sin;
	int fd;

	if (src == NULL) {
		char err[NET_ERR_LEN];

		return (net_connect(HOST, p, TIMEOUT_MS, err));
	}
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (inet_pton(AF_INET, src, &sin.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		fail("cannot bind EVIL_SOURCE");
	sin.sin_port = htons((uint16_t)p);
	inet_pton(AF_INET, HOST, &sin.sin_addr);
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

/*
 * Run the handshake on ${fd} as ${id}, claiming ${claim} (or NULL) as our
 * key; store the session in ${s}.
 */
static void
handshake(int fd, const uint8_t *claim, struct proto_session *s)
{
	uint8_t msg[PROTO_REPLY_LEN];
	struct proto_hs *hs;

	if ((hs = proto_client_new(id, server_pub)) == NULL)
		fail("out of memory");
	if (claim != NULL && proto_hs_set_test_keys(hs, NULL, claim))
		fail("cannot claim a key");
	if (proto_client_hello(hs, msg) ||
	    net_write_full(fd, msg, PROTO_HELLO_LEN, deadline()))
		fail("sending HELLO");
	if (net_read_full(fd, msg, PROTO_REPLY_LEN, deadline()) ||
	    proto_client_read_reply(hs, msg))
		fail("reading REPLY");
	if (proto_client_auth(hs, msg) ||
	    net_write_full(fd, msg, PROTO_AUTH_LEN, deadline()))
		fail("sending AUTH");
	if (proto_hs_session(hs, s))
		fail("no session keys");
	proto_hs_free(hs);
}

/* Read one frame from ${fd} in ${rx} into ${record}; its length or -1. */
static ssize_t
read_record(int fd, struct channel_dir *rx, uint8_t *record)
{
	static uint8_t ct[CHANNEL_CT_MAX];
	uint8_t prefix[CHANNEL_LEN_LEN];
	size_t ct_len, len;
	int final;

	if (net_read_full(fd, prefix, sizeof(prefix), deadline()) ||
	    channel_frame_length(prefix, &ct_len) ||
	    net_read_full(fd, ct, ct_len, deadline()) ||
	    channel_open(rx, ct, ct_len, record, &len, &final))
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
	uint8_t header[CHANNEL_HEADER_LEN], record[CHANNEL_RECORD_MAX];

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

/* Present an allowed public key without its secret. */
static int
mode_impostor(const uint8_t allowed[KEY_LEN])
{
	struct proto_session s;
	int fd = connect_port(port);

	handshake(fd, allowed, &s);
	expect_eof(fd, "the server answered an impostor's AUTH");
	close(fd);
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
	uint8_t record[CHANNEL_RECORD_MAX], frame[CHANNEL_FRAME_MAX];
	uint8_t junk[PROTO_DATA_HELLO_LEN];
	struct proto_session s, other;
	struct channel_dir tx, rx;
	int fd, dp, garbage, forged, silent, data;

	fd = connect_port(port);
	handshake(fd, NULL, &s);
	dp = read_port(fd, &s, &rx);

	/* Garbage, a forged token, and a silent connection, in that order. */
	randombytes_buf(junk, sizeof(junk));
	garbage = stranger(dp, junk, sizeof(junk));
	other = s;
	other.token[0] ^= 1;
	randombytes_buf(header, sizeof(header));
	proto_data_hello(&other, header, hello);
	forged = stranger(dp, hello, sizeof(hello));
	silent = stranger(dp, NULL, 0);
	expect_eof(garbage, "garbage on the data port was not refused");
	expect_eof(forged, "a forged token was not refused");

	/* The real client, with a message and an orderly close. */
	channel_tx_start(&tx, s.tx_key, header);
	proto_data_hello(&s, header, hello);
	data = stranger(dp, hello, sizeof(hello));
	record[0] = CHANNEL_T_MSG;
	memcpy(record + 1, "ping", 4);
	if (net_write_full(data, frame, seal(&tx, record, 5, 0, frame),
	    deadline()))
		fail("cannot send to the data port");
	if (read_record(data, &rx, record) != 5 ||
	    memcmp(record, "\001ping", 5) != 0)
		fail("no echo after strangers came first");

	/* Once in, the listener is gone: a late comer is refused. */
	if (net_connect(HOST, dp, TIMEOUT_MS, (char[NET_ERR_LEN]){ 0 }) != -1)
		fail("the data port still accepts after the client came");
	record[0] = CHANNEL_T_CLOSE;
	if (net_write_full(data, frame, seal(&tx, record, 1, 1, frame),
	    deadline()) || read_record(data, &rx, record) != 1 ||
	    record[0] != CHANNEL_T_CLOSE)
		fail("no orderly close");
	close(silent);
	close(data);
	close(fd);
	return (0);
}

/* Flip a byte of a frame on the data connection: the session must end. */
static int
mode_flip(void)
{
	uint8_t header[CHANNEL_HEADER_LEN], hello[PROTO_DATA_HELLO_LEN];
	uint8_t record[16], frame[64];
	struct proto_session s;
	struct channel_dir tx, rx;
	size_t len;
	int fd, data;

	fd = connect_port(port);
	handshake(fd, NULL, &s);
	data = stranger(read_port(fd, &s, &rx), NULL, 0);
	channel_tx_start(&tx, s.tx_key, header);
	proto_data_hello(&s, header, hello);
	record[0] = CHANNEL_T_MSG;
	memcpy(record + 1, "tampered", 8);
	len = seal(&tx, record, 9, 0, frame);
	frame[len - 3] ^= 0x40;
	if (net_write_full(data, hello, sizeof(hello), deadline()) ||
	    net_write_full(data, frame, len, deadline()))
		fail("cannot send to the data port");
	expect_eof(data, "a tampered frame did not end the session");
	close(data);
	close(fd);
	return (0);
}

/* A HELLO of another version must get ERROR(version). */
static int
mode_version(void)
{
	uint8_t msg[PROTO_HELLO_LEN], answer[PROTO_ERROR_LEN];
	struct proto_hs *hs;
	int fd = connect_port(port);

	if ((hs = proto_client_new(id, NULL)) == NULL ||
	    proto_client_hello(hs, msg))
		fail("cannot build HELLO");
	msg[4] = PROTO_VERSION + 1;
	if (net_write_full(fd, msg, sizeof(msg), deadline()) ||
	    net_read_full(fd, answer, sizeof(answer), deadline()))
		fail("no answer to a HELLO of version 2");
	if (proto_check_header(answer, PROTO_T_REPLY, PROTO_REPLY_BODY) !=
	    PROTO_E_REMOTE || answer[PROTO_HDR_LEN] != PROTO_ERRCODE_VERSION)
		fail("the answer is not ERROR(version)");
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

/* Hold ${n} silent connections for ${secs} seconds; count refusals. */
static int
mode_silent(int n, int secs)
{
	struct pollfd pfds[512];
	uint8_t b[PROTO_ERROR_LEN];
	int i, held = 0, refused = 0;

	if (n < 1 || n > 512)
		fail("silent: 1..512 connections");
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

int
main(int argc, char *argv[])
{
	char err[KEY_ERR_LEN];
	uint8_t allowed[KEY_LEN];
	int status = 1;

	if (sodium_init() < 0 || argc < 5) {
		fprintf(stderr, "usage: evil_client MODE PORT IDENTITY "
		    "SERVER_PUB [ALLOWED_PUB | N SECONDS]\n");
		return (2);
	}
	port = atoi(argv[2]);
	if ((id = key_load_secret(argv[3], err)) == NULL ||
	    key_load_public(argv[4], server_pub, NULL, err))
		fail(err);
	if (strcmp(argv[1], "impostor") == 0 && argc == 6) {
		if (key_load_public(argv[5], allowed, NULL, err))
			fail(err);
		status = mode_impostor(allowed);
	} else if (strcmp(argv[1], "foreign") == 0)
		status = mode_foreign();
	else if (strcmp(argv[1], "flip") == 0)
		status = mode_flip();
	else if (strcmp(argv[1], "version") == 0)
		status = mode_version();
	else if (strcmp(argv[1], "garbage") == 0)
		status = mode_garbage();
	else if (strcmp(argv[1], "silent") == 0 && argc == 7)
		status = mode_silent(atoi(argv[5]), atoi(argv[6]));
	else
		fail("unknown mode");
	key_pair_free(id);
	return (status);
}
