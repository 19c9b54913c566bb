#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "key.h"
#include "proto.h"
#include "fuzz_util.h"

/*
 * Write the binary seed inputs of the handshake and frame targets into
 * DIR/TARGET/NAME: the messages of the genuine handshake between the fixed
 * keys of fuzz_util.c, in the layout each target reads, and a few broken
 * ones.  Run once, when the fixed keys or the protocol change:
 *	tests/fuzz/mkcorpus tests/fuzz/corpus
 * The key file and server.ini seeds are text files written by hand.
 */

/* The largest seed written. */
#define SEED_MAX	512

/* A seed being built. */
struct seed {
	uint8_t b[SEED_MAX];
	size_t len;
};

static const char *outdir;

/* Start ${s} with the mode byte ${mode}. */
static struct seed *
seed_start(struct seed *s, int mode)
{

	s->b[0] = (uint8_t)mode;
	s->len = 1;
	return (s);
}

/* Append ${len} bytes of ${p} to ${s}. */
static void
seed_add(struct seed *s, const void *p, size_t len)
{

	fuzz_check(s->len + len <= SEED_MAX, "seed too large");
	memcpy(s->b + s->len, p, len);
	s->len += len;
}

/* Write ${len} bytes of ${p} as DIR/${target}/${name}. */
static void
put(const char *target, const char *name, const void *p, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	fuzz_check(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir");
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	fuzz_check((f = fopen(path, "wb")) != NULL, "fopen");
	fuzz_check(fwrite(p, 1, len, f) == len && fclose(f) == 0, "write");
}

/* Write the seed ${s} as DIR/${target}/${name}. */
static void
put_seed(const char *target, const char *name, const struct seed *s)
{

	put(target, name, s->b, s->len);
}

/* Seeds of fuzz_hello: no mode byte, the HELLO itself. */
static void
hello_seeds(const struct fuzz_fixed *f)
{
	uint8_t m[PROTO_HELLO_LEN], err[PROTO_ERROR_LEN];

	put("hello", "genuine", f->hello, sizeof(f->hello));
	memcpy(m, f->hello, sizeof(m));
	m[4] = 2;
	put("hello", "version-2", m, sizeof(m));
	memcpy(m, f->hello, sizeof(m));
	memset(m + PROTO_HDR_LEN, 0, 32);
	put("hello", "low-order-e", m, sizeof(m));
	memcpy(m, f->hello, sizeof(m));
	m[7]++;
	put("hello", "wrong-length", m, sizeof(m));
	proto_error_message(PROTO_ERRCODE_BUSY, err);
	put("hello", "error", err, sizeof(err));
}

/* Seeds of fuzz_reply: mode byte, then the REPLY or a key. */
static void
reply_seeds(const struct fuzz_fixed *f)
{
	uint8_t err[PROTO_ERROR_LEN], mask[21];
	struct seed s;

	seed_add(seed_start(&s, 0), f->reply, sizeof(f->reply));
	put_seed("reply", "raw-genuine", &s);
	proto_error_message(PROTO_ERRCODE_VERSION, err);
	seed_add(seed_start(&s, 0), err, sizeof(err));
	put_seed("reply", "raw-error", &s);
	seed_add(seed_start(&s, 1), f->server->sec, KEY_LEN);
	put_seed("reply", "server-fixed", &s);
	seed_add(seed_start(&s, 0x80 | 1), f->client->pub, KEY_LEN);
	put_seed("reply", "server-other-unpinned", &s);
	memset(mask, 0, sizeof(mask));
	mask[20] = 0x40;
	seed_add(seed_start(&s, 1), f->client->pub, KEY_LEN);
	seed_add(&s, mask, sizeof(mask));
	put_seed("reply", "server-other-changed", &s);
	seed_add(seed_start(&s, 2), f->server->pub, KEY_LEN);
	put_seed("reply", "impostor-same", &s);
	seed_add(seed_start(&s, 2), f->client->pub, KEY_LEN);
	put_seed("reply", "impostor-other", &s);
}

/* Seeds of fuzz_auth: mode byte, then the AUTH or a key. */
static void
auth_seeds(const struct fuzz_fixed *f)
{
	uint8_t mask[PROTO_AUTH_LEN];
	struct seed s;

	seed_add(seed_start(&s, 0), f->auth, sizeof(f->auth));
	put_seed("auth", "raw-genuine", &s);
	seed_add(seed_start(&s, 0), f->auth, PROTO_HDR_LEN + 20);
	put_seed("auth", "raw-short", &s);
	seed_add(seed_start(&s, 1), f->client->sec, KEY_LEN);
	put_seed("auth", "client-fixed", &s);
	memset(mask, 0, sizeof(mask));
	mask[PROTO_AUTH_LEN - 1] = 0x80;
	seed_add(seed_start(&s, 1), f->server->pub, KEY_LEN);
	seed_add(&s, mask, sizeof(mask));
	put_seed("auth", "client-other-changed", &s);
	seed_add(seed_start(&s, 2), f->client->pub, KEY_LEN);
	put_seed("auth", "impostor-same", &s);
	seed_add(seed_start(&s, 2), f->server->pub, KEY_LEN);
	put_seed("auth", "impostor-other", &s);
}

/* Seal ${rec} (${len} bytes) on ${tx} and append the frame to ${s}. */
static void
add_frame(struct seed *s, struct channel_dir *tx, const char *rec,
    size_t len, int final)
{
	uint8_t out[64];
	size_t out_len;

	fuzz_check(len + CHANNEL_LEN_LEN + CHANNEL_ABYTES <= sizeof(out) &&
	    channel_seal(tx, (const uint8_t *)rec, len, final, out,
	    &out_len) == CHANNEL_OK, "channel_seal");
	seed_add(s, out, out_len);
}

/* Seeds of fuzz_frame: raw streams and scripts. */
static void
frame_seeds(const struct fuzz_fixed *f)
{
	static const uint8_t script[] = {
		CHANNEL_T_MSG, 0, 5, 0,
		CHANNEL_T_PORT, 0, 2, 0,
		CHANNEL_T_CLOSE, 0, 3, 0x01
	};
	static const uint8_t damaged[] = {
		CHANNEL_T_MSG, 0, 1, 0,
		CHANNEL_T_MSG, 0, 2, 0x08,
		CHANNEL_T_MSG, 0, 3, 0x10,
		CHANNEL_T_MSG, 0, 4, 0x02,
		CHANNEL_T_REFUSED, 0, 1, 0x01
	};
	static const uint8_t bounds[] = {
		CHANNEL_T_MSG, 1, 0, 0x80,
		CHANNEL_T_MSG, 1, 1, 0x80,
		CHANNEL_T_MSG, 0, 0, 0x40,
		CHANNEL_T_CLOSE, 0, 201, 0x01,
		CHANNEL_T_MSG, 0, 0, 0x20
	};
	uint8_t header[CHANNEL_HEADER_LEN], bad[4] = { 0xff, 0xff, 0xff, 0xff };
	struct channel_dir tx;
	struct seed s;

	/* A genuine client stream: header, two messages, CLOSE. */
	channel_tx_start(&tx, f->cs.tx_key, header);
	seed_add(seed_start(&s, 0), header, sizeof(header));
	add_frame(&s, &tx, "\001hello", 6, 0);
	add_frame(&s, &tx, "\001", 1, 0);
	add_frame(&s, &tx, "\004bye", 4, 1);
	put_seed("frame", "raw-genuine", &s);
	s.len = 1 + sizeof(header);
	seed_add(&s, bad, sizeof(bad));
	put_seed("frame", "raw-huge-length", &s);
	channel_dir_wipe(&tx);

	/* Scripts. */
	seed_add(seed_start(&s, 1), script, sizeof(script));
	put_seed("frame", "script-port-close", &s);
	seed_add(seed_start(&s, 1), damaged, sizeof(damaged));
	put_seed("frame", "script-damaged", &s);
	seed_add(seed_start(&s, 1), bounds, sizeof(bounds));
	put_seed("frame", "script-bounds", &s);
}

/* Seeds of fuzz_datahello: mode byte, then the message or a header. */
static void
datahello_seeds(const struct fuzz_fixed *f)
{
	struct seed s;

	seed_add(seed_start(&s, 0), f->data_hello, sizeof(f->data_hello));
	put_seed("datahello", "raw-genuine", &s);
	s.b[1 + PROTO_HDR_LEN + 5] ^= 0x01;
	put_seed("datahello", "raw-bad-token", &s);
	seed_add(seed_start(&s, 1), f->c2s_header, sizeof(f->c2s_header));
	put_seed("datahello", "client", &s);
}

int
main(int argc, char *argv[])
{
	const struct fuzz_fixed *f;

	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus corpus-directory\n");
		return (64);
	}
	outdir = argv[1];
	f = fuzz_init();
	hello_seeds(f);
	reply_seeds(f);
	auth_seeds(f);
	frame_seeds(f);
	datahello_seeds(f);
	return (0);
}
