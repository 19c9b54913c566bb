#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "channel.h"
#include "key.h"
#include "noise.h"
#include "proto.h"
#include "test.h"

/*
 * The known answers of docs/PROTOCOL.md: read the "name = hex" lines of its
 * vectors block, recompute every value with the library from the inputs
 * stated there, and compare byte for byte.  Fails if the file or the block
 * is missing, if a line is missing, unknown, repeated or malformed, or if a
 * value differs, so that the document and the code cannot drift apart.
 */

TEST_DEFINE_GLOBALS;

#define DOC_FILE	"docs/PROTOCOL.md"
#define FENCE_OPEN	"```vectors"
#define FENCE_CLOSE	"```"
#define VEC_MAX		128	/* longest value, in bytes */

/* The vectors of the block. */
enum {
	V_CS, V_SS, V_CE, V_SE, V_SH,
	V_CSP, V_SSP, V_CEP, V_SEP,
	V_HELLO, V_REPLY, V_AUTH,
	V_HASH, V_K1, V_K2, V_CTX, V_STX, V_TK, V_TOKEN,
	V_DATA_HELLO,
	V_CH_HEADER, V_CH_FRAME1, V_CH_REC1, V_CH_FRAME2, V_CH_REC2,
	V_COUNT
};

/* One vector: its name, its exact length, and its value once read. */
struct vec {
	const char *name;
	size_t len;
	uint8_t val[VEC_MAX];
	int seen;
};

/* The channel records of the decryption vector: MSG "hello", then CLOSE. */
static const uint8_t REC1[] = { CHANNEL_T_MSG, 'h', 'e', 'l', 'l', 'o' };
static const uint8_t REC2[] = { CHANNEL_T_CLOSE };
#define FRAME_LEN(r)	(CHANNEL_LEN_LEN + CHANNEL_ABYTES + sizeof(r))

static struct vec vecs[V_COUNT] = {
	[V_CS] = { "client_static_secret", 32, { 0 }, 0 },
	[V_SS] = { "server_static_secret", 32, { 0 }, 0 },
	[V_CE] = { "client_ephemeral_secret", 32, { 0 }, 0 },
	[V_SE] = { "server_ephemeral_secret", 32, { 0 }, 0 },
	[V_SH] = { "c2s_stream_header", PROTO_STREAM_HDR_LEN, { 0 }, 0 },
	[V_CSP] = { "client_static_public", 32, { 0 }, 0 },
	[V_SSP] = { "server_static_public", 32, { 0 }, 0 },
	[V_CEP] = { "client_ephemeral_public", 32, { 0 }, 0 },
	[V_SEP] = { "server_ephemeral_public", 32, { 0 }, 0 },
	[V_HELLO] = { "hello", PROTO_HELLO_LEN, { 0 }, 0 },
	[V_REPLY] = { "reply", PROTO_REPLY_LEN, { 0 }, 0 },
	[V_AUTH] = { "auth", PROTO_AUTH_LEN, { 0 }, 0 },
	[V_HASH] = { "handshake_hash", NOISE_HASHLEN, { 0 }, 0 },
	[V_K1] = { "split_k1", NOISE_KEYLEN, { 0 }, 0 },
	[V_K2] = { "split_k2", NOISE_KEYLEN, { 0 }, 0 },
	[V_CTX] = { "client_tx_key", 32, { 0 }, 0 },
	[V_STX] = { "server_tx_key", 32, { 0 }, 0 },
	[V_TK] = { "token_key", 32, { 0 }, 0 },
	[V_TOKEN] = { "token", PROTO_TOKEN_LEN, { 0 }, 0 },
	[V_DATA_HELLO] = { "data_hello", PROTO_DATA_HELLO_LEN, { 0 }, 0 },
	[V_CH_HEADER] = { "channel_header", CHANNEL_HEADER_LEN, { 0 }, 0 },
	[V_CH_FRAME1] = { "channel_frame_1", FRAME_LEN(REC1), { 0 }, 0 },
	[V_CH_REC1] = { "channel_record_1", sizeof(REC1), { 0 }, 0 },
	[V_CH_FRAME2] = { "channel_frame_2", FRAME_LEN(REC2), { 0 }, 0 },
	[V_CH_REC2] = { "channel_record_2", sizeof(REC2), { 0 }, 0 }
};

