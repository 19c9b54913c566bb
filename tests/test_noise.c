#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "noise.h"
#include "test.h"

/*
 * Unit tests for noise.c: the cacophony known-answer vectors for
 * 25519_ChaChaPoly_BLAKE2b (XX and IK) reproduced byte for byte, then
 * tamper, truncation, low-order, turn-order and cipher-state tests.
 */

TEST_DEFINE_GLOBALS;

#define VECTORS_FILE	"tests/vectors/noise-25519-chachapoly-blake2b.json"
#define NAME_XX		"Noise_XX_25519_ChaChaPoly_BLAKE2b"
#define NAME_IK		"Noise_IK_25519_ChaChaPoly_BLAKE2b"
#define MAXVEC		8	/* vectors in the file */
#define MAXMSG		16	/* messages in a vector */
#define MAXBUF		1024	/* bytes in a payload or a ciphertext */

/* One message of a vector. */
struct tmsg {
	uint8_t payload[MAXBUF];
	size_t payload_len;
	uint8_t ct[MAXBUF];
	size_t ct_len;
};

/* One vector. */
struct tvec {
	char name[64];
	uint8_t iprologue[MAXBUF];
	size_t iprologue_len;
	uint8_t rprologue[MAXBUF];
	size_t rprologue_len;
	uint8_t istatic[NOISE_DHLEN];
	uint8_t iephem[NOISE_DHLEN];
	uint8_t irs[NOISE_DHLEN];
	int has_irs;
	uint8_t rstatic[NOISE_DHLEN];
	uint8_t rephem[NOISE_DHLEN];
	uint8_t hash[NOISE_HASHLEN];
	unsigned int have;		/* bit set of the fields seen */
	struct tmsg msgs[MAXMSG];
	size_t nmsgs;
};
#define HAVE_ALL	0xff		/* the 8 required fields */

/* A cursor over the JSON text. */
struct scan {
	const char *p;
	const char *end;
};

/* Fixed keys for the negative tests: [0] initiator, [1] responder. */
static uint8_t tk_s[2][NOISE_DHLEN];
static uint8_t tk_spub[2][NOISE_DHLEN];
static uint8_t tk_e[2][NOISE_DHLEN];

static const uint8_t PAYLOAD[] = "hello";
#define PAYLOAD_LEN	(sizeof(PAYLOAD) - 1)

/* Skip white space. */
static void
sc_ws(struct scan *sc)
{

	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' ||
	    *sc->p == '\n' || *sc->p == '\r'))
		sc->p++;
}

/* Consume the character ${c} after white space; -1 if it is not there. */
static int
sc_char(struct scan *sc, char c)
{

	sc_ws(sc);
	if (sc->p >= sc->end || *sc->p != c)
		return (-1);
	sc->p++;
	return (0);
}

/* Read a string without escapes: point ${s} at it, ${len} its length. */
static int
sc_string(struct scan *sc, const char **s, size_t *len)
{

	if (sc_char(sc, '"'))
		return (-1);
	*s = sc->p;
	while (sc->p < sc->end && *sc->p != '"') {
		if (*sc->p == '\\')
			return (-1);
		sc->p++;
	}
	if (sc->p >= sc->end)
		return (-1);
	*len = (size_t)(sc->p - *s);
	sc->p++;
	return (0);
}

/* Step to the next list element before ${close}: 1 if any, 0 at end. */
static int
sc_next(struct scan *sc, char close, int *first)
{

	sc_ws(sc);
	if (sc->p < sc->end && *sc->p == close) {
		sc->p++;
		return (0);
	}
	if (!*first && sc_char(sc, ','))
		return (-1);
	*first = 0;
	return (1);
}

/* Read a "key": pair prefix; return 0 and the key, or -1. */
static int
sc_key(struct scan *sc, const char **k, size_t *klen)
{

	if (sc_string(sc, k, klen) || sc_char(sc, ':'))
		return (-1);
	return (0);
}

/* Does the key ${k} (length ${klen}) equal ${name}? */
static int
keyis(const char *k, size_t klen, const char *name)
{

	return (strlen(name) == klen && memcmp(k, name, klen) == 0);
}

