#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "channel.h"
#include "test.h"

/*
 * Unit tests for channel.c: round trips up to the largest body, the length
 * prefix and its bounds, tampering, replay, reordering, dropping and
 * truncation of frames, frames of another stream, the FINAL record and the
 * record types, and directions that were never started.
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

/* One direction, both ends. */
struct pipe {
	uint8_t key[32];
	uint8_t hdr[CHANNEL_HEADER_LEN];
	struct channel_dir tx;
	struct channel_dir rx;
};

/* A sealed frame, in a buffer of exactly the size channel_seal needs. */
struct frame {
	uint8_t *buf;
	size_t len;		/* whole frame */
	size_t ct_len;		/* ciphertext after the prefix */
};

/* The receive buffer: exactly CHANNEL_RECORD_MAX bytes, on the heap. */
static uint8_t *rec;

/* Start a pipe with a fresh random key. */
static void
pipe_new(struct pipe *p)
{

	randombytes_buf(p->key, sizeof(p->key));
	channel_tx_start(&p->tx, p->key, p->hdr);
	SETUP(channel_rx_start(&p->rx, p->key, p->hdr) == CHANNEL_OK);
}

/* Wipe both ends of ${p}. */
static void
pipe_free(struct pipe *p)
{

	channel_dir_wipe(&p->tx);
	channel_dir_wipe(&p->rx);
	sodium_memzero(p->key, sizeof(p->key));
}

/* Seal the record ${r} of ${len} bytes into ${f}; returns the result. */
static int
seal(struct channel_dir *tx, const uint8_t *r, size_t len, int final,
    struct frame *f)
{
	int rc;

	if ((f->buf = malloc(len + CHANNEL_LEN_LEN + CHANNEL_ABYTES)) == NULL)
		abort();
	f->len = f->ct_len = 0;
	rc = channel_seal(tx, r, len, final, f->buf, &f->len);
	if (rc == CHANNEL_OK && f->len >= CHANNEL_LEN_LEN)
		f->ct_len = f->len - CHANNEL_LEN_LEN;
	return (rc);
}

/* Seal a record of ${type} and ${body_len} bytes of ${body} into ${f}. */
static void
seal_rec(struct channel_dir *tx, int type, const uint8_t *body,
    size_t body_len, int final, struct frame *f)
{
	uint8_t *r;

	if ((r = malloc(1 + body_len)) == NULL)
		abort();
	r[0] = (uint8_t)type;
	if (body_len > 0)
		memcpy(r + 1, body, body_len);
	SETUP(seal(tx, r, 1 + body_len, final, f) == CHANNEL_OK);
	free(r);
}

/* Free a frame. */
static void
frame_free(struct frame *f)
{

	free(f->buf);
	f->buf = NULL;
}

/* Open the ciphertext of ${f} on ${rx} (with ${ct_len} bytes of it). */
static int
open_len(struct channel_dir *rx, const struct frame *f, size_t ct_len,
    size_t *rlen, int *final)
{

	return (channel_open(rx, f->buf + CHANNEL_LEN_LEN, ct_len, rec, rlen,
	    final));
}

/* Open ${f} whole on ${rx}. */
static int
open_frame(struct channel_dir *rx, const struct frame *f, size_t *rlen,
    int *final)
{

	return (open_len(rx, f, f->ct_len, rlen, final));
}

/* Decode the big-endian prefix of ${f} by hand. */
static size_t
prefix_of(const struct frame *f)
{

	return (((size_t)f->buf[0] << 24) | ((size_t)f->buf[1] << 16) |
	    ((size_t)f->buf[2] << 8) | (size_t)f->buf[3]);
}