/* What the handshake gave each side. */
struct result {
	struct key_pair *ck, *sk;
	uint8_t msg_hello[PROTO_HELLO_LEN];
	uint8_t msg_reply[PROTO_REPLY_LEN];
	uint8_t msg_auth[PROTO_AUTH_LEN];
	struct proto_session cs, ss;
};

/* Read the file ${path} into a NUL-terminated buffer; NULL on failure. */
static char *
read_file(const char *path)
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
	fclose(f);
	return (buf);

err2:
	free(buf);
err1:
	fclose(f);
err0:
	return (NULL);
}

/* Report a bad line ${lineno} of the block, and count a failure. */
static void
bad_line(int lineno, const char *why, const char *line, size_t len)
{

	fprintf(stderr, "%s:%d: %s: %.*s\n", DOC_FILE, lineno, why,
	    (int)len, line);
	CHECK(0);
}

/* Parse the vector line ${line} (${len} bytes, no newline). */
static void
parse_line(int lineno, const char *line, size_t len)
{
	const char *eq;
	size_t nlen, bin_len;
	const char *end;
	int i;

	/* "name = hex": find the name, and its vector. */
	if ((eq = memchr(line, ' ', len)) == NULL ||
	    (size_t)(eq - line) + 3 > len || memcmp(eq, " = ", 3) != 0) {
		bad_line(lineno, "not 'name = hex'", line, len);
		return;
	}
	nlen = (size_t)(eq - line);
	for (i = 0; i < V_COUNT; i++)
		if (strlen(vecs[i].name) == nlen &&
		    memcmp(vecs[i].name, line, nlen) == 0)
			break;
	if (i == V_COUNT) {
		bad_line(lineno, "unknown vector", line, len);
		return;
	}
	if (vecs[i].seen) {
		bad_line(lineno, "repeated vector", line, len);
		return;
	}

	/* The value: exactly the vector's length in hex, nothing after. */
	eq += 3;
	if (sodium_hex2bin(vecs[i].val, sizeof(vecs[i].val), eq,
	    (size_t)(line + len - eq), NULL, &bin_len, &end) != 0 ||
	    end != line + len || bin_len != vecs[i].len) {
		bad_line(lineno, "bad hex or wrong length", line, len);
		return;
	}
	vecs[i].seen = 1;
}

/* Parse the vectors block of the document ${doc}; 0, or -1 if absent. */
static int
parse_doc(const char *doc)
{
	const char *line = doc, *nl;
	size_t len;
	int lineno = 0, state = 0;

	/* State 0: before the block; 1: in it; 2: after it. */
	for (; *line != '\0'; line = (*nl == '\0') ? nl : nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line);
		len = (size_t)(nl - line);
		lineno++;
		if (len == strlen(FENCE_OPEN) &&
		    memcmp(line, FENCE_OPEN, len) == 0) {
			if (state != 0)
				bad_line(lineno, "second vectors block", line,
				    len);
			state = 1;
		} else if (state == 1 && len == strlen(FENCE_CLOSE) &&
		    memcmp(line, FENCE_CLOSE, len) == 0) {
			state = 2;
		} else if (state == 1 && len > 0 && line[0] != '#') {
			parse_line(lineno, line, len);
		}
	}
	if (state != 2)
		fprintf(stderr, "%s: no complete '%s' block\n", DOC_FILE,
		    FENCE_OPEN);
	return (state == 2 ? 0 : -1);
}

