#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "channel.h"
#include "key.h"
#include "proto.h"
#include "test.h"

/*
 * Unit tests for proto.c: a full handshake and what each side derives, the
 * pin, every byte of every message flipped, bad headers, replay,
 * reflection, splicing, low-order keys, an impostor, steps out of order,
 * the data-port token and ERROR messages.
 */

TEST_DEFINE_GLOBALS;

/* A setup step failed: the checks after it would mean nothing. */
#define SETUP(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: setup failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

#define CANARY		16	/* bytes after a message that must stay */
#define CANARY_BYTE	0xa5

/* The client's, the server's and a third party's long-term key pairs. */
static struct key_pair *kp_c, *kp_s, *kp_o;

/* One handshake between a client and a server, and its messages. */
struct run {
	struct proto_hs *c;
	struct proto_hs *s;
	uint8_t hello[PROTO_HELLO_LEN];
	uint8_t reply[PROTO_REPLY_LEN];
	uint8_t auth[PROTO_AUTH_LEN];
};

/* The genuine steps of a handshake, in order. */
#define ST_HELLO	1	/* client wrote HELLO */
#define ST_REPLY	2	/* server read HELLO, wrote REPLY */
#define ST_READ_REPLY	3	/* client read REPLY */
#define ST_AUTH		4	/* client wrote AUTH */
#define ST_READ_AUTH	5	/* server read AUTH: done */