/* Decode hex ${s} into ${bin} (at most ${max} bytes); -1 on bad hex. */
static int
hexvar(const char *s, size_t len, uint8_t *bin, size_t max, size_t *bin_len)
{
	const char *end;

	if (sodium_hex2bin(bin, max, s, len, NULL, bin_len, &end) != 0 ||
	    end != s + len)
		return (-1);
	return (0);
}

/* Decode hex ${s} into exactly ${n} bytes at ${bin}. */
static int
hexfix(const char *s, size_t len, uint8_t *bin, size_t n)
{
	size_t bin_len;

	if (hexvar(s, len, bin, n, &bin_len) || bin_len != n)
		return (-1);
	return (0);
}

/* Parse one {payload, ciphertext} object into ${m}. */
static int
parse_msg(struct scan *sc, struct tmsg *m)
{
	const char *k, *v;
	size_t klen, vlen;
	int first = 1, r, seen = 0;

	if (sc_char(sc, '{'))
		return (-1);
	while ((r = sc_next(sc, '}', &first)) == 1) {
		if (sc_key(sc, &k, &klen) || sc_string(sc, &v, &vlen))
			return (-1);
		if (keyis(k, klen, "payload")) {
			if (hexvar(v, vlen, m->payload, MAXBUF,
			    &m->payload_len))
				return (-1);
			seen |= 1;
		} else if (keyis(k, klen, "ciphertext")) {
			if (hexvar(v, vlen, m->ct, MAXBUF, &m->ct_len))
				return (-1);
			seen |= 2;
		}
	}
	return ((r == 0 && seen == 3) ? 0 : -1);
}

/* Parse the "messages" array into ${v}. */
static int
parse_msgs(struct scan *sc, struct tvec *v)
{
	int first = 1, r;

	if (sc_char(sc, '['))
		return (-1);
	while ((r = sc_next(sc, ']', &first)) == 1) {
		if (v->nmsgs == MAXMSG || parse_msg(sc, &v->msgs[v->nmsgs]))
			return (-1);
		v->nmsgs++;
	}
	return (r);
}

/* Store the string field ${k} = ${s} of a vector; ignore unknown keys. */
static int
set_field(struct tvec *v, const char *k, size_t klen, const char *s,
    size_t len)
{
	int r = 0;

	if (keyis(k, klen, "protocol_name")) {
		if (len >= sizeof(v->name))
			return (-1);
		memcpy(v->name, s, len);
		v->name[len] = '\0';
		v->have |= 0x01;
	} else if (keyis(k, klen, "init_prologue")) {
		r = hexvar(s, len, v->iprologue, MAXBUF, &v->iprologue_len);
		v->have |= 0x02;
	} else if (keyis(k, klen, "resp_prologue")) {
		r = hexvar(s, len, v->rprologue, MAXBUF, &v->rprologue_len);
		v->have |= 0x04;
	} else if (keyis(k, klen, "init_static")) {
		r = hexfix(s, len, v->istatic, NOISE_DHLEN);
		v->have |= 0x08;
	} else if (keyis(k, klen, "init_ephemeral")) {
		r = hexfix(s, len, v->iephem, NOISE_DHLEN);
		v->have |= 0x10;
	} else if (keyis(k, klen, "resp_static")) {
		r = hexfix(s, len, v->rstatic, NOISE_DHLEN);
		v->have |= 0x20;
	} else if (keyis(k, klen, "resp_ephemeral")) {
		r = hexfix(s, len, v->rephem, NOISE_DHLEN);
		v->have |= 0x40;
	} else if (keyis(k, klen, "handshake_hash")) {
		r = hexfix(s, len, v->hash, NOISE_HASHLEN);
		v->have |= 0x80;
	} else if (keyis(k, klen, "init_remote_static")) {
		r = hexfix(s, len, v->irs, NOISE_DHLEN);
		v->has_irs = 1;
	}
	return (r);
}

/* Parse one vector object into ${v}. */
static int
parse_vector(struct scan *sc, struct tvec *v)
{
	const char *k, *s;
	size_t klen, len;
	int first = 1, r;

	if (sc_char(sc, '{'))
		return (-1);
	while ((r = sc_next(sc, '}', &first)) == 1) {
		if (sc_key(sc, &k, &klen))
			return (-1);
		if (keyis(k, klen, "messages")) {
			if (parse_msgs(sc, v))
				return (-1);
		} else if (sc_string(sc, &s, &len) ||
		    set_field(v, k, klen, s, len))
			return (-1);
	}
	return ((r == 0 && v->have == HAVE_ALL) ? 0 : -1);
}