/* MSG records of 0, 1, 1000 and CHANNEL_BODY_MAX body bytes. */
static void
test_roundtrip(void)
{
	static const size_t sizes[] = { 0, 1, 1000, CHANNEL_BODY_MAX };
	struct pipe p;
	struct frame f;
	uint8_t *body;
	size_t i, ct_len, rlen;
	int final;

	CHECK(CHANNEL_BODY_MAX == 65536);
	CHECK(CHANNEL_RECORD_MAX == CHANNEL_BODY_MAX + 1);
	CHECK(CHANNEL_CT_MAX == CHANNEL_ABYTES + CHANNEL_RECORD_MAX);
	SETUP((body = malloc(CHANNEL_BODY_MAX)) != NULL);
	randombytes_buf(body, CHANNEL_BODY_MAX);
	pipe_new(&p);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		seal_rec(&p.tx, CHANNEL_T_MSG, body, sizes[i], 0, &f);

		/* Prefix: big-endian length of the ciphertext. */
		CHECK(f.len == CHANNEL_LEN_LEN + 1 + sizes[i] +
		    CHANNEL_ABYTES);
		CHECK(prefix_of(&f) == f.ct_len);
		CHECK(channel_frame_length(f.buf, &ct_len) == CHANNEL_OK);
		CHECK(ct_len == f.ct_len);

		/* The plaintext is not in the frame. */
		if (sizes[i] >= 16)
			CHECK(memcmp(f.buf + CHANNEL_LEN_LEN + 1, body,
			    16) != 0);

		/* It comes out as it went in. */
		memset(rec, 0, CHANNEL_RECORD_MAX);
		final = -1;
		CHECK(open_frame(&p.rx, &f, &rlen, &final) == CHANNEL_OK);
		CHECK(rlen == 1 + sizes[i]);
		CHECK(rec[0] == CHANNEL_T_MSG);
		CHECK(memcmp(rec + 1, body, sizes[i]) == 0);
		CHECK(final == 0);
		frame_free(&f);
	}

	/* The prefix bytes themselves for the smallest and largest frame. */
	seal_rec(&p.tx, CHANNEL_T_MSG, body, 0, 0, &f);
	CHECK(f.buf[0] == 0 && f.buf[1] == 0 && f.buf[2] == 0 &&
	    f.buf[3] == 1 + CHANNEL_ABYTES);
	CHECK(open_frame(&p.rx, &f, &rlen, &final) == CHANNEL_OK);
	frame_free(&f);
	seal_rec(&p.tx, CHANNEL_T_MSG, body, CHANNEL_BODY_MAX, 0, &f);
	CHECK(f.buf[0] == 0x00 && f.buf[1] == 0x01 && f.buf[2] == 0x00 &&
	    f.buf[3] == 1 + CHANNEL_ABYTES);
	CHECK(f.ct_len == CHANNEL_CT_MAX);
	CHECK(open_frame(&p.rx, &f, &rlen, &final) == CHANNEL_OK);
	CHECK(rlen == CHANNEL_RECORD_MAX && final == 0);
	frame_free(&f);

	pipe_free(&p);
	free(body);
}

/* channel_seal refuses empty and oversize records, and stays usable. */
static void
test_seal_limits(void)
{
	struct pipe p;
	struct frame f;
	uint8_t *big, out[CHANNEL_LEN_LEN + CHANNEL_ABYTES + 1];
	size_t len, rlen;
	int final;

	SETUP((big = malloc(CHANNEL_RECORD_MAX + 1)) != NULL);
	memset(big, 0, CHANNEL_RECORD_MAX + 1);
	big[0] = CHANNEL_T_MSG;
	pipe_new(&p);

	/* One byte over CHANNEL_RECORD_MAX; no record at all. */
	SETUP((f.buf = malloc(CHANNEL_RECORD_MAX + 1 + CHANNEL_LEN_LEN +
	    CHANNEL_ABYTES)) != NULL);
	CHECK(channel_seal(&p.tx, big, CHANNEL_RECORD_MAX + 1, 0, f.buf,
	    &len) == CHANNEL_E_LENGTH);
	free(f.buf);
	CHECK(channel_seal(&p.tx, big, 0, 0, out, &len) == CHANNEL_E_LENGTH);
	CHECK(channel_seal(&p.tx, big, 0, 1, out, &len) == CHANNEL_E_LENGTH);

	/* The refusals did not advance or end the stream. */
	seal_rec(&p.tx, CHANNEL_T_MSG, NULL, 0, 0, &f);
	CHECK(open_frame(&p.rx, &f, &rlen, &final) == CHANNEL_OK);
	CHECK(rlen == 1 && final == 0);
	frame_free(&f);

	/* Exactly CHANNEL_RECORD_MAX is fine. */
	CHECK(seal(&p.tx, big, CHANNEL_RECORD_MAX, 0, &f) == CHANNEL_OK);
	CHECK(open_frame(&p.rx, &f, &rlen, &final) == CHANNEL_OK);
	CHECK(rlen == CHANNEL_RECORD_MAX);
	frame_free(&f);

	pipe_free(&p);
	free(big);
}