/* Low-order X25519 points: every DH with them is all-zero. */
static const uint8_t low_order[][32] = {
	{ 0 },
	{ 1 },
	{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3,
	  0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32,
	  0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00 },
	{ 0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1,
	  0x55, 0x9c, 0x83, 0xef, 0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c,
	  0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f, 0x11, 0x57 },
	{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
	{ 0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
	{ 0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f }
};
#define NLOW	(sizeof(low_order) / sizeof(low_order[0]))

/* Ways to flip a byte: each single bit, and all of them. */
static const uint8_t flips[] = {
	0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff
};
#define NFLIPS	(sizeof(flips) / sizeof(flips[0]))

/* Start a handshake of client ${ck} (pinning ${pin}) with server ${sk}. */
static void
run_new(struct run *r, const struct key_pair *ck, const uint8_t *pin,
    const struct key_pair *sk)
{

	memset(r, 0, sizeof(*r));
	SETUP((r->c = proto_client_new(ck, pin)) != NULL);
	SETUP((r->s = proto_server_new(sk)) != NULL);
}

/* Free both sides of ${r}. */
static void
run_free(struct run *r)
{

	proto_hs_free(r->c);
	proto_hs_free(r->s);
	r->c = r->s = NULL;
}

/* Take the genuine steps ${from} .. ${to} of ${r}; each must succeed. */
static void
run_steps(struct run *r, int from, int to)
{
	int st;

	for (st = from; st <= to; st++) {
		switch (st) {
		case ST_HELLO:
			SETUP(proto_client_hello(r->c, r->hello) == PROTO_OK);
			break;
		case ST_REPLY:
			SETUP(proto_server_reply(r->s, r->hello, r->reply) ==
			    PROTO_OK);
			break;
		case ST_READ_REPLY:
			SETUP(proto_client_read_reply(r->c, r->reply) ==
			    PROTO_OK);
			break;
		case ST_AUTH:
			SETUP(proto_client_auth(r->c, r->auth) == PROTO_OK);
			break;
		case ST_READ_AUTH:
			SETUP(proto_server_read_auth(r->s, r->auth) ==
			    PROTO_OK);
			break;
		}
	}
}

/* A default client-server run up to step ${to}. */
static void
run_upto(struct run *r, int to)
{

	run_new(r, kp_c, NULL, kp_s);
	run_steps(r, ST_HELLO, to);
}

/* Write a header into ${h}. */
static void
mkhdr(uint8_t h[PROTO_HDR_LEN], const char *magic, int version, int type,
    unsigned int len)
{

	memcpy(h, magic, 4);
	h[4] = (uint8_t)version;
	h[5] = (uint8_t)type;
	h[6] = (uint8_t)(len >> 8);
	h[7] = (uint8_t)(len & 0xff);
}

/* Check that ${m} starts with a version 1 header of ${type} and ${len}. */
static void
check_hdr(const uint8_t *m, int type, unsigned int len)
{

	CHECK(memcmp(m, "SCHT", 4) == 0);
	CHECK(m[4] == PROTO_VERSION && PROTO_VERSION == 1);
	CHECK(m[5] == type);
	CHECK((((unsigned int)m[6] << 8) | m[7]) == len);
}

/* Check that the ${CANARY} bytes at ${p} are untouched. */
static void
check_canary(const uint8_t *p)
{
	size_t i;
	int ok = 1;

	for (i = 0; i < CANARY; i++)
		if (p[i] != CANARY_BYTE)
			ok = 0;
	CHECK(ok);
}

/* The header error expected when byte ${pos} of a header is changed. */
static int
hdr_flip_err(size_t pos)
{

	if (pos < 4)
		return (PROTO_E_MAGIC);
	if (pos == 4)
		return (PROTO_E_VERSION);
	if (pos == 5)
		return (PROTO_E_TYPE);
	return (PROTO_E_LENGTH);
}

/* Check that neither side of ${r} yields a session any more. */
static void
check_no_session(struct run *r)
{
	struct proto_session s;

	CHECK(proto_hs_session(r->c, &s) == PROTO_E_STATE);
	CHECK(proto_hs_session(r->s, &s) == PROTO_E_STATE);
	proto_session_wipe(&s);
}

/* Check that the server of ${r} yields no session. */
static void
check_no_server_session(struct run *r)
{
	struct proto_session s;

	CHECK(proto_hs_session(r->s, &s) == PROTO_E_STATE);
	proto_session_wipe(&s);
}

/* The message sizes are what the protocol says. */
static void
test_sizes(void)
{

	CHECK(PROTO_HDR_LEN == 8);
	CHECK(PROTO_HELLO_LEN == 40);
	CHECK(PROTO_REPLY_LEN == 104);
	CHECK(PROTO_AUTH_LEN == 72);
	CHECK(PROTO_DATA_HELLO_LEN == 64);
	CHECK(PROTO_ERROR_LEN == 9);
	CHECK(PROTO_STREAM_HDR_LEN == CHANNEL_HEADER_LEN);
}

/* Send one MSG record from ${tx} to ${rx}; 0 if it arrives intact. */
static int
channel_pass(struct channel_dir *tx, struct channel_dir *rx)
{
	static const uint8_t rec[] = { CHANNEL_T_MSG, 'h', 'i' };
	uint8_t frame[sizeof(rec) + CHANNEL_LEN_LEN + CHANNEL_ABYTES];
	uint8_t *out;
	size_t flen, ct_len, olen;
	int final, ok;

	if ((out = malloc(CHANNEL_RECORD_MAX)) == NULL)
		abort();
	ok = channel_seal(tx, rec, sizeof(rec), 0, frame, &flen) ==
	    CHANNEL_OK && channel_frame_length(frame, &ct_len) == CHANNEL_OK &&
	    channel_open(rx, frame + CHANNEL_LEN_LEN, ct_len, out, &olen,
	    &final) == CHANNEL_OK && olen == sizeof(rec) &&
	    memcmp(out, rec, sizeof(rec)) == 0 && final == 0;
	free(out);
	return (ok ? 0 : -1);
}

/* A full handshake: sizes, both sessions, the data port, the channel. */
static void
test_full(void)
{
	struct run r;
	struct proto_session sc, ss, zero;
	struct channel_dir ctx, crx, stx, srx;
	uint8_t hello[PROTO_HELLO_LEN + CANARY];
	uint8_t reply[PROTO_REPLY_LEN + CANARY];
	uint8_t auth[PROTO_AUTH_LEN + CANARY];
	uint8_t dh[PROTO_DATA_HELLO_LEN + CANARY];
	uint8_t sh[PROTO_STREAM_HDR_LEN], sh2[PROTO_STREAM_HDR_LEN];
	uint8_t sh3[PROTO_STREAM_HDR_LEN], pub[32], h32[32];

	run_new(&r, kp_c, NULL, kp_s);
	memset(hello, CANARY_BYTE, sizeof(hello));
	memset(reply, CANARY_BYTE, sizeof(reply));
	memset(auth, CANARY_BYTE, sizeof(auth));
	memset(dh, CANARY_BYTE, sizeof(dh));

	/* Nobody knows the peer yet. */
	CHECK(proto_hs_peer(r.c, pub) == PROTO_E_STATE);
	CHECK(proto_hs_peer(r.s, pub) == PROTO_E_STATE);

	/* HELLO: exactly PROTO_HELLO_LEN bytes. */
	CHECK(proto_client_hello(r.c, hello) == PROTO_OK);
	check_hdr(hello, PROTO_T_HELLO, PROTO_HELLO_BODY);
	check_canary(hello + PROTO_HELLO_LEN);

	/* REPLY. */
	CHECK(proto_server_reply(r.s, hello, reply) == PROTO_OK);
	check_hdr(reply, PROTO_T_REPLY, PROTO_REPLY_BODY);
	check_canary(reply + PROTO_REPLY_LEN);
	CHECK(proto_hs_peer(r.s, pub) == PROTO_E_STATE);
	CHECK(proto_client_read_reply(r.c, reply) == PROTO_OK);
	CHECK(proto_hs_peer(r.c, pub) == PROTO_OK);
	CHECK_MEM(pub, kp_s->pub, 32);

	/* AUTH. */
	CHECK(proto_client_auth(r.c, auth) == PROTO_OK);
	check_hdr(auth, PROTO_T_AUTH, PROTO_AUTH_BODY);
	check_canary(auth + PROTO_AUTH_LEN);
	CHECK(proto_server_read_auth(r.s, auth) == PROTO_OK);
	CHECK(proto_hs_peer(r.s, pub) == PROTO_OK);
	CHECK_MEM(pub, kp_c->pub, 32);

	/* The two sessions mirror each other. */
	memset(&sc, 0x11, sizeof(sc));
	memset(&ss, 0x22, sizeof(ss));
	CHECK(proto_hs_session(r.c, &sc) == PROTO_OK);
	CHECK(proto_hs_session(r.s, &ss) == PROTO_OK);
	CHECK_MEM(sc.tx_key, ss.rx_key, 32);
	CHECK_MEM(sc.rx_key, ss.tx_key, 32);
	CHECK(memcmp(sc.tx_key, sc.rx_key, 32) != 0);
	CHECK_MEM(sc.token, ss.token, PROTO_TOKEN_LEN);
	CHECK(memcmp(sc.token, sc.tx_key, 32) != 0);
	CHECK(memcmp(sc.token, sc.rx_key, 32) != 0);

	/* The token is keyed: not computable from the handshake hash. */
	crypto_generichash(h32, sizeof(h32), sc.hash, sizeof(sc.hash), NULL, 0);
	CHECK(memcmp(sc.token, h32, 32) != 0);
	CHECK(memcmp(sc.token, sc.hash, 32) != 0);
	CHECK(memcmp(sc.token, sc.hash + 32, 32) != 0);
	CHECK_MEM(sc.hash, ss.hash, 64);
	CHECK_MEM(sc.peer, kp_s->pub, 32);
	CHECK_MEM(ss.peer, kp_c->pub, 32);

	/*
	 * A session is derived once: proto.c then wipes and frees the Noise
	 * state, so a second derivation must fail rather than read it.
	 */
	CHECK(proto_hs_session(r.c, &zero) == PROTO_E_STATE);
	CHECK(proto_hs_session(r.s, &zero) == PROTO_E_STATE);

	/* DATA_HELLO: the server recognises the session and the header. */
	channel_tx_start(&ctx, sc.tx_key, sh);
	proto_data_hello(&sc, sh, dh);
	check_hdr(dh, PROTO_T_DATA_HELLO, PROTO_DATA_HELLO_BODY);
	check_canary(dh + PROTO_DATA_HELLO_LEN);
	CHECK_MEM(dh + PROTO_HDR_LEN, sc.token, PROTO_TOKEN_LEN);
	CHECK_MEM(dh + PROTO_HDR_LEN + PROTO_TOKEN_LEN, sh,
	    PROTO_STREAM_HDR_LEN);
	memset(sh2, 0, sizeof(sh2));
	CHECK(proto_data_check(&ss, dh, sh2) == PROTO_OK);
	CHECK_MEM(sh2, sh, PROTO_STREAM_HDR_LEN);

	/* The session keys carry a channel both ways. */
	CHECK(channel_rx_start(&srx, ss.rx_key, sh2) == CHANNEL_OK);
	CHECK(channel_pass(&ctx, &srx) == 0);
	channel_tx_start(&stx, ss.tx_key, sh3);
	CHECK(channel_rx_start(&crx, sc.rx_key, sh3) == CHANNEL_OK);
	CHECK(channel_pass(&stx, &crx) == 0);
	channel_dir_wipe(&ctx);
	channel_dir_wipe(&crx);
	channel_dir_wipe(&stx);
	channel_dir_wipe(&srx);

	/* Wiping a session leaves nothing. */
	memset(&zero, 0, sizeof(zero));
	proto_session_wipe(&sc);
	proto_session_wipe(&ss);
	CHECK(memcmp(&sc, &zero, sizeof(zero)) == 0);
	CHECK(memcmp(&ss, &zero, sizeof(zero)) == 0);
	run_free(&r);

	/* Two handshakes of the same parties yield unrelated sessions. */
	run_upto(&r, ST_READ_AUTH);
	CHECK(proto_hs_session(r.c, &sc) == PROTO_OK);
	run_free(&r);
	run_upto(&r, ST_READ_AUTH);
	CHECK(proto_hs_session(r.c, &ss) == PROTO_OK);
	run_free(&r);
	CHECK(memcmp(sc.tx_key, ss.tx_key, 32) != 0);
	CHECK(memcmp(sc.rx_key, ss.rx_key, 32) != 0);
	CHECK(memcmp(sc.token, ss.token, PROTO_TOKEN_LEN) != 0);
	CHECK(memcmp(sc.hash, ss.hash, 64) != 0);
	proto_session_wipe(&sc);
	proto_session_wipe(&ss);
}

/* Fixed ephemerals give a fixed transcript; only before the first step. */
static void
test_fixed_keys(void)
{
	struct run r[2];
	struct proto_session s[2][2];
	uint8_t ec[32], es[32], epub[32];
	int i;

	randombytes_buf(ec, sizeof(ec));
	randombytes_buf(es, sizeof(es));
	SETUP(crypto_scalarmult_base(epub, ec) == 0);
	for (i = 0; i < 2; i++) {
		run_new(&r[i], kp_c, kp_s->pub, kp_s);
		CHECK(proto_hs_set_test_keys(r[i].c, ec, NULL) == PROTO_OK);
		CHECK(proto_hs_set_test_keys(r[i].s, es, NULL) == PROTO_OK);
		run_steps(&r[i], ST_HELLO, ST_READ_AUTH);
		CHECK(proto_hs_session(r[i].c, &s[i][0]) == PROTO_OK);
		CHECK(proto_hs_session(r[i].s, &s[i][1]) == PROTO_OK);
	}

	/* HELLO's body is the ephemeral public key, in clear. */
	CHECK_MEM(r[0].hello + PROTO_HDR_LEN, epub, 32);
	CHECK_MEM(r[0].hello, r[1].hello, PROTO_HELLO_LEN);
	CHECK_MEM(r[0].reply, r[1].reply, PROTO_REPLY_LEN);
	CHECK_MEM(r[0].auth, r[1].auth, PROTO_AUTH_LEN);
	CHECK(memcmp(&s[0][0], &s[1][0], sizeof(s[0][0])) == 0);
	CHECK(memcmp(&s[0][1], &s[1][1], sizeof(s[0][1])) == 0);
	for (i = 0; i < 2; i++) {
		proto_session_wipe(&s[i][0]);
		proto_session_wipe(&s[i][1]);
		run_free(&r[i]);
	}

	/* Too late after the first message; an ephemeral is set once. */
	run_upto(&r[0], ST_REPLY);
	CHECK(proto_hs_set_test_keys(r[0].c, ec, NULL) == PROTO_E_STATE);
	CHECK(proto_hs_set_test_keys(r[0].c, NULL, kp_o->pub) ==
	    PROTO_E_STATE);
	CHECK(proto_hs_set_test_keys(r[0].s, es, NULL) == PROTO_E_STATE);
	run_free(&r[0]);
	run_new(&r[0], kp_c, NULL, kp_s);
	CHECK(proto_hs_set_test_keys(r[0].c, ec, NULL) == PROTO_OK);
	CHECK(proto_hs_set_test_keys(r[0].c, es, NULL) == PROTO_E_STATE);
	run_free(&r[0]);
	sodium_memzero(ec, sizeof(ec));
	sodium_memzero(es, sizeof(es));
}

/* The pin: the right one passes, a wrong one stops the client. */
static void
test_pin(void)
{
	static const size_t bits[] = { 0, 7, 128, 255 };
	struct run r;
	struct proto_session s;
	uint8_t pin[32], pub[32];
	size_t i;

	/* The right pin. */
	run_new(&r, kp_c, kp_s->pub, kp_s);
	run_steps(&r, ST_HELLO, ST_REPLY);
	CHECK(proto_client_read_reply(r.c, r.reply) == PROTO_OK);
	CHECK(proto_client_auth(r.c, r.auth) == PROTO_OK);
	CHECK(proto_server_read_auth(r.s, r.auth) == PROTO_OK);
	CHECK(proto_hs_session(r.c, &s) == PROTO_OK);
	CHECK_MEM(s.peer, kp_s->pub, 32);
	CHECK(proto_hs_session(r.s, &s) == PROTO_OK);
	CHECK_MEM(s.peer, kp_c->pub, 32);
	run_free(&r);

	/* Another key as the pin, and the server's key with a bit changed. */
	for (i = 0; i <= sizeof(bits) / sizeof(bits[0]); i++) {
		if (i == 0)
			memcpy(pin, kp_o->pub, 32);
		else {
			memcpy(pin, kp_s->pub, 32);
			pin[bits[i - 1] / 8] ^=
			    (uint8_t)(1 << (bits[i - 1] % 8));
		}
		run_new(&r, kp_c, pin, kp_s);
		run_steps(&r, ST_HELLO, ST_REPLY);
		CHECK(proto_client_read_reply(r.c, r.reply) == PROTO_E_PIN);

		/* The key actually seen is reported. */
		memset(pub, 0, sizeof(pub));
		CHECK(proto_hs_peer(r.c, pub) == PROTO_OK);
		CHECK_MEM(pub, kp_s->pub, 32);

		/* Nothing more. */
		CHECK(proto_client_auth(r.c, r.auth) == PROTO_E_STATE);
		CHECK(proto_client_read_reply(r.c, r.reply) == PROTO_E_STATE);
		check_no_session(&r);
		run_free(&r);
	}
	proto_session_wipe(&s);
}

/* Flip each byte of each message in each way: the handshake never ends. */
static void
test_flip(void)
{
	struct run r;
	struct proto_session s;
	uint8_t hello[PROTO_HELLO_LEN], reply[PROTO_REPLY_LEN];
	uint8_t auth[PROTO_AUTH_LEN], pub[32];
	size_t pos, f;
	int rc, complete;

	/* HELLO: header errors at the server, else the client sees it. */
	for (pos = 0; pos < PROTO_HELLO_LEN; pos++) {
		for (f = 0; f < NFLIPS; f++) {
			run_upto(&r, ST_HELLO);
			memcpy(hello, r.hello, sizeof(hello));
			hello[pos] ^= flips[f];
			rc = proto_server_reply(r.s, hello, r.reply);
			if (pos < PROTO_HDR_LEN) {
				CHECK(rc == hdr_flip_err(pos));
				CHECK(proto_server_reply(r.s, r.hello,
				    r.reply) == PROTO_E_STATE);
				check_no_session(&r);
				run_free(&r);
				continue;
			}

			/*
			 * A changed ephemeral changes the DH and the hash:
			 * the client must reject the REPLY.
			 */
			CHECK(rc == PROTO_OK);
			complete = rc == PROTO_OK &&
			    proto_client_read_reply(r.c, r.reply) ==
			    PROTO_OK &&
			    proto_client_auth(r.c, r.auth) == PROTO_OK &&
			    proto_server_read_auth(r.s, r.auth) == PROTO_OK;
			CHECK(!complete);
			CHECK(proto_hs_peer(r.c, pub) == PROTO_E_STATE);
			CHECK(proto_hs_peer(r.s, pub) == PROTO_E_STATE);
			CHECK(proto_client_read_reply(r.c, r.reply) ==
			    PROTO_E_STATE);
			check_no_session(&r);
			run_free(&r);
		}
	}

	/* REPLY: the client rejects it and stays dead. */
	for (pos = 0; pos < PROTO_REPLY_LEN; pos++) {
		for (f = 0; f < NFLIPS; f++) {
			run_upto(&r, ST_REPLY);
			memcpy(reply, r.reply, sizeof(reply));
			reply[pos] ^= flips[f];
			rc = proto_client_read_reply(r.c, reply);
			CHECK(rc == (pos < PROTO_HDR_LEN ? hdr_flip_err(pos) :
			    PROTO_E_CRYPTO));
			CHECK(proto_hs_peer(r.c, pub) == PROTO_E_STATE);
			CHECK(proto_client_read_reply(r.c, r.reply) ==
			    PROTO_E_STATE);
			CHECK(proto_client_auth(r.c, r.auth) == PROTO_E_STATE);
			check_no_session(&r);
			run_free(&r);
		}
	}

	/* AUTH: the server rejects it, learns no key and stays dead. */
	for (pos = 0; pos < PROTO_AUTH_LEN; pos++) {
		for (f = 0; f < NFLIPS; f++) {
			run_upto(&r, ST_AUTH);
			memcpy(auth, r.auth, sizeof(auth));
			auth[pos] ^= flips[f];
			rc = proto_server_read_auth(r.s, auth);
			CHECK(rc == (pos < PROTO_HDR_LEN ? hdr_flip_err(pos) :
			    PROTO_E_CRYPTO));
			CHECK(proto_hs_peer(r.s, pub) == PROTO_E_STATE);
			CHECK(proto_server_read_auth(r.s, r.auth) ==
			    PROTO_E_STATE);
			CHECK(proto_hs_session(r.s, &s) == PROTO_E_STATE);
			run_free(&r);
		}
	}
	proto_session_wipe(&s);
}

/* proto_check_header on good and bad headers. */
static void
test_header(void)
{
	static const struct {
		int type;
		unsigned int body;
	} msgs[] = {
		{ PROTO_T_HELLO, PROTO_HELLO_BODY },
		{ PROTO_T_REPLY, PROTO_REPLY_BODY },
		{ PROTO_T_AUTH, PROTO_AUTH_BODY },
		{ PROTO_T_DATA_HELLO, PROTO_DATA_HELLO_BODY }
	};
	static const int versions[] = { 0, 2, 3, 0x81, 255 };
	static const int types[] = { 0, 1, 2, 3, 4, 5, 126, 128, 255 };
	static const char *magics[] = {
		"SCHt", "sCHT", "SCHU", "TCHT", "\0\0\0\0", "HTTP", "SSH-"
	};
	uint8_t h[PROTO_HDR_LEN];
	size_t i, j;
	unsigned int lens[6];

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		/* The right header. */
		mkhdr(h, "SCHT", 1, msgs[i].type, msgs[i].body);
		CHECK(proto_check_header(h, msgs[i].type, msgs[i].body) ==
		    PROTO_OK);

		/* Wrong lengths. */
		lens[0] = 0;
		lens[1] = msgs[i].body - 1;
		lens[2] = msgs[i].body + 1;
		lens[3] = msgs[i].body + 256;
		lens[4] = msgs[i].body << 8;
		lens[5] = 0xffff;
		for (j = 0; j < 6; j++) {
			mkhdr(h, "SCHT", 1, msgs[i].type, lens[j]);
			CHECK(proto_check_header(h, msgs[i].type,
			    msgs[i].body) == PROTO_E_LENGTH);
		}

		/* Wrong types, with the right length. */
		for (j = 0; j < sizeof(types) / sizeof(types[0]); j++) {
			if (types[j] == msgs[i].type)
				continue;
			mkhdr(h, "SCHT", 1, types[j], msgs[i].body);
			CHECK(proto_check_header(h, msgs[i].type,
			    msgs[i].body) == PROTO_E_TYPE);
		}

		/* Wrong magic: not secchat, whatever else is there. */
		for (j = 0; j < sizeof(magics) / sizeof(magics[0]); j++) {
			mkhdr(h, magics[j], 1, msgs[i].type, msgs[i].body);
			CHECK(proto_check_header(h, msgs[i].type,
			    msgs[i].body) == PROTO_E_MAGIC);
			mkhdr(h, magics[j], 2, PROTO_T_ERROR,
			    PROTO_ERROR_BODY);
			CHECK(proto_check_header(h, msgs[i].type,
			    msgs[i].body) == PROTO_E_MAGIC);
		}

		/* Other versions. */
		for (j = 0; j < sizeof(versions) / sizeof(versions[0]); j++) {
			mkhdr(h, "SCHT", versions[j], msgs[i].type,
			    msgs[i].body);
			CHECK(proto_check_header(h, msgs[i].type,
			    msgs[i].body) == PROTO_E_VERSION);
		}

		/* An ERROR of any version gets through. */
		for (j = 0; j < sizeof(versions) / sizeof(versions[0]); j++) {
			mkhdr(h, "SCHT", versions[j], PROTO_T_ERROR,
			    PROTO_ERROR_BODY);
			CHECK(proto_check_header(h, msgs[i].type,
			    msgs[i].body) == PROTO_E_REMOTE);
		}
		mkhdr(h, "SCHT", 1, PROTO_T_ERROR, PROTO_ERROR_BODY);
		CHECK(proto_check_header(h, msgs[i].type, msgs[i].body) ==
		    PROTO_E_REMOTE);

		/*
		 * An ERROR header without exactly one code byte is neither
		 * accepted nor taken for an ERROR (there is no code to read).
		 */
		for (j = 0; j < 3; j++) {
			mkhdr(h, "SCHT", 1, PROTO_T_ERROR, j == 0 ? 0 :
			    j == 1 ? 2 : msgs[i].body);
			CHECK(proto_check_header(h, msgs[i].type,
			    msgs[i].body) != PROTO_OK);
			CHECK(proto_check_header(h, msgs[i].type,
			    msgs[i].body) != PROTO_E_REMOTE);
		}
	}
}

/* A version 2 message is refused by each reader with PROTO_E_VERSION. */
static void
test_version(void)
{
	struct run r;
	uint8_t hello[PROTO_HELLO_LEN], reply[PROTO_REPLY_LEN];
	uint8_t auth[PROTO_AUTH_LEN];

	run_upto(&r, ST_HELLO);
	memcpy(hello, r.hello, sizeof(hello));
	hello[4] = 2;
	CHECK(proto_server_reply(r.s, hello, r.reply) == PROTO_E_VERSION);
	CHECK(proto_server_reply(r.s, r.hello, r.reply) == PROTO_E_STATE);
	run_free(&r);

	run_upto(&r, ST_REPLY);
	memcpy(reply, r.reply, sizeof(reply));
	reply[4] = 2;
	CHECK(proto_client_read_reply(r.c, reply) == PROTO_E_VERSION);
	run_free(&r);

	run_upto(&r, ST_AUTH);
	memcpy(auth, r.auth, sizeof(auth));
	auth[4] = 2;
	CHECK(proto_server_read_auth(r.s, auth) == PROTO_E_VERSION);
	run_free(&r);

	/* An ERROR in place of the REPLY, in any version, is reported. */
	run_upto(&r, ST_HELLO);
	memset(reply, 0, sizeof(reply));
	proto_error_message(PROTO_ERRCODE_VERSION, reply);
	reply[4] = 7;
	CHECK(proto_client_read_reply(r.c, reply) == PROTO_E_REMOTE);
	CHECK(reply[PROTO_HDR_LEN] == PROTO_ERRCODE_VERSION);
	CHECK(proto_client_auth(r.c, r.auth) == PROTO_E_STATE);
	run_free(&r);
}

/* Replayed messages: a HELLO gets a fresh REPLY; the old AUTH fails. */
static void
test_replay(void)
{
	struct run r, r2;
	struct proto_session s;
	uint8_t reply2[PROTO_REPLY_LEN], pub[32];
	struct proto_hs *s2;

	run_upto(&r, ST_READ_AUTH);

	/* HELLO and AUTH of that handshake replayed to a new server. */
	SETUP((s2 = proto_server_new(kp_s)) != NULL);
	CHECK(proto_server_reply(s2, r.hello, reply2) == PROTO_OK);
	CHECK(memcmp(reply2, r.reply, PROTO_REPLY_LEN) != 0);
	CHECK(proto_server_read_auth(s2, r.auth) == PROTO_E_CRYPTO);
	CHECK(proto_hs_peer(s2, pub) == PROTO_E_STATE);
	CHECK(proto_hs_session(s2, &s) == PROTO_E_STATE);
	proto_hs_free(s2);

	/* The old REPLY replayed to a new client. */
	run_upto(&r2, ST_HELLO);
	CHECK(proto_client_read_reply(r2.c, r.reply) == PROTO_E_CRYPTO);
	CHECK(proto_hs_peer(r2.c, pub) == PROTO_E_STATE);
	run_free(&r2);

	/* AUTH replayed to the server that already accepted it. */
	CHECK(proto_server_read_auth(r.s, r.auth) == PROTO_E_STATE);
	run_free(&r);
}

/* Reflected and spliced messages fail. */
static void
test_reflect(void)
{
	struct run r, r2;
	uint8_t hello[PROTO_HELLO_LEN], reply[PROTO_REPLY_LEN];
	uint8_t auth[PROTO_AUTH_LEN], pub[32];
	struct proto_hs *s2;

	/* A REPLY carrying the client's own ephemeral. */
	run_upto(&r, ST_REPLY);
	memcpy(reply, r.reply, sizeof(reply));
	memcpy(reply + PROTO_HDR_LEN, r.hello + PROTO_HDR_LEN, 32);
	CHECK(proto_client_read_reply(r.c, reply) == PROTO_E_CRYPTO);
	CHECK(proto_hs_peer(r.c, pub) == PROTO_E_STATE);
	run_free(&r);

	/*
	 * The server's REPLY reflected back to it as AUTH: its own encrypted
	 * static key and tag, under an AUTH header.
	 */
	run_upto(&r, ST_REPLY);
	memcpy(auth, r.reply, PROTO_HDR_LEN);
	auth[5] = PROTO_T_AUTH;
	auth[7] = PROTO_AUTH_BODY;
	memcpy(auth + PROTO_HDR_LEN, r.reply + PROTO_HDR_LEN + 32,
	    PROTO_AUTH_BODY);
	CHECK(proto_server_read_auth(r.s, auth) == PROTO_E_CRYPTO);
	CHECK(proto_hs_peer(r.s, pub) == PROTO_E_STATE);
	run_free(&r);

	/*
	 * The server's REPLY reflected to another instance of the same
	 * server as a HELLO: that instance answers, but neither server's
	 * REPLY then passes as the AUTH the other awaits.
	 */
	run_upto(&r, ST_REPLY);
	SETUP((s2 = proto_server_new(kp_s)) != NULL);
	memcpy(hello, r.hello, PROTO_HDR_LEN);
	memcpy(hello + PROTO_HDR_LEN, r.reply + PROTO_HDR_LEN, 32);
	CHECK(proto_server_reply(s2, hello, reply) == PROTO_OK);
	mkhdr(auth, "SCHT", 1, PROTO_T_AUTH, PROTO_AUTH_BODY);
	memcpy(auth + PROTO_HDR_LEN, reply + PROTO_HDR_LEN + 32,
	    PROTO_AUTH_BODY);
	CHECK(proto_server_read_auth(r.s, auth) == PROTO_E_CRYPTO);
	CHECK(proto_hs_peer(r.s, pub) == PROTO_E_STATE);
	memcpy(auth + PROTO_HDR_LEN, r.reply + PROTO_HDR_LEN + 32,
	    PROTO_AUTH_BODY);
	CHECK(proto_server_read_auth(s2, auth) == PROTO_E_CRYPTO);
	CHECK(proto_hs_peer(s2, pub) == PROTO_E_STATE);
	proto_hs_free(s2);
	run_free(&r);

	/* A REPLY spliced from another client's handshake. */
	run_upto(&r, ST_REPLY);
	run_upto(&r2, ST_HELLO);
	CHECK(proto_client_read_reply(r2.c, r.reply) == PROTO_E_CRYPTO);
	run_free(&r2);

	/* An AUTH spliced from another handshake with the same server key. */
	run_upto(&r2, ST_AUTH);
	CHECK(proto_server_read_auth(r.s, r2.auth) == PROTO_E_CRYPTO);
	CHECK(proto_hs_peer(r.s, pub) == PROTO_E_STATE);
	run_free(&r2);
	run_free(&r);
}

/* Low-order ephemeral and static keys are refused. */
static void
test_low_order(void)
{
	struct run r;
	uint8_t reply[PROTO_REPLY_LEN], pub[32];
	size_t i;

	for (i = 0; i < NLOW; i++) {
		/* As the client's ephemeral in HELLO. */
		run_upto(&r, ST_HELLO);
		memcpy(r.hello + PROTO_HDR_LEN, low_order[i], 32);
		CHECK(proto_server_reply(r.s, r.hello, r.reply) != PROTO_OK);
		CHECK(proto_server_reply(r.s, r.hello, r.reply) ==
		    PROTO_E_STATE);
		check_no_session(&r);
		run_free(&r);

		/* As the server's ephemeral in REPLY. */
		run_upto(&r, ST_REPLY);
		memcpy(reply, r.reply, sizeof(reply));
		memcpy(reply + PROTO_HDR_LEN, low_order[i], 32);
		CHECK(proto_client_read_reply(r.c, reply) != PROTO_OK);
		CHECK(proto_hs_peer(r.c, pub) == PROTO_E_STATE);
		CHECK(proto_client_auth(r.c, r.auth) == PROTO_E_STATE);
		run_free(&r);

		/* As the static key a server advertises in REPLY. */
		run_new(&r, kp_c, NULL, kp_s);
		CHECK(proto_hs_set_test_keys(r.s, NULL, low_order[i]) ==
		    PROTO_OK);
		run_steps(&r, ST_HELLO, ST_REPLY);
		CHECK(proto_client_read_reply(r.c, r.reply) != PROTO_OK);
		CHECK(proto_hs_peer(r.c, pub) == PROTO_E_STATE);
		CHECK(proto_client_auth(r.c, r.auth) == PROTO_E_STATE);
		run_free(&r);

		/* As the static key a client advertises in AUTH. */
		run_new(&r, kp_c, NULL, kp_s);
		CHECK(proto_hs_set_test_keys(r.c, NULL, low_order[i]) ==
		    PROTO_OK);
		run_steps(&r, ST_HELLO, ST_AUTH);
		CHECK(proto_server_read_auth(r.s, r.auth) != PROTO_OK);
		CHECK(proto_hs_peer(r.s, pub) == PROTO_E_STATE);
		check_no_server_session(&r);
		run_free(&r);
	}
}

/* Who knows only a public key cannot pass for its owner. */
static void
test_impostor(void)
{
	struct key_pair *kp_imp;
	struct run r;
	struct proto_session s;
	uint8_t pub[32];

	SETUP((kp_imp = key_pair_generate("impostor")) != NULL);

	/* A client claiming kp_o's key (on the allowlist, say). */
	run_new(&r, kp_imp, kp_s->pub, kp_s);
	CHECK(proto_hs_set_test_keys(r.c, NULL, kp_o->pub) == PROTO_OK);
	run_steps(&r, ST_HELLO, ST_AUTH);
	CHECK(proto_server_read_auth(r.s, r.auth) == PROTO_E_CRYPTO);
	memset(pub, 0, sizeof(pub));
	CHECK(proto_hs_peer(r.s, pub) == PROTO_E_STATE);
	CHECK(memcmp(pub, kp_o->pub, 32) != 0);
	memset(&s, 0, sizeof(s));
	CHECK(proto_hs_session(r.s, &s) == PROTO_E_STATE);
	CHECK(memcmp(s.peer, kp_o->pub, 32) != 0);
	run_free(&r);

	/* A server claiming the pinned server key. */
	run_new(&r, kp_c, kp_s->pub, kp_imp);
	CHECK(proto_hs_set_test_keys(r.s, NULL, kp_s->pub) == PROTO_OK);
	run_steps(&r, ST_HELLO, ST_REPLY);
	CHECK(proto_client_read_reply(r.c, r.reply) == PROTO_E_CRYPTO);
	CHECK(proto_hs_peer(r.c, pub) == PROTO_E_STATE);
	CHECK(proto_client_auth(r.c, r.auth) == PROTO_E_STATE);
	check_no_session(&r);
	run_free(&r);

	/* ... and without a pin. */
	run_new(&r, kp_c, NULL, kp_imp);
	CHECK(proto_hs_set_test_keys(r.s, NULL, kp_s->pub) == PROTO_OK);
	run_steps(&r, ST_HELLO, ST_REPLY);
	CHECK(proto_client_read_reply(r.c, r.reply) == PROTO_E_CRYPTO);
	CHECK(proto_hs_peer(r.c, pub) == PROTO_E_STATE);
	run_free(&r);

	key_pair_free(kp_imp);
}

/* Steps out of order fail with PROTO_E_STATE and kill the handshake. */
static void
test_order(void)
{
	struct run g, r;
	struct proto_session s;
	uint8_t hello[PROTO_HELLO_LEN], reply[PROTO_REPLY_LEN], pub[32];
	int st;

	/* Well-formed messages of another handshake. */
	run_upto(&g, ST_READ_AUTH);

	/* The client may not read or authenticate before its HELLO. */
	run_new(&r, kp_c, NULL, kp_s);
	CHECK(proto_client_auth(r.c, r.auth) == PROTO_E_STATE);
	CHECK(proto_client_hello(r.c, r.hello) == PROTO_E_STATE);
	run_free(&r);
	run_new(&r, kp_c, NULL, kp_s);
	CHECK(proto_client_read_reply(r.c, g.reply) == PROTO_E_STATE);
	CHECK(proto_client_hello(r.c, r.hello) == PROTO_E_STATE);
	run_free(&r);

	/* Two HELLOs; then the genuine REPLY is refused. */
	run_upto(&r, ST_REPLY);
	CHECK(proto_client_hello(r.c, hello) == PROTO_E_STATE);
	CHECK(proto_client_read_reply(r.c, r.reply) == PROTO_E_STATE);
	CHECK(proto_client_auth(r.c, r.auth) == PROTO_E_STATE);
	run_free(&r);

	/* AUTH before reading REPLY. */
	run_upto(&r, ST_REPLY);
	CHECK(proto_client_auth(r.c, r.auth) == PROTO_E_STATE);
	CHECK(proto_client_read_reply(r.c, r.reply) == PROTO_E_STATE);
	check_no_session(&r);
	run_free(&r);

	/* The server may not read AUTH first, nor reply twice. */
	run_upto(&r, ST_HELLO);
	CHECK(proto_server_read_auth(r.s, g.auth) == PROTO_E_STATE);
	CHECK(proto_server_reply(r.s, r.hello, r.reply) == PROTO_E_STATE);
	run_free(&r);
	run_upto(&r, ST_AUTH);
	CHECK(proto_server_reply(r.s, r.hello, reply) == PROTO_E_STATE);
	CHECK(proto_server_read_auth(r.s, r.auth) == PROTO_E_STATE);
	check_no_server_session(&r);
	run_free(&r);

	/* Each side refuses the other's steps. */
	run_new(&r, kp_c, NULL, kp_s);
	CHECK(proto_server_reply(r.c, g.hello, r.reply) == PROTO_E_STATE);
	CHECK(proto_server_read_auth(r.c, r.auth) == PROTO_E_STATE);
	CHECK(proto_client_hello(r.s, r.hello) == PROTO_E_STATE);
	CHECK(proto_client_read_reply(r.s, r.reply) == PROTO_E_STATE);
	CHECK(proto_client_auth(r.s, r.auth) == PROTO_E_STATE);
	run_free(&r);

	/* Nothing more after the end; then the session is gone too. */
	run_upto(&r, ST_READ_AUTH);
	CHECK(proto_client_hello(r.c, r.hello) == PROTO_E_STATE);
	CHECK(proto_server_read_auth(r.s, r.auth) == PROTO_E_STATE);
	check_no_session(&r);
	run_free(&r);

	/* No session before the end; the client is done after AUTH. */
	for (st = 0; st <= ST_READ_AUTH; st++) {
		run_upto(&r, st);
		CHECK((proto_hs_session(r.c, &s) == PROTO_OK) ==
		    (st >= ST_AUTH));
		CHECK((proto_hs_session(r.s, &s) == PROTO_OK) ==
		    (st >= ST_READ_AUTH));
		CHECK((proto_hs_peer(r.c, pub) == PROTO_OK) ==
		    (st >= ST_READ_REPLY));
		run_free(&r);
	}
	proto_session_wipe(&s);
	run_free(&g);
}

/* The data-port token proves exactly one session. */
static void
test_token(void)
{
	struct run r;
	struct proto_session a[2], b[2];
	uint8_t sh[PROTO_STREAM_HDR_LEN], out[PROTO_STREAM_HDR_LEN];
	uint8_t dh[PROTO_DATA_HELLO_LEN], bad[PROTO_DATA_HELLO_LEN];
	size_t pos, bit, f;

	/* Two sessions of the same client with the same server. */
	run_upto(&r, ST_READ_AUTH);
	SETUP(proto_hs_session(r.c, &a[0]) == PROTO_OK);
	SETUP(proto_hs_session(r.s, &a[1]) == PROTO_OK);
	run_free(&r);
	run_upto(&r, ST_READ_AUTH);
	SETUP(proto_hs_session(r.c, &b[0]) == PROTO_OK);
	SETUP(proto_hs_session(r.s, &b[1]) == PROTO_OK);
	run_free(&r);
	randombytes_buf(sh, sizeof(sh));
	proto_data_hello(&a[0], sh, dh);
	CHECK(proto_data_check(&a[1], dh, out) == PROTO_OK);
	CHECK_MEM(out, sh, sizeof(sh));

	/* Another session's token. */
	CHECK(proto_data_check(&b[1], dh, out) == PROTO_E_TOKEN);
	proto_data_hello(&b[0], sh, bad);
	CHECK(proto_data_check(&a[1], bad, out) == PROTO_E_TOKEN);
	CHECK(proto_data_check(&b[1], bad, out) == PROTO_OK);

	/* Any one bit of the token changed. */
	for (pos = 0; pos < PROTO_TOKEN_LEN; pos++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, dh, sizeof(bad));
			bad[PROTO_HDR_LEN + pos] ^= (uint8_t)(1 << bit);
			CHECK(proto_data_check(&a[1], bad, out) ==
			    PROTO_E_TOKEN);
		}
	}

	/* A changed header. */
	for (pos = 0; pos < PROTO_HDR_LEN; pos++) {
		for (f = 0; f < NFLIPS; f++) {
			memcpy(bad, dh, sizeof(bad));
			bad[pos] ^= flips[f];
			CHECK(proto_data_check(&a[1], bad, out) ==
			    hdr_flip_err(pos));
		}
	}
	memcpy(bad, dh, sizeof(bad));
	bad[5] = PROTO_T_HELLO;
	CHECK(proto_data_check(&a[1], bad, out) == PROTO_E_TYPE);

	/* An all-zero token does not prove a session. */
	memcpy(bad, dh, sizeof(bad));
	memset(bad + PROTO_HDR_LEN, 0, PROTO_TOKEN_LEN);
	CHECK(proto_data_check(&a[1], bad, out) == PROTO_E_TOKEN);

	/* An ERROR in its place. */
	memset(bad, 0, sizeof(bad));
	proto_error_message(PROTO_ERRCODE_BUSY, bad);
	CHECK(proto_data_check(&a[1], bad, out) == PROTO_E_REMOTE);

	/* The stream header is carried as it is. */
	memcpy(bad, dh, sizeof(bad));
	bad[PROTO_DATA_HELLO_LEN - 1] ^= 1;
	CHECK(proto_data_check(&a[1], bad, out) == PROTO_OK);
	CHECK_MEM(out, bad + PROTO_HDR_LEN + PROTO_TOKEN_LEN, sizeof(out));

	proto_session_wipe(&a[0]);
	proto_session_wipe(&a[1]);
	proto_session_wipe(&b[0]);
	proto_session_wipe(&b[1]);
}