/* Parse the top-level object into ${vecs}; -1 on any syntax error. */
static int
parse_file(struct scan *sc, struct tvec *vecs, size_t *nvecs)
{
	const char *k, *s;
	size_t klen, len;
	int first = 1, vfirst, r;

	if (sc_char(sc, '{'))
		return (-1);
	while ((r = sc_next(sc, '}', &first)) == 1) {
		if (sc_key(sc, &k, &klen))
			return (-1);
		if (!keyis(k, klen, "vectors")) {
			if (sc_string(sc, &s, &len))
				return (-1);
			continue;
		}
		if (sc_char(sc, '['))
			return (-1);
		vfirst = 1;
		while ((r = sc_next(sc, ']', &vfirst)) == 1) {
			if (*nvecs == MAXVEC || parse_vector(sc, &vecs[*nvecs]))
				return (-1);
			(*nvecs)++;
		}
		if (r != 0)
			return (-1);
	}
	sc_ws(sc);
	return ((r == 0 && sc->p == sc->end) ? 0 : -1);
}

/* Read the file ${path} into a NUL-terminated buffer; NULL on failure. */
static char *
read_file(const char *path, size_t *len)
{
	FILE *f;
	char *buf;
	long sz;

	if ((f = fopen(path, "r")) == NULL)
		goto err0;
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		goto err1;
	if ((buf = malloc((size_t)sz + 1)) == NULL)
		goto err1;
	if (fread(buf, 1, (size_t)sz, f) != (size_t)sz)
		goto err2;
	buf[sz] = '\0';
	*len = (size_t)sz;
	fclose(f);
	return (buf);

err2:
	free(buf);
err1:
	fclose(f);
err0:
	return (NULL);
}

/* Handshake message ${m}: ${w} writes it, ${r} reads it; 0 if all match. */
static int
kat_hs_msg(struct noise_hs *w, struct noise_hs *r, const struct tmsg *m)
{
	uint8_t buf[MAXBUF], pt[MAXBUF];
	size_t len = 0, plen = 0;
	int before = test_failures;

	CHECK(noise_hs_write(w, m->payload, m->payload_len, buf, sizeof(buf),
	    &len) == 0);
	CHECK(len == m->ct_len && memcmp(buf, m->ct, len) == 0);
	CHECK(noise_hs_read(r, m->ct, m->ct_len, pt, sizeof(pt), &plen) == 0);
	CHECK(plen == m->payload_len && memcmp(pt, m->payload, plen) == 0);
	return (test_failures == before ? 0 : -1);
}

/* Transport message ${m}: encrypt with ${sc}, decrypt with ${rc}. */
static int
kat_transport_msg(struct noise_cipher *sc, struct noise_cipher *rc,
    const struct tmsg *m)
{
	uint8_t buf[MAXBUF + NOISE_TAGLEN], pt[MAXBUF];
	int before = test_failures;

	CHECK(m->ct_len == m->payload_len + NOISE_TAGLEN);
	if (m->ct_len != m->payload_len + NOISE_TAGLEN)
		return (-1);
	CHECK(noise_cipher_encrypt(sc, NULL, 0, m->payload, m->payload_len,
	    buf) == 0);
	CHECK_MEM(buf, m->ct, m->ct_len);
	CHECK(noise_cipher_decrypt(rc, NULL, 0, m->ct, m->ct_len, pt) == 0);
	CHECK_MEM(pt, m->payload, m->payload_len);
	return (test_failures == before ? 0 : -1);
}

/* End of a vector's handshake: check the hash, split both sides. */
static void
kat_finish(struct noise_hs *hs[2], const uint8_t hash[NOISE_HASHLEN],
    struct noise_cipher cs[2][2])
{
	uint8_t h[NOISE_HASHLEN];
	int i;