/* Length prefixes out of bounds are refused; big-endian is decoded. */
static void
test_frame_length(void)
{
	static const uint32_t bad[] = {
		0, 1, CHANNEL_CT_MIN - 1, CHANNEL_CT_MAX + 1,
		CHANNEL_CT_MAX + 0x10000, 0x01000000, 0x12000000,
		0x7fffffff, 0x80000000, 0xffffffff
	};
	static const uint32_t good[] = {
		CHANNEL_CT_MIN, CHANNEL_CT_MIN + 1, 258, 1000,
		CHANNEL_CT_MAX - 1, CHANNEL_CT_MAX
	};
	uint8_t pfx[CHANNEL_LEN_LEN];
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pfx[0] = (uint8_t)(bad[i] >> 24);
		pfx[1] = (uint8_t)(bad[i] >> 16);
		pfx[2] = (uint8_t)(bad[i] >> 8);
		pfx[3] = (uint8_t)bad[i];
		CHECK(channel_frame_length(pfx, &len) == CHANNEL_E_LENGTH);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		pfx[0] = (uint8_t)(good[i] >> 24);
		pfx[1] = (uint8_t)(good[i] >> 16);
		pfx[2] = (uint8_t)(good[i] >> 8);
		pfx[3] = (uint8_t)good[i];
		len = 0;
		CHECK(channel_frame_length(pfx, &len) == CHANNEL_OK);
		CHECK(len == good[i]);
	}

	/* Byte order: 00 00 01 02 is 258, and 12 00 00 00 is too long. */
	memcpy(pfx, "\x00\x00\x01\x02", 4);
	CHECK(channel_frame_length(pfx, &len) == CHANNEL_OK && len == 258);
	memcpy(pfx, "\x12\x00\x00\x00", 4);
	CHECK(channel_frame_length(pfx, &len) == CHANNEL_E_LENGTH);
	memcpy(pfx, "\x00\x00\x00\x12", 4);
	CHECK(channel_frame_length(pfx, &len) == CHANNEL_OK && len == 18);
}

/* Check that ${rx} is dead: the next genuine frame ${f} fails. */
static void
check_dead(struct channel_dir *rx, const struct frame *f)
{
	size_t rlen;
	int final;

	CHECK(open_frame(rx, f, &rlen, &final) != CHANNEL_OK);
}