/* Check that the document's vector ${i} equals ${got}, and say if not. */
static void
check_value(int i, const uint8_t *got)
{
	char doc_hex[2 * VEC_MAX + 1], got_hex[2 * VEC_MAX + 1];
	int ok = (memcmp(vecs[i].val, got, vecs[i].len) == 0);

	if (!ok) {
		sodium_bin2hex(doc_hex, sizeof(doc_hex), vecs[i].val,
		    vecs[i].len);
		sodium_bin2hex(got_hex, sizeof(got_hex), got, vecs[i].len);
		fprintf(stderr, "vector %s differs:\n  document %s\n"
		    "  code     %s\n", vecs[i].name, doc_hex, got_hex);
	}
	CHECK(ok);
}

/* Check that input ${i} is ${byte} repeated, as the document's text says. */
static void
check_input(int i, uint8_t byte)
{
	uint8_t want[VEC_MAX];

	memset(want, byte, vecs[i].len);
	check_value(i, want);
}

/* Run the handshake from the documented inputs into ${r}; 0 or -1. */
static int
run_handshake(struct result *r)
{
	struct proto_hs *c = NULL, *s = NULL;
	int ok = 0;

	/* Long-term key pairs; the client pins the server's key. */
	r->ck = key_pair_from_secret(vecs[V_CS].val, NULL);
	r->sk = key_pair_from_secret(vecs[V_SS].val, NULL);
	if (r->ck == NULL || r->sk == NULL)
		goto done;
	c = proto_client_new(r->ck, r->sk->pub);
	s = proto_server_new(r->sk);
	if (c == NULL || s == NULL)
		goto done;

	/* The fixed ephemerals, then the three messages and the sessions. */
	ok = proto_hs_set_test_keys(c, vecs[V_CE].val, NULL) == PROTO_OK &&
	    proto_hs_set_test_keys(s, vecs[V_SE].val, NULL) == PROTO_OK &&
	    proto_client_hello(c, r->msg_hello) == PROTO_OK &&
	    proto_server_reply(s, r->msg_hello, r->msg_reply) == PROTO_OK &&
	    proto_client_read_reply(c, r->msg_reply) == PROTO_OK &&
	    proto_client_auth(c, r->msg_auth) == PROTO_OK &&
	    proto_server_read_auth(s, r->msg_auth) == PROTO_OK &&
	    proto_hs_session(c, &r->cs) == PROTO_OK &&
	    proto_hs_session(s, &r->ss) == PROTO_OK;

done:
	proto_hs_free(c);
	proto_hs_free(s);
	CHECK(ok);
	return (ok ? 0 : -1);
}

/* Check the public keys and the three handshake messages of ${r}. */
static void
check_messages(const struct result *r)
{
	uint8_t pub[32];

	check_value(V_CSP, r->ck->pub);
	check_value(V_SSP, r->sk->pub);
	CHECK(crypto_scalarmult_base(pub, vecs[V_CE].val) == 0);
	check_value(V_CEP, pub);
	CHECK(crypto_scalarmult_base(pub, vecs[V_SE].val) == 0);
	check_value(V_SEP, pub);
	check_value(V_HELLO, r->msg_hello);
	check_value(V_REPLY, r->msg_reply);
	check_value(V_AUTH, r->msg_auth);
}

/* Check the keys, the token and DATA_HELLO of both sides of ${r}. */
static void
check_session(const struct result *r)
{
	uint8_t msg[PROTO_DATA_HELLO_LEN], hdr[PROTO_STREAM_HDR_LEN];

	/* Both sides agree, and the client's side matches the document. */
	CHECK_MEM(r->cs.hash, r->ss.hash, NOISE_HASHLEN);
	CHECK_MEM(r->cs.tx_key, r->ss.rx_key, 32);
	CHECK_MEM(r->cs.rx_key, r->ss.tx_key, 32);
	CHECK_MEM(r->cs.token, r->ss.token, PROTO_TOKEN_LEN);
	CHECK_MEM(r->cs.peer, r->sk->pub, 32);
	CHECK_MEM(r->ss.peer, r->ck->pub, 32);
	check_value(V_HASH, r->cs.hash);
	check_value(V_CTX, r->cs.tx_key);
	check_value(V_STX, r->ss.tx_key);
	check_value(V_TOKEN, r->cs.token);

	/* DATA_HELLO, and the server's check of the document's one. */
	proto_data_hello(&r->cs, vecs[V_SH].val, msg);
	check_value(V_DATA_HELLO, msg);
	CHECK(proto_data_check(&r->ss, vecs[V_DATA_HELLO].val, hdr) ==
	    PROTO_OK);
	CHECK_MEM(hdr, vecs[V_SH].val, PROTO_STREAM_HDR_LEN);
}