	for (i = 0; i < 2; i++) {
		CHECK(noise_hs_done(hs[i]));
		noise_hs_hash(hs[i], h);
		CHECK_MEM(h, hash, NOISE_HASHLEN);
		CHECK(noise_hs_split(hs[i], &cs[i][0], &cs[i][1]) == 0);
	}
	CHECK_MEM(cs[0][0].k, cs[1][0].k, NOISE_KEYLEN);
	CHECK_MEM(cs[0][1].k, cs[1][1].k, NOISE_KEYLEN);
}

/* Run vector ${v}; add the messages that matched to ${nmsgs}. */
static int
kat_run(const struct tvec *v, enum noise_pattern pat, int *nmsgs)
{
	struct noise_hs *hs[2];
	struct noise_cipher cs[2][2];
	size_t i, nhs = (pat == NOISE_PATTERN_XX) ? 3 : 2;
	int snd, before = test_failures;

	/* Both sides, with the vector's ephemerals. */
	memset(cs, 0, sizeof(cs));
	hs[0] = noise_hs_new(pat, 1, v->iprologue, v->iprologue_len,
	    v->istatic, v->has_irs ? v->irs : NULL);
	hs[1] = noise_hs_new(pat, 0, v->rprologue, v->rprologue_len,
	    v->rstatic, NULL);
	CHECK(hs[0] != NULL && hs[1] != NULL);
	if (hs[0] == NULL || hs[1] == NULL)
		goto done;
	CHECK(noise_hs_set_ephemeral(hs[0], v->iephem) == 0);
	CHECK(noise_hs_set_ephemeral(hs[1], v->rephem) == 0);

	/* The initiator sends the even messages, the responder the odd. */
	CHECK(v->nmsgs > nhs);
	for (i = 0; i < v->nmsgs; i++) {
		snd = (int)(i % 2);
		if (i < nhs) {
			if (kat_hs_msg(hs[snd], hs[1 - snd], &v->msgs[i]) == 0)
				(*nmsgs)++;
			if (i + 1 == nhs)
				kat_finish(hs, v->hash, cs);
		} else if (kat_transport_msg(&cs[snd][snd],
		    &cs[1 - snd][snd], &v->msgs[i]) == 0)
			(*nmsgs)++;
	}

done:
	noise_hs_free(hs[0]);
	noise_hs_free(hs[1]);
	sodium_memzero(cs, sizeof(cs));
	return (test_failures == before ? 0 : -1);
}

/* Check every vector of the cacophony file. */
static void
test_vectors(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	struct scan sc;
	struct tvec *vecs;
	char *buf;
	size_t len, nvecs = 0, i;
	enum noise_pattern pat;
	int nchecked = 0, nmsgs = 0, seen_xx = 0, seen_ik = 0;

	/* Read and parse the file. */
	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", VECTORS_FILE);
	buf = read_file(path, &len);
	CHECK(buf != NULL);
	if (buf == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		return;
	}
	if ((vecs = calloc(MAXVEC, sizeof(*vecs))) == NULL)
		abort();
	sc.p = buf;
	sc.end = buf + len;
	CHECK(parse_file(&sc, vecs, &nvecs) == 0);

	/* Run the XX and IK vectors. */
	for (i = 0; i < nvecs; i++) {
		if (strcmp(vecs[i].name, NAME_XX) == 0) {
			seen_xx = 1;
			pat = NOISE_PATTERN_XX;
		} else if (strcmp(vecs[i].name, NAME_IK) == 0) {
			seen_ik = 1;
			pat = NOISE_PATTERN_IK;
		} else
			continue;
		if (kat_run(&vecs[i], pat, &nmsgs) == 0)
			nchecked++;
	}
	CHECK(seen_xx && seen_ik && nchecked > 0);
	printf("test_noise: %d vectors, %d messages checked\n", nchecked,
	    nmsgs);
	free(vecs);
	free(buf);
}

/* Create a pair for ${pat} with the fixed keys (and ephemerals if ${fix}). */
static void
pair_new(enum noise_pattern pat, int fix, struct noise_hs *hs[2])
{

	hs[0] = noise_hs_new(pat, 1, (const uint8_t *)"p", 1, tk_s[0],
	    tk_spub[1]);
	hs[1] = noise_hs_new(pat, 0, (const uint8_t *)"p", 1, tk_s[1], NULL);
	if (hs[0] == NULL || hs[1] == NULL)
		abort();
	if (fix && (noise_hs_set_ephemeral(hs[0], tk_e[0]) ||
	    noise_hs_set_ephemeral(hs[1], tk_e[1])))
		abort();
}