/* Flip bits in the frames: every change is found. */
static void
test_tamper(void)
{
	static const uint8_t msg[] = "hi";
	struct pipe p;
	struct frame f, f2;
	uint8_t *body;
	size_t pos, bit, rlen, n = 0, fails = 0;
	int final;

	/* A small frame: every bit of the ciphertext. */
	for (pos = 0; pos < 1 + 2 + CHANNEL_ABYTES; pos++) {
		for (bit = 0; bit < 8; bit++) {
			pipe_new(&p);
			seal_rec(&p.tx, CHANNEL_T_MSG, msg, 2, 0, &f);
			seal_rec(&p.tx, CHANNEL_T_MSG, msg, 2, 0, &f2);
			f.buf[CHANNEL_LEN_LEN + pos] ^= (uint8_t)(1 << bit);
			n++;
			if (open_frame(&p.rx, &f, &rlen, &final) ==
			    CHANNEL_E_AUTH)
				fails++;

			/* After the error nothing opens, not even the next. */
			f.buf[CHANNEL_LEN_LEN + pos] ^= (uint8_t)(1 << bit);
			check_dead(&p.rx, &f);
			check_dead(&p.rx, &f2);
			frame_free(&f);
			frame_free(&f2);
			pipe_free(&p);
		}
	}
	CHECK(n == 8 * (1 + 2 + CHANNEL_ABYTES) && fails == n);

	/* A large frame: a sample of bytes, and its first and last ones. */
	SETUP((body = malloc(CHANNEL_BODY_MAX)) != NULL);
	randombytes_buf(body, CHANNEL_BODY_MAX);
	n = fails = 0;
	for (pos = 0; pos < CHANNEL_CT_MAX; pos += (pos < 64 ||
	    pos >= CHANNEL_CT_MAX - 64) ? 1 : 997) {
		pipe_new(&p);
		seal_rec(&p.tx, CHANNEL_T_MSG, body, CHANNEL_BODY_MAX, 0, &f);
		f.buf[CHANNEL_LEN_LEN + pos] ^= (uint8_t)(1 << (pos % 8));
		n++;
		if (open_frame(&p.rx, &f, &rlen, &final) == CHANNEL_E_AUTH)
			fails++;
		frame_free(&f);
		pipe_free(&p);
	}
	CHECK(n > 128 && fails == n);
	free(body);
}

