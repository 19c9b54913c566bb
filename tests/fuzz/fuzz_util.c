#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "channel.h"
#include "key.h"
#include "proto.h"
#include "fuzz_util.h"

/*
 * The fixed keys are derived from labels, so that the seed corpora, which
 * hold messages of the genuine handshake, stay valid from run to run.  The
 * random stream is randombytes_buf_deterministic under a counter that
 * fuzz_init restarts for each input: what an input does depends on the
 * input alone.
 */

/* The private temporary directory, made by mkdtemp. */
#define TMPDIR_TEMPLATE	"/tmp/secchat-fuzz.XXXXXX"

/* Set by the first fuzz_init. */
static struct fuzz_fixed fixed;
static int initialised;

/* Blocks drawn from the random stream since the last restart. */
static uint64_t rng_count;

/* The private temporary directory, and the path fuzz_file returns. */
static char tmpdir[PATH_MAX];
static char tmppath[PATH_MAX];

/* Name the random stream. */
static const char *
rng_name(void)
{

	return ("secchat-fuzz-fixed");
}

/* Fill ${buf} with the next ${size} bytes of the random stream. */
static void
rng_buf(void *buf, size_t size)
{
	uint8_t seed[randombytes_SEEDBYTES];

	/* Each request gets its own block, seeded by its number. */
	memset(seed, 0, sizeof(seed));
	memcpy(seed, &rng_count, sizeof(rng_count));
	rng_count++;
	randombytes_buf_deterministic(buf, size, seed);
}

/* Return the next 32 bits of the random stream. */
static uint32_t
rng_random(void)
{
	uint32_t v;

	rng_buf(&v, sizeof(v));
	return (v);
}

/* libsodium takes a non-const pointer; stir, uniform and close default. */
static struct randombytes_implementation rng_impl = {
	.implementation_name = rng_name,
	.random = rng_random,
	.buf = rng_buf
};

/**
 * fuzz_check(cond, what):
 * If ${cond} is zero, print "invariant failed: ${what}" and abort.
 */
void
fuzz_check(int cond, const char *what)
{

	if (cond)
		return;
	fprintf(stderr, "invariant failed: %s\n", what);
	abort();
}

/**
 * fuzz_buf(data, size, len):
 * Return a heap buffer of exactly ${len} bytes holding the first ${len}
 * bytes of ${data} (${size} bytes), padded with zeros.  Aborts if out of
 * memory.  The caller frees it.
 */
uint8_t *
fuzz_buf(const uint8_t *data, size_t size, size_t len)
{
	uint8_t *p;

	/* malloc(0) may return NULL: ask for one byte then. */
	if ((p = malloc(len > 0 ? len : 1)) == NULL)
		fuzz_check(0, "out of memory");
	memset(p, 0, len);
	if (size > 0 && len > 0)
		memcpy(p, data, size < len ? size : len);
	return (p);
}

/* Remove the private temporary directory and what it holds. */
static void
tmpdir_remove(void)
{
	DIR *d;
	struct dirent *de;
	char p[PATH_MAX];

	if ((d = opendir(tmpdir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name) <
		    (int)sizeof(p))
			(void)unlink(p);
	}
	closedir(d);
	(void)rmdir(tmpdir);
}

/*
 * Create the private temporary directory, always under /tmp: the config
 * target resolves paths against it, so its length must not depend on
 * $TMPDIR if a crash is to replay anywhere.
 */
static void
tmpdir_create(void)
{

	snprintf(tmpdir, sizeof(tmpdir), "%s", TMPDIR_TEMPLATE);
	fuzz_check(mkdtemp(tmpdir) != NULL, "mkdtemp");
	fuzz_check(atexit(tmpdir_remove) == 0, "atexit");
}

/**
 * fuzz_file(name, data, size):
 * Write ${data} (${size} bytes) to the file ${name}, mode 0600, in the
 * private temporary directory, and return its path, which stays valid until
 * the next call.  Aborts on failure.
 */
const char *
fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	ssize_t w;
	size_t off;
	int fd;

	/*
	 * A new file each time: ext4 flushes a file truncated and written
	 * again to disk on close, which would slow the fuzzer to a crawl.
	 */
	fuzz_check(snprintf(tmppath, sizeof(tmppath), "%s/%s", tmpdir, name) <
	    (int)sizeof(tmppath), "temporary path too long");
	fuzz_check(unlink(tmppath) == 0 || errno == ENOENT, "unlink");
	fd = open(tmppath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	fuzz_check(fd != -1, "open temporary file");
	for (off = 0; off < size; off += (size_t)w) {
		w = write(fd, data + off, size - off);
		if (w == -1 && errno == EINTR)
			w = 0;
		fuzz_check(w != -1, "write temporary file");
	}
	fuzz_check(close(fd) == 0, "close temporary file");
	return (tmppath);
}

/**
 * fuzz_client(id, pin, claimed, hello):
 * Start a client handshake with the key pair ${id} (the fixed client key if
 * NULL) and the fixed client ephemeral, pinning ${pin} unless NULL and
 * claiming the public key ${claimed} unless NULL, and write its HELLO into
 * ${hello}.  Aborts on failure.
 */