/* Free a pair. */
static void
pair_free(struct noise_hs *hs[2])
{

	noise_hs_free(hs[0]);
	noise_hs_free(hs[1]);
}

/* Exchange messages ${from} .. ${to} - 1; 0 if all succeed. */
static int
exchange(struct noise_hs *hs[2], int from, int to)
{
	uint8_t buf[MAXBUF], pt[MAXBUF];
	size_t len, plen;
	int i;

	for (i = from; i < to; i++) {
		if (noise_hs_write(hs[i % 2], PAYLOAD, PAYLOAD_LEN, buf,
		    sizeof(buf), &len))
			return (-1);
		if (noise_hs_read(hs[1 - i % 2], buf, len, pt, sizeof(pt),
		    &plen))
			return (-1);
		if (plen != PAYLOAD_LEN || memcmp(pt, PAYLOAD, plen) != 0)
			return (-1);
	}
	return (0);
}

/* Start an XX pair, run messages before ${k}, and write message ${k}. */
static size_t
xx_upto(struct noise_hs *hs[2], int k, uint8_t msg[MAXBUF])
{
	size_t len;

	pair_new(NOISE_PATTERN_XX, 1, hs);
	if (exchange(hs, 0, k) || noise_hs_write(hs[k % 2], PAYLOAD,
	    PAYLOAD_LEN, msg, MAXBUF, &len))
		abort();
	return (len);
}

/* Read ${msg} as XX message ${k}; 0 if it and the rest succeed. */
static int
xx_finish(struct noise_hs *hs[2], int k, const uint8_t *msg, size_t len)
{
	uint8_t pt[MAXBUF];
	size_t plen;

	if (noise_hs_read(hs[1 - k % 2], msg, len, pt, sizeof(pt), &plen))
		return (-1);
	return (exchange(hs, k + 1, 3));
}

/* Flip each byte of each XX message: the handshake must fail. */
static void
test_flip(void)
{
	struct noise_hs *hs[2];
	uint8_t msg[MAXBUF], pt[MAXBUF];
	size_t len, pos, plen;
	int k;

	for (k = 0; k < 3; k++) {
		len = xx_upto(hs, k, msg);
		pair_free(hs);
		for (pos = 0; pos < len; pos++) {
			xx_upto(hs, k, msg);
			msg[pos] ^= (uint8_t)(1 << (pos % 8));

			/*
			 * Message 1 has no tag: the responder accepts it,
			 * but the initiator then rejects message 2.  Later
			 * messages are rejected by their reader.
			 */
			if (k == 0) {
				CHECK(xx_finish(hs, k, msg, len) != 0);
				CHECK(!noise_hs_done(hs[0]));
			} else {
				CHECK(noise_hs_read(hs[1 - k % 2], msg, len,
				    pt, sizeof(pt), &plen) != 0);
				CHECK(!noise_hs_done(hs[1 - k % 2]));
				CHECK(noise_hs_write(hs[1 - k % 2], NULL, 0,
				    msg, sizeof(msg), &plen) != 0);
			}
			pair_free(hs);
		}
	}
}

/* Truncated, extended and too-small-buffer handshake messages fail. */
static void
test_truncate(void)
{
	struct noise_hs *hs[2];
	uint8_t msg[MAXBUF], pt[MAXBUF];
	size_t len, l, plen;
	int k;

	for (k = 0; k < 3; k++) {
		len = xx_upto(hs, k, msg);
		pair_free(hs);

		/* Message 1's payload may shrink; its e may not. */
		for (l = 0; l < (k == 0 ? NOISE_DHLEN : len + 2); l++) {
			if (l == len)
				continue;
			xx_upto(hs, k, msg);
			msg[len] = 0;
			CHECK(xx_finish(hs, k, msg, l) != 0);
			pair_free(hs);
		}

		/* A payload buffer one byte too small. */
		xx_upto(hs, k, msg);
		CHECK(noise_hs_read(hs[1 - k % 2], msg, len, pt,
		    PAYLOAD_LEN - 1, &plen) != 0);
		pair_free(hs);
	}
}