/* Replayed, reordered, dropped, truncated and foreign frames fail. */
static void
test_sequence(void)
{
	static const uint8_t m1[] = "one", m2[] = "two", m3[] = "three";
	struct pipe p, q;
	struct frame f1, f2, f3;
	struct channel_dir rx;
	uint8_t hdr[CHANNEL_HEADER_LEN], *big;
	size_t rlen;
	int final, r;

#define THREE(pp) do {							\
	pipe_new(pp);							\
	seal_rec(&(pp)->tx, CHANNEL_T_MSG, m1, 3, 0, &f1);		\
	seal_rec(&(pp)->tx, CHANNEL_T_MSG, m2, 3, 0, &f2);		\
	seal_rec(&(pp)->tx, CHANNEL_T_MSG, m3, 5, 0, &f3);		\
} while (0)
#define THREE_FREE(pp) do {						\
	frame_free(&f1);						\
	frame_free(&f2);						\
	frame_free(&f3);						\
	pipe_free(pp);							\
} while (0)

	/* In order: all three. */
	THREE(&p);
	CHECK(open_frame(&p.rx, &f1, &rlen, &final) == CHANNEL_OK &&
	    rlen == 4 && memcmp(rec + 1, m1, 3) == 0);
	CHECK(open_frame(&p.rx, &f2, &rlen, &final) == CHANNEL_OK &&
	    rlen == 4 && memcmp(rec + 1, m2, 3) == 0);
	CHECK(open_frame(&p.rx, &f3, &rlen, &final) == CHANNEL_OK &&
	    rlen == 6 && memcmp(rec + 1, m3, 5) == 0);
	THREE_FREE(&p);

	/* Replay: the same frame twice. */
	THREE(&p);
	CHECK(open_frame(&p.rx, &f1, &rlen, &final) == CHANNEL_OK);
	CHECK(open_frame(&p.rx, &f1, &rlen, &final) == CHANNEL_E_AUTH);
	check_dead(&p.rx, &f2);
	THREE_FREE(&p);

	/* Reordering: 2 before 1. */
	THREE(&p);
	CHECK(open_frame(&p.rx, &f2, &rlen, &final) == CHANNEL_E_AUTH);
	check_dead(&p.rx, &f1);
	THREE_FREE(&p);

	/* A dropped frame: 1 then 3. */
	THREE(&p);
	CHECK(open_frame(&p.rx, &f1, &rlen, &final) == CHANNEL_OK);
	CHECK(open_frame(&p.rx, &f3, &rlen, &final) == CHANNEL_E_AUTH);
	check_dead(&p.rx, &f2);
	THREE_FREE(&p);

	/* A truncated frame, and one with a byte appended. */
	THREE(&p);
	CHECK(open_len(&p.rx, &f1, f1.ct_len - 1, &rlen, &final) ==
	    CHANNEL_E_AUTH);
	check_dead(&p.rx, &f1);
	THREE_FREE(&p);
	pipe_new(&p);
	SETUP((f1.buf = malloc(CHANNEL_LEN_LEN + 4 + CHANNEL_ABYTES + 1)) !=
	    NULL);
	SETUP(channel_seal(&p.tx, (const uint8_t *)"\001abc", 4, 0, f1.buf,
	    &f1.len) == CHANNEL_OK);
	f1.ct_len = f1.len - CHANNEL_LEN_LEN;
	f1.buf[f1.len] = 0;
	CHECK(open_len(&p.rx, &f1, f1.ct_len + 1, &rlen, &final) ==
	    CHANNEL_E_AUTH);
	check_dead(&p.rx, &f1);
	frame_free(&f1);
	pipe_free(&p);

	/* Shorter than any frame, or longer: refused, and dead after. */
	THREE(&p);
	CHECK(open_len(&p.rx, &f1, CHANNEL_CT_MIN - 1, &rlen, &final) ==
	    CHANNEL_E_LENGTH);
	check_dead(&p.rx, &f1);
	THREE_FREE(&p);
	THREE(&p);
	SETUP((big = calloc(1, CHANNEL_CT_MAX + 1)) != NULL);
	memcpy(big, f1.buf + CHANNEL_LEN_LEN, f1.ct_len);
	CHECK(channel_open(&p.rx, big, CHANNEL_CT_MAX + 1, rec, &rlen,
	    &final) == CHANNEL_E_LENGTH);
	check_dead(&p.rx, &f1);
	free(big);
	THREE_FREE(&p);

	/* Another key. */
	THREE(&p);
	pipe_new(&q);
	SETUP(channel_rx_start(&rx, q.key, p.hdr) == CHANNEL_OK);
	CHECK(open_frame(&rx, &f1, &rlen, &final) == CHANNEL_E_AUTH);
	check_dead(&rx, &f1);

	/* The same key, another stream's header. */
	SETUP(channel_rx_start(&rx, p.key, q.hdr) == CHANNEL_OK);
	CHECK(open_frame(&rx, &f1, &rlen, &final) == CHANNEL_E_AUTH);

	/* The same key, a new stream: its frames do not fit the old one. */
	channel_tx_start(&q.tx, p.key, hdr);
	CHECK(memcmp(hdr, p.hdr, sizeof(hdr)) != 0);
	frame_free(&f3);
	seal_rec(&q.tx, CHANNEL_T_MSG, m3, 5, 0, &f3);
	CHECK(open_frame(&p.rx, &f3, &rlen, &final) == CHANNEL_E_AUTH);
	check_dead(&p.rx, &f1);

	/* A frame of the other direction's stream (another key). */
	SETUP(channel_rx_start(&q.rx, q.key, q.hdr) == CHANNEL_OK);
	CHECK(open_frame(&q.rx, &f2, &rlen, &final) == CHANNEL_E_AUTH);
	channel_dir_wipe(&rx);
	pipe_free(&q);
	THREE_FREE(&p);

	/* Restarting a direction after an error starts a new stream. */
	THREE(&p);
	CHECK(open_frame(&p.rx, &f2, &rlen, &final) == CHANNEL_E_AUTH);
	r = channel_rx_start(&p.rx, p.key, p.hdr);
	CHECK(r == CHANNEL_OK);
	CHECK(open_frame(&p.rx, &f1, &rlen, &final) == CHANNEL_OK);
	THREE_FREE(&p);
#undef THREE
#undef THREE_FREE
}

/* Seal ${len} bytes of ${r} with ${final} on a fresh pipe and open it. */
static int
one_record(const uint8_t *r, size_t len, int final, size_t *rlen,
    int *rfinal)
{
	struct pipe p;
	struct frame f, g;
	size_t glen;
	int gfinal, rc;

	pipe_new(&p);
	SETUP(seal(&p.tx, r, len, final, &f) == CHANNEL_OK);
	*rfinal = -1;
	rc = open_frame(&p.rx, &f, rlen, rfinal);

	/* After a refused record the stream is dead. */
	if (rc != CHANNEL_OK && !final) {
		seal_rec(&p.tx, CHANNEL_T_MSG, NULL, 0, 0, &g);
		CHECK(open_frame(&p.rx, &g, &glen, &gfinal) != CHANNEL_OK);
		frame_free(&g);
	}
	frame_free(&f);
	pipe_free(&p);
	return (rc);
}