/* Derive a subkey as the document spells out crypto_kdf_derive_from_key. */
static void
doc_kdf(uint8_t out[32], uint64_t id, const char ctx[8],
    const uint8_t key[32])
{
	uint8_t salt[crypto_generichash_blake2b_SALTBYTES] = { 0 };
	uint8_t personal[crypto_generichash_blake2b_PERSONALBYTES] = { 0 };
	int i;

	/* salt = LE64(id) || zeros; personal = context || zeros. */
	for (i = 0; i < 8; i++)
		salt[i] = (uint8_t)(id >> (8 * i));
	memcpy(personal, ctx, 8);
	CHECK(crypto_generichash_blake2b_salt_personal(out, 32, NULL, 0, key,
	    32, salt, personal) == 0);
}

/*
 * Check the split keys with a bare Noise handshake from the same inputs,
 * then every derived key from them with the formulas of the document.
 */
static void
check_schedule(void)
{
	struct noise_hs *hs[2];
	struct noise_cipher c1, c2;
	uint8_t msg[256], h[NOISE_HASHLEN], k[32];
	size_t len, plen;
	int i, ok = 1;

	/* The handshake: client [0] writes messages 0 and 2. */
	hs[0] = noise_hs_new(NOISE_PATTERN_XX, 1,
	    (const uint8_t *)PROTO_PROLOGUE, strlen(PROTO_PROLOGUE),
	    vecs[V_CS].val, NULL);
	hs[1] = noise_hs_new(NOISE_PATTERN_XX, 0,
	    (const uint8_t *)PROTO_PROLOGUE, strlen(PROTO_PROLOGUE),
	    vecs[V_SS].val, NULL);
	if (hs[0] == NULL || hs[1] == NULL ||
	    noise_hs_set_ephemeral(hs[0], vecs[V_CE].val) ||
	    noise_hs_set_ephemeral(hs[1], vecs[V_SE].val))
		ok = 0;
	for (i = 0; ok && i < 3; i++)
		ok = noise_hs_write(hs[i % 2], NULL, 0, msg, sizeof(msg),
		    &len) == 0 && noise_hs_read(hs[1 - i % 2], msg, len, NULL,
		    0, &plen) == 0;
	CHECK(ok);
	if (ok) {
		noise_hs_hash(hs[0], h);
		check_value(V_HASH, h);
		CHECK(noise_hs_split(hs[0], &c1, &c2) == 0);
		check_value(V_K1, c1.k);
		check_value(V_K2, c2.k);

		/* The document's KDF and token, from the split keys. */
		doc_kdf(k, 1, "SCstream", c1.k);
		check_value(V_CTX, k);
		doc_kdf(k, 1, "SCstream", c2.k);
		check_value(V_STX, k);
		doc_kdf(k, 2, "SCdataTK", c1.k);
		check_value(V_TK, k);
		crypto_generichash(h, PROTO_TOKEN_LEN, vecs[V_HASH].val,
		    NOISE_HASHLEN, k, sizeof(k));
		check_value(V_TOKEN, h);
	}
	noise_hs_free(hs[0]);
	noise_hs_free(hs[1]);
}