/* Low-order points, all giving an all-zero X25519 result. */
static const uint8_t low_order[][NOISE_DHLEN] = {
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
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f }
};
#define NLOW	(sizeof(low_order) / sizeof(low_order[0]))

/* A low-order remote ephemeral is rejected. */
static void
test_low_order(void)
{
	struct noise_hs *hs[2];
	uint8_t msg[MAXBUF], pt[MAXBUF];
	size_t len, plen, i;

	for (i = 0; i < NLOW; i++) {
		/* XX msg 1 = low-order e: the responder cannot write msg 2. */
		pair_new(NOISE_PATTERN_XX, 0, hs);
		CHECK(noise_hs_read(hs[1], low_order[i], NOISE_DHLEN, pt,
		    sizeof(pt), &plen) == 0);
		CHECK(noise_hs_write(hs[1], NULL, 0, msg, sizeof(msg),
		    &len) != 0);
		CHECK(noise_hs_write(hs[1], NULL, 0, msg, sizeof(msg),
		    &len) != 0);
		pair_free(hs);

		/* XX msg 2 with a low-order e: the initiator rejects it. */
		len = xx_upto(hs, 1, msg);
		memcpy(msg, low_order[i], NOISE_DHLEN);
		CHECK(xx_finish(hs, 1, msg, len) != 0);
		pair_free(hs);

		/* IK msg 1 with a low-order e: es fails at the responder. */
		pair_new(NOISE_PATTERN_IK, 0, hs);
		CHECK(noise_hs_write(hs[0], PAYLOAD, PAYLOAD_LEN, msg,
		    sizeof(msg), &len) == 0);
		memcpy(msg, low_order[i], NOISE_DHLEN);
		CHECK(noise_hs_read(hs[1], msg, len, pt, sizeof(pt),
		    &plen) != 0);
		pair_free(hs);
	}
}

/* Writing or reading out of turn fails and kills the handshake. */
static void
test_turns(void)
{
	struct noise_hs *hs[2];
	struct noise_cipher c1, c2;
	uint8_t msg[MAXBUF], pt[MAXBUF], rs[NOISE_DHLEN];
	size_t len, plen;

	/* The responder may not write first; after that it is dead. */
	pair_new(NOISE_PATTERN_XX, 0, hs);
	CHECK(noise_hs_write(hs[1], NULL, 0, msg, sizeof(msg), &len) != 0);
	CHECK(noise_hs_write(hs[0], NULL, 0, msg, sizeof(msg), &len) == 0);
	CHECK(noise_hs_read(hs[1], msg, len, pt, sizeof(pt), &plen) != 0);
	pair_free(hs);

	/* The initiator may not read first, nor write twice in a row. */
	pair_new(NOISE_PATTERN_XX, 0, hs);
	CHECK(noise_hs_read(hs[0], msg, NOISE_DHLEN, pt, sizeof(pt),
	    &plen) != 0);
	CHECK(noise_hs_write(hs[0], NULL, 0, msg, sizeof(msg), &len) != 0);
	pair_free(hs);
	pair_new(NOISE_PATTERN_XX, 0, hs);
	CHECK(noise_hs_write(hs[0], NULL, 0, msg, sizeof(msg), &len) == 0);
	CHECK(noise_hs_write(hs[0], NULL, 0, msg, sizeof(msg), &len) != 0);
	pair_free(hs);

	/* Nothing more after the last message; then everything fails. */
	pair_new(NOISE_PATTERN_IK, 0, hs);
	CHECK(exchange(hs, 0, 2) == 0);
	CHECK(noise_hs_remote_static(hs[0], rs) == 0);
	CHECK(noise_hs_write(hs[0], NULL, 0, msg, sizeof(msg), &len) != 0);
	CHECK(noise_hs_write(hs[1], NULL, 0, msg, sizeof(msg), &len) != 0);
	CHECK(!noise_hs_done(hs[0]) && !noise_hs_done(hs[1]));
	CHECK(noise_hs_remote_static(hs[0], rs) != 0);
	CHECK(noise_hs_split(hs[0], &c1, &c2) != 0);
	pair_free(hs);

	/* An output buffer too small, or a payload too large. */
	pair_new(NOISE_PATTERN_XX, 0, hs);
	CHECK(noise_hs_write(hs[0], PAYLOAD, PAYLOAD_LEN, msg,
	    NOISE_DHLEN + PAYLOAD_LEN - 1, &len) != 0);
	pair_free(hs);
	pair_new(NOISE_PATTERN_XX, 0, hs);
	CHECK(noise_hs_write(hs[0], msg, NOISE_MAXMSG, msg, sizeof(msg),
	    &len) != 0);
	pair_free(hs);
}