/* FINAL, and which record types and bodies are accepted. */
static void
test_final(void)
{
	static const int unknown[] = { 0, 5, 9, 127, 128, 255 };
	uint8_t r[1 + CHANNEL_CLOSE_REASON_MAX + 2];
	struct pipe p;
	struct frame f, g;
	struct channel_dir tx2;
	size_t i, rlen, len;
	int final;

	memset(r, 'x', sizeof(r));

	/* CLOSE with FINAL: the last record of the stream. */
	pipe_new(&p);
	seal_rec(&p.tx, CHANNEL_T_MSG, (const uint8_t *)"a", 1, 0, &f);
	CHECK(open_frame(&p.rx, &f, &rlen, &final) == CHANNEL_OK);
	CHECK(final == 0);
	frame_free(&f);
	seal_rec(&p.tx, CHANNEL_T_CLOSE, (const uint8_t *)"bye", 3, 1, &f);
	final = 0;
	CHECK(open_frame(&p.rx, &f, &rlen, &final) == CHANNEL_OK);
	CHECK(final == 1 && rlen == 4 && rec[0] == CHANNEL_T_CLOSE &&
	    memcmp(rec + 1, "bye", 3) == 0);

	/* Nothing more may be sent ... */
	tx2 = p.tx;
	r[0] = CHANNEL_T_MSG;
	SETUP((g.buf = malloc(CHANNEL_LEN_LEN + 2 + CHANNEL_ABYTES)) != NULL);
	CHECK(channel_seal(&p.tx, r, 2, 0, g.buf, &len) == CHANNEL_E_FINISHED);
	CHECK(channel_seal(&p.tx, r, 2, 1, g.buf, &len) == CHANNEL_E_FINISHED);
	free(g.buf);

	/* ... nor received, even a frame that continues the stream. */
	tx2.finished = 0;
	seal_rec(&tx2, CHANNEL_T_MSG, (const uint8_t *)"late", 4, 0, &g);
	CHECK(open_frame(&p.rx, &g, &rlen, &final) != CHANNEL_OK);
	CHECK(open_frame(&p.rx, &f, &rlen, &final) != CHANNEL_OK);
	frame_free(&g);
	frame_free(&f);
	channel_dir_wipe(&tx2);
	pipe_free(&p);

	/* An empty CLOSE, and REFUSED with its reason. */
	r[0] = CHANNEL_T_CLOSE;
	CHECK(one_record(r, 1, 1, &rlen, &final) == CHANNEL_OK);
	CHECK(rlen == 1 && final == 1);
	r[0] = CHANNEL_T_REFUSED;
	r[1] = CHANNEL_REFUSE_NOT_ALLOWED;
	CHECK(one_record(r, 2, 1, &rlen, &final) == CHANNEL_OK);
	CHECK(rlen == 2 && final == 1 && rec[1] == CHANNEL_REFUSE_NOT_ALLOWED);

	/* FINAL only with CLOSE and REFUSED. */
	r[0] = CHANNEL_T_MSG;
	CHECK(one_record(r, 5, 1, &rlen, &final) == CHANNEL_E_FORMAT);
	CHECK(one_record(r, 1, 1, &rlen, &final) == CHANNEL_E_FORMAT);
	r[0] = CHANNEL_T_CLOSE;
	CHECK(one_record(r, 1, 0, &rlen, &final) == CHANNEL_E_FORMAT);
	CHECK(one_record(r, 4, 0, &rlen, &final) == CHANNEL_E_FORMAT);
	r[0] = CHANNEL_T_REFUSED;
	CHECK(one_record(r, 2, 0, &rlen, &final) == CHANNEL_E_FORMAT);
	r[0] = CHANNEL_T_PORT;
	CHECK(one_record(r, 3, 1, &rlen, &final) == CHANNEL_E_FORMAT);

	/* PORT: exactly 2 body bytes, no FINAL. */
	r[0] = CHANNEL_T_PORT;
	r[1] = 0x1f;
	r[2] = 0x90;
	CHECK(one_record(r, 3, 0, &rlen, &final) == CHANNEL_OK);
	CHECK(rlen == 3 && final == 0 && rec[1] == 0x1f && rec[2] == 0x90);
	CHECK(one_record(r, 1, 0, &rlen, &final) == CHANNEL_E_FORMAT);
	CHECK(one_record(r, 2, 0, &rlen, &final) == CHANNEL_E_FORMAT);
	CHECK(one_record(r, 4, 0, &rlen, &final) == CHANNEL_E_FORMAT);

	/* REFUSED: exactly 1 body byte, with FINAL. */
	r[0] = CHANNEL_T_REFUSED;
	CHECK(one_record(r, 1, 1, &rlen, &final) == CHANNEL_E_FORMAT);
	CHECK(one_record(r, 3, 1, &rlen, &final) == CHANNEL_E_FORMAT);

	/* Unknown types, with and without FINAL. */
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		r[0] = (uint8_t)unknown[i];
		CHECK(one_record(r, 1, 0, &rlen, &final) == CHANNEL_E_FORMAT);
		CHECK(one_record(r, 3, 0, &rlen, &final) == CHANNEL_E_FORMAT);
		CHECK(one_record(r, 2, 1, &rlen, &final) == CHANNEL_E_FORMAT);
	}

	/* A CLOSE reason up to CHANNEL_CLOSE_REASON_MAX bytes. */
	r[0] = CHANNEL_T_CLOSE;
	CHECK(one_record(r, 1 + CHANNEL_CLOSE_REASON_MAX, 1, &rlen,
	    &final) == CHANNEL_OK);
	CHECK(rlen == 1 + CHANNEL_CLOSE_REASON_MAX && final == 1);
	CHECK(one_record(r, 2 + CHANNEL_CLOSE_REASON_MAX, 1, &rlen,
	    &final) == CHANNEL_E_FORMAT);

	/* A secretstream tag channel_seal never uses (PUSH, REKEY). */
	for (i = 0; i < 2; i++) {
		unsigned long long clen;

		pipe_new(&p);
		SETUP((f.buf = malloc(CHANNEL_LEN_LEN + 2 +
		    CHANNEL_ABYTES)) != NULL);
		r[0] = CHANNEL_T_MSG;
		SETUP(crypto_secretstream_xchacha20poly1305_push(&p.tx.st,
		    f.buf + CHANNEL_LEN_LEN, &clen, r, 2, NULL, 0, i == 0 ?
		    crypto_secretstream_xchacha20poly1305_TAG_PUSH :
		    crypto_secretstream_xchacha20poly1305_TAG_REKEY) == 0);
		f.ct_len = (size_t)clen;
		CHECK(open_frame(&p.rx, &f, &rlen, &final) ==
		    CHANNEL_E_FORMAT);
		frame_free(&f);
		pipe_free(&p);
	}
}