struct proto_hs *
fuzz_client(const struct key_pair *id, const uint8_t *pin,
    const uint8_t *claimed, uint8_t hello[PROTO_HELLO_LEN])
{
	struct proto_hs *hs;

	if (id == NULL)
		id = fixed.client;
	fuzz_check((hs = proto_client_new(id, pin)) != NULL,
	    "proto_client_new");
	fuzz_check(proto_hs_set_test_keys(hs, fixed.client_e, claimed) ==
	    PROTO_OK, "client test keys");
	fuzz_check(proto_client_hello(hs, hello) == PROTO_OK,
	    "proto_client_hello");
	return (hs);
}

/**
 * fuzz_server(id, claimed):
 * Start a server handshake with the key pair ${id} (the fixed server key if
 * NULL) and the fixed server ephemeral, claiming the public key ${claimed}
 * unless NULL.  Aborts on failure.
 */
struct proto_hs *
fuzz_server(const struct key_pair *id, const uint8_t *claimed)
{
	struct proto_hs *hs;

	if (id == NULL)
		id = fixed.server;
	fuzz_check((hs = proto_server_new(id)) != NULL, "proto_server_new");
	fuzz_check(proto_hs_set_test_keys(hs, fixed.server_e, claimed) ==
	    PROTO_OK, "server test keys");
	return (hs);
}

/**
 * fuzz_dh(sec, pub, out):
 * Store X25519(${sec}, ${pub}) in ${out}.  Returns 0, or -1 if the result
 * is all-zero (${pub} is a low-order point).
 */
int
fuzz_dh(const uint8_t sec[32], const uint8_t pub[32], uint8_t out[32])
{

	return (crypto_scalarmult(out, sec, pub) == 0 ? 0 : -1);
}

/**
 * fuzz_same_dh(sec, a, b):
 * Return non-zero if the public keys ${a} and ${b} give the same, non-zero
 * X25519 result with the secret ${sec}: a peer holding ${sec} cannot tell
 * them apart.
 */
int
fuzz_same_dh(const uint8_t sec[32], const uint8_t a[32], const uint8_t b[32])
{
	uint8_t da[32], db[32];

	if (fuzz_dh(sec, a, da) || fuzz_dh(sec, b, db))
		return (0);
	return (memcmp(da, db, 32) == 0);
}

/* Derive the fixed 32-byte secret ${out} from ${label}. */
static void
fixed_secret(const char *label, uint8_t out[32])
{

	crypto_generichash(out, 32, (const uint8_t *)label, strlen(label),
	    NULL, 0);
}

/* Run the genuine handshake between the fixed keys into ${f}. */
static void
genuine_handshake(struct fuzz_fixed *f)
{
	struct proto_hs *c, *s;
	struct channel_dir tx;

	/* HELLO, REPLY, AUTH, each accepted. */
	c = fuzz_client(NULL, f->server->pub, NULL, f->hello);
	s = fuzz_server(NULL, NULL);
	fuzz_check(proto_server_reply(s, f->hello, f->reply) == PROTO_OK &&
	    proto_client_read_reply(c, f->reply) == PROTO_OK &&
	    proto_client_auth(c, f->auth) == PROTO_OK &&
	    proto_server_read_auth(s, f->auth) == PROTO_OK,
	    "genuine handshake");

	/* The sessions, and the client's DATA_HELLO. */
	fuzz_check(proto_hs_session(c, &f->cs) == PROTO_OK &&
	    proto_hs_session(s, &f->ss) == PROTO_OK, "genuine sessions");
	channel_tx_start(&tx, f->cs.tx_key, f->c2s_header);
	channel_dir_wipe(&tx);
	proto_data_hello(&f->cs, f->c2s_header, f->data_hello);
	proto_hs_free(c);
	proto_hs_free(s);
}

/**
 * fuzz_init():
 * On the first call: make libsodium's random numbers a fixed stream,
 * initialise libsodium, build the fixed keys and the genuine handshake, and
 * create a private temporary directory (removed at exit).  On every call:
 * restart the random stream.  Aborts on failure.  Returns the fixed data.
 */
const struct fuzz_fixed *
fuzz_init(void)
{
	uint8_t sec[32];

	/* Every input starts the random stream afresh. */
	rng_count = 0;
	if (initialised)
		return (&fixed);

	/* The random stream must be in place before sodium_init. */
	fuzz_check(randombytes_set_implementation(&rng_impl) == 0,
	    "randombytes_set_implementation");
	fuzz_check(sodium_init() >= 0, "sodium_init");

	/* Fixed keys, then the handshake between them. */
	fixed_secret("secchat fuzz server", sec);
	fixed.server = key_pair_from_secret(sec, "server@fuzz");
	fixed_secret("secchat fuzz client", sec);
	fixed.client = key_pair_from_secret(sec, "client@fuzz");
	fuzz_check(fixed.server != NULL && fixed.client != NULL,
	    "fixed key pairs");
	fixed_secret("secchat fuzz server ephemeral", fixed.server_e);
	fixed_secret("secchat fuzz client ephemeral", fixed.client_e);
	genuine_handshake(&fixed);
	tmpdir_create();

	/* Start the inputs with the same stream as a fresh process. */
	rng_count = 0;
	initialised = 1;
	return (&fixed);
}