/* Split only after the handshake; the ephemeral may be set only once. */
static void
test_split_early(void)
{
	struct noise_hs *hs[2];
	struct noise_cipher c1, c2;

	pair_new(NOISE_PATTERN_XX, 1, hs);
	CHECK(noise_hs_set_ephemeral(hs[0], tk_e[1]) != 0);
	CHECK(noise_hs_split(hs[0], &c1, &c2) != 0);
	CHECK(noise_hs_split(hs[1], &c1, &c2) != 0);
	CHECK(exchange(hs, 0, 2) == 0);
	CHECK(noise_hs_split(hs[0], &c1, &c2) != 0);
	CHECK(noise_hs_split(hs[1], &c1, &c2) != 0);
	CHECK(exchange(hs, 2, 3) == 0);
	CHECK(noise_hs_split(hs[0], &c1, &c2) == 0);
	CHECK(noise_hs_split(hs[1], &c1, &c2) == 0);
	noise_cipher_wipe(&c1);
	noise_cipher_wipe(&c2);
	CHECK(c1.has_key == 0 && c2.has_key == 0);
	pair_free(hs);
	noise_hs_free(NULL);
}

/* A full handshake with random keys; both sides agree. */
static void
test_random(enum noise_pattern pat)
{
	struct noise_hs *hs[2];
	struct noise_cipher c[2][2];
	uint8_t h0[NOISE_HASHLEN], h1[NOISE_HASHLEN], rs[NOISE_DHLEN];

	/* XX: the initiator does not know rs before message 2. */
	pair_new(pat, 0, hs);
	CHECK((noise_hs_remote_static(hs[0], rs) != 0) ==
	    (pat == NOISE_PATTERN_XX));
	CHECK(noise_hs_remote_static(hs[1], rs) != 0);
	CHECK(exchange(hs, 0, pat == NOISE_PATTERN_XX ? 3 : 2) == 0);
	CHECK(noise_hs_done(hs[0]) && noise_hs_done(hs[1]));

	/* Same hash, same keys, each other's static key. */
	noise_hs_hash(hs[0], h0);
	noise_hs_hash(hs[1], h1);
	CHECK_MEM(h0, h1, NOISE_HASHLEN);
	CHECK(noise_hs_split(hs[0], &c[0][0], &c[0][1]) == 0);
	CHECK(noise_hs_split(hs[1], &c[1][0], &c[1][1]) == 0);
	CHECK_MEM(c[0][0].k, c[1][0].k, NOISE_KEYLEN);
	CHECK_MEM(c[0][1].k, c[1][1].k, NOISE_KEYLEN);
	CHECK(memcmp(c[0][0].k, c[0][1].k, NOISE_KEYLEN) != 0);
	CHECK(noise_hs_remote_static(hs[0], rs) == 0);
	CHECK_MEM(rs, tk_spub[1], NOISE_DHLEN);
	CHECK(noise_hs_remote_static(hs[1], rs) == 0);
	CHECK_MEM(rs, tk_spub[0], NOISE_DHLEN);
	pair_free(hs);
	sodium_memzero(c, sizeof(c));
}