/* A stream cut short never shows FINAL to the receiver. */
static void
test_truncation(void)
{
	struct pipe p;
	struct frame f[3];
	size_t i, rlen;
	int final, seen_final = 0;

	pipe_new(&p);
	seal_rec(&p.tx, CHANNEL_T_MSG, (const uint8_t *)"a", 1, 0, &f[0]);
	seal_rec(&p.tx, CHANNEL_T_MSG, (const uint8_t *)"b", 1, 0, &f[1]);
	seal_rec(&p.tx, CHANNEL_T_CLOSE, NULL, 0, 1, &f[2]);

	/* The connection ends before the CLOSE: no frame said FINAL. */
	for (i = 0; i < 2; i++) {
		final = -1;
		CHECK(open_frame(&p.rx, &f[i], &rlen, &final) == CHANNEL_OK);
		CHECK(final == 0);
		if (final)
			seen_final = 1;
	}
	CHECK(!seen_final);

	/* Only the CLOSE ends it. */
	CHECK(open_frame(&p.rx, &f[2], &rlen, &final) == CHANNEL_OK);
	CHECK(final == 1);
	for (i = 0; i < 3; i++)
		frame_free(&f[i]);
	pipe_free(&p);
}

/* A garbage header is not caught at start, but its stream opens nothing. */
static void
test_garbage_header(void)
{
	struct pipe p;
	struct frame f;
	struct channel_dir rx;
	uint8_t hdr[CHANNEL_HEADER_LEN];
	size_t i, rlen;
	int rc, final;

	for (i = 0; i < 4; i++) {
		pipe_new(&p);
		seal_rec(&p.tx, CHANNEL_T_MSG, (const uint8_t *)"x", 1, 0, &f);
		switch (i) {
		case 0:
			randombytes_buf(hdr, sizeof(hdr));
			break;
		case 1:
			memset(hdr, 0, sizeof(hdr));
			break;
		case 2:
			memset(hdr, 0xff, sizeof(hdr));
			break;
		default:
			memcpy(hdr, p.hdr, sizeof(hdr));
			hdr[sizeof(hdr) - 1] ^= 0x80;
			break;
		}
		rc = channel_rx_start(&rx, p.key, hdr);
		CHECK(rc == CHANNEL_OK || rc == CHANNEL_E_AUTH);
		if (rc == CHANNEL_OK)
			CHECK(open_frame(&rx, &f, &rlen, &final) ==
			    CHANNEL_E_AUTH);
		channel_dir_wipe(&rx);

		/* The right header would have opened it. */
		CHECK(open_frame(&p.rx, &f, &rlen, &final) == CHANNEL_OK);
		frame_free(&f);
		pipe_free(&p);
	}
}