/* Open the document's frame ${f} from ${d}: record ${rec}, FINAL ${final}. */
static void
check_frame(struct channel_dir *d, int f, int rec, int final)
{
	static uint8_t record[CHANNEL_RECORD_MAX];
	size_t ct_len = 0, record_len = 0;
	int got_final = -1;

	CHECK(channel_frame_length(vecs[f].val, &ct_len) == CHANNEL_OK);
	CHECK(ct_len == vecs[f].len - CHANNEL_LEN_LEN);
	CHECK(channel_open(d, vecs[f].val + CHANNEL_LEN_LEN,
	    vecs[f].len - CHANNEL_LEN_LEN, record, &record_len, &got_final) ==
	    CHANNEL_OK);
	CHECK(record_len == vecs[rec].len);
	CHECK(got_final == final);
	check_value(rec, record);
}

/* Check the channel decryption vector with the receiver's key of ${r}. */
static void
check_channel(const struct result *r)
{
	struct channel_dir rx;

	/* The records are MSG "hello" and an empty CLOSE, as documented. */
	check_value(V_CH_REC1, REC1);
	check_value(V_CH_REC2, REC2);

	/* The server's receiving direction opens both frames, in order. */
	CHECK(channel_rx_start(&rx, r->ss.rx_key, vecs[V_CH_HEADER].val) ==
	    CHANNEL_OK);
	check_frame(&rx, V_CH_FRAME1, V_CH_REC1, 0);
	check_frame(&rx, V_CH_FRAME2, V_CH_REC2, 1);
	channel_dir_wipe(&rx);
}

/* Check that the document shows ${pub}'s public line and fingerprint. */
static void
check_text_forms(const char *doc, const uint8_t pub[KEY_LEN])
{
	char line[KEY_LINE_MAX + 1], fp[KEY_FP_LEN];

	key_format_public(pub, NULL, line);
	key_fingerprint(pub, fp);
	if (strstr(doc, line) == NULL)
		fprintf(stderr, "%s does not show '%s'\n", DOC_FILE, line);
	CHECK(strstr(doc, line) != NULL);
	if (strstr(doc, fp) == NULL)
		fprintf(stderr, "%s does not show '%s'\n", DOC_FILE, fp);
	CHECK(strstr(doc, fp) != NULL);
}

/* Read the document and check every vector in it. */
static void
test_document(void)
{
	const char *top = getenv("top_srcdir");
	struct result r;
	char path[4096];
	char *doc;
	int i, missing = 0;

	/* Read the document and its vectors; all of them must be there. */
	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", DOC_FILE);
	if ((doc = read_file(path)) == NULL)
		fprintf(stderr, "cannot read %s\n", path);
	CHECK(doc != NULL);
	if (doc == NULL)
		return;
	CHECK(parse_doc(doc) == 0);
	for (i = 0; i < V_COUNT; i++) {
		if (!vecs[i].seen) {
			fprintf(stderr, "%s: vector %s is missing\n", path,
			    vecs[i].name);
			missing = 1;
		}
		CHECK(vecs[i].seen);
	}
	if (missing)
		goto out;

	/* The inputs are those the text states. */
	check_input(V_CS, 0x01);
	check_input(V_SS, 0x02);
	check_input(V_CE, 0x03);
	check_input(V_SE, 0x04);
	check_input(V_SH, 0x05);

	/* Recompute and compare. */
	memset(&r, 0, sizeof(r));
	if (run_handshake(&r) == 0) {
		check_messages(&r);
		check_session(&r);
		check_channel(&r);
		check_text_forms(doc, r.sk->pub);
		check_text_forms(doc, r.ck->pub);
	}
	check_schedule();
	proto_session_wipe(&r.cs);
	proto_session_wipe(&r.ss);
	key_pair_free(r.ck);
	key_pair_free(r.sk);

out:
	free(doc);
}

int
main(void)
{

	if (sodium_init() < 0)
		return (1);
	test_document();
	return (test_exit("test_vectors"));
}