/* Transport: failed decryption keeps the nonce; nonce exhaustion. */
static void
test_cipher(void)
{
	struct noise_cipher s, r, none;
	uint8_t ct[PAYLOAD_LEN + NOISE_TAGLEN], pt[PAYLOAD_LEN];

	/* A tampered message, wrong ad or short message: n stays. */
	randombytes_buf(s.k, NOISE_KEYLEN);
	s.n = 0;
	s.has_key = 1;
	r = s;
	CHECK(noise_cipher_encrypt(&s, (const uint8_t *)"ad", 2, PAYLOAD,
	    PAYLOAD_LEN, ct) == 0 && s.n == 1);
	ct[0] ^= 1;
	CHECK(noise_cipher_decrypt(&r, (const uint8_t *)"ad", 2, ct,
	    sizeof(ct), pt) != 0 && r.n == 0);
	ct[0] ^= 1;
	CHECK(noise_cipher_decrypt(&r, (const uint8_t *)"ax", 2, ct,
	    sizeof(ct), pt) != 0 && r.n == 0);
	CHECK(noise_cipher_decrypt(&r, (const uint8_t *)"ad", 2, ct,
	    NOISE_TAGLEN - 1, pt) != 0 && r.n == 0);
	CHECK(noise_cipher_decrypt(&r, (const uint8_t *)"ad", 2, ct,
	    sizeof(ct), pt) == 0 && r.n == 1);
	CHECK_MEM(pt, PAYLOAD, PAYLOAD_LEN);

	/* A replay fails (wrong nonce). */
	CHECK(noise_cipher_decrypt(&r, (const uint8_t *)"ad", 2, ct,
	    sizeof(ct), pt) != 0 && r.n == 1);

	/* 2^64 - 2 is the last nonce; 2^64 - 1 is an error. */
	s.n = r.n = UINT64_MAX - 1;
	CHECK(noise_cipher_encrypt(&s, NULL, 0, PAYLOAD, PAYLOAD_LEN,
	    ct) == 0);
	CHECK(noise_cipher_decrypt(&r, NULL, 0, ct, sizeof(ct), pt) == 0);
	CHECK(s.n == UINT64_MAX && r.n == UINT64_MAX);
	CHECK(noise_cipher_encrypt(&s, NULL, 0, PAYLOAD, PAYLOAD_LEN,
	    ct) != 0);
	CHECK(noise_cipher_decrypt(&r, NULL, 0, ct, sizeof(ct), pt) != 0);

	/* No key, no cipher. */
	memset(&none, 0, sizeof(none));
	CHECK(noise_cipher_encrypt(&none, NULL, 0, PAYLOAD, PAYLOAD_LEN,
	    ct) != 0);
	CHECK(noise_cipher_decrypt(&none, NULL, 0, ct, sizeof(ct), pt) != 0);
	noise_cipher_wipe(&s);
	noise_cipher_wipe(&r);
}

/* HKDF: the first two of three outputs are the two-output ones. */
static void
test_hkdf(void)
{
	uint8_t ck[NOISE_HASHLEN], a[3][NOISE_HASHLEN], b[2][NOISE_HASHLEN];

	randombytes_buf(ck, sizeof(ck));
	noise_hkdf(ck, (const uint8_t *)"ikm", 3, a[0], a[1], a[2]);
	noise_hkdf(ck, (const uint8_t *)"ikm", 3, b[0], b[1], NULL);
	CHECK_MEM(a[0], b[0], NOISE_HASHLEN);
	CHECK_MEM(a[1], b[1], NOISE_HASHLEN);
	CHECK(memcmp(a[1], a[2], NOISE_HASHLEN) != 0);

	/* The output may overwrite the chaining key. */
	noise_hkdf(ck, (const uint8_t *)"ikm", 3, ck, b[1], NULL);
	CHECK_MEM(ck, a[0], NOISE_HASHLEN);
}

int
main(void)
{
	int i;

	if (sodium_init() < 0)
		return (1);

	/* Known answers. */
	test_vectors();

	/* Fixed random keys for the negative tests. */
	for (i = 0; i < 2; i++) {
		randombytes_buf(tk_s[i], NOISE_DHLEN);
		randombytes_buf(tk_e[i], NOISE_DHLEN);
		if (crypto_scalarmult_base(tk_spub[i], tk_s[i]))
			abort();
	}

	test_hkdf();
	test_flip();
	test_truncate();
	test_low_order();
	test_turns();
	test_split_early();
	test_random(NOISE_PATTERN_XX);
	test_random(NOISE_PATTERN_IK);
	test_cipher();

	return (test_exit("test_noise"));
}