/* Directions never started, or wiped, refuse to work. */
static void
test_unstarted(void)
{
	struct channel_dir d;
	struct pipe p;
	struct frame f;
	uint8_t out[CHANNEL_LEN_LEN + 2 + CHANNEL_ABYTES];
	size_t len, rlen;
	int final;

	memset(&d, 0, sizeof(d));
	CHECK(channel_seal(&d, (const uint8_t *)"\001x", 2, 0, out, &len) ==
	    CHANNEL_E_STATE);
	memset(out, 0, sizeof(out));
	CHECK(channel_open(&d, out, sizeof(out) - CHANNEL_LEN_LEN, rec,
	    &rlen, &final) == CHANNEL_E_STATE);

	/* channel_dir_wipe leaves an unstarted direction. */
	pipe_new(&p);
	seal_rec(&p.tx, CHANNEL_T_MSG, (const uint8_t *)"x", 1, 0, &f);
	channel_dir_wipe(&p.tx);
	channel_dir_wipe(&p.rx);
	CHECK(channel_seal(&p.tx, (const uint8_t *)"\001x", 2, 0, out,
	    &len) == CHANNEL_E_STATE);
	CHECK(open_frame(&p.rx, &f, &rlen, &final) == CHANNEL_E_STATE);
	frame_free(&f);
	pipe_free(&p);
}

/* Every result code has its own description. */
static void
test_strerror(void)
{
	const char *d[6], *unknown;
	int r, i, j;

	unknown = channel_strerror(-99);
	CHECK(unknown != NULL);
	CHECK(channel_strerror(1) != NULL && channel_strerror(-6) != NULL);
	for (r = CHANNEL_OK; r >= CHANNEL_E_STATE; r--) {
		i = -r;
		d[i] = channel_strerror(r);
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
	SETUP((rec = malloc(CHANNEL_RECORD_MAX)) != NULL);

	test_roundtrip();
	test_seal_limits();
	test_frame_length();
	test_tamper();
	test_sequence();
	test_final();
	test_truncation();
	test_garbage_header();
	test_unstarted();
	test_strerror();

	free(rec);
	return (test_exit("test_channel"));
}