/* ERROR messages and the description functions. */
static void
test_errors(void)
{
	static const int codes[] = {
		PROTO_ERRCODE_VERSION, PROTO_ERRCODE_MALFORMED,
		PROTO_ERRCODE_BUSY, 0, 4, 127, 255
	};
	static const int types[] = {
		PROTO_T_HELLO, PROTO_T_REPLY, PROTO_T_AUTH, PROTO_T_DATA_HELLO
	};
	static const size_t bodies[] = {
		PROTO_HELLO_BODY, PROTO_REPLY_BODY, PROTO_AUTH_BODY,
		PROTO_DATA_HELLO_BODY
	};
	uint8_t m[PROTO_ERROR_LEN + CANARY];
	const char *d[PROTO_E_NOMEM * -1 + 1], *unknown;
	size_t i, j;
	int r;

	/* ERROR round trip: PROTO_E_REMOTE, and the code readable. */
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		memset(m, CANARY_BYTE, sizeof(m));
		proto_error_message(codes[i], m);
		check_hdr(m, PROTO_T_ERROR, PROTO_ERROR_BODY);
		check_canary(m + PROTO_ERROR_LEN);
		CHECK(m[PROTO_HDR_LEN] == codes[i]);
		for (j = 0; j < sizeof(types) / sizeof(types[0]); j++)
			CHECK(proto_check_header(m, types[j], bodies[j]) ==
			    PROTO_E_REMOTE);
		CHECK(proto_error_code_str(m[PROTO_HDR_LEN]) != NULL);
	}

	/* Each known ERROR code has its own description. */
	unknown = proto_error_code_str(0);
	CHECK(unknown != NULL && unknown[0] != '\0');
	CHECK(proto_error_code_str(255) != NULL);
	CHECK(proto_error_code_str(-1) != NULL);
	for (i = 0; i < 3; i++) {
		d[i] = proto_error_code_str(codes[i]);
		CHECK(d[i] != NULL && d[i][0] != '\0');
		CHECK(d[i] != NULL && strcmp(d[i], unknown) != 0);
		for (j = 0; j < i; j++)
			CHECK(d[i] != NULL && d[j] != NULL &&
			    strcmp(d[i], d[j]) != 0);
	}

	/* Each result code has its own description. */
	unknown = proto_strerror(-99);
	CHECK(unknown != NULL);
	CHECK(proto_strerror(1) != NULL && proto_strerror(-11) != NULL);
	for (r = 0; r >= PROTO_E_NOMEM; r--) {
		i = (size_t)-r;
		d[i] = proto_strerror(r);
		CHECK(d[i] != NULL && d[i][0] != '\0');
		CHECK(d[i] != NULL && unknown != NULL &&
		    strcmp(d[i], unknown) != 0);
		for (j = 0; j < i; j++)
			CHECK(d[i] != NULL && d[j] != NULL &&
			    strcmp(d[i], d[j]) != 0);
	}
}

int
main(void)
{

	if (sodium_init() < 0)
		return (1);
	SETUP((kp_c = key_pair_generate("client")) != NULL);
	SETUP((kp_s = key_pair_generate("server")) != NULL);
	SETUP((kp_o = key_pair_generate("other")) != NULL);

	test_sizes();
	test_full();
	test_fixed_keys();
	test_pin();
	test_flip();
	test_header();
	test_version();
	test_replay();
	test_reflect();
	test_low_order();
	test_impostor();
	test_order();
	test_token();
	test_errors();
	proto_hs_free(NULL);

	key_pair_free(kp_c);
	key_pair_free(kp_s);
	key_pair_free(kp_o);
	return (test_exit("test_proto"));
}
