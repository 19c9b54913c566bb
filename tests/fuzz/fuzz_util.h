#ifndef FUZZ_UTIL_H_
#define FUZZ_UTIL_H_

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/*
 * What the fuzz targets share: fixed keys and a genuine handshake between
 * them, a fixed random stream (so that an input always runs the same way,
 * and a crash replays), heap copies of exactly the size an API reads, and
 * files in a private temporary directory for the parsers that read files.
 *
 * Each target defines LLVMFuzzerTestOneInput and calls fuzz_init first.
 * An invariant that does not hold aborts through fuzz_check, which both
 * libFuzzer and tests/fuzz/replay.c report as a crash.
 */

struct key_pair;

/* The fixed keys, and what a genuine handshake between them yields. */
struct fuzz_fixed {
	struct key_pair *server;	/* long-term key pairs */
	struct key_pair *client;
	uint8_t server_e[32];		/* ephemeral secrets */
	uint8_t client_e[32];
	uint8_t hello[PROTO_HELLO_LEN];	/* the genuine messages */
	uint8_t reply[PROTO_REPLY_LEN];
	uint8_t auth[PROTO_AUTH_LEN];
	struct proto_session cs;	/* what the client derives */
	struct proto_session ss;	/* what the server derives */
	uint8_t c2s_header[PROTO_STREAM_HDR_LEN];	/* client's stream */
	uint8_t data_hello[PROTO_DATA_HELLO_LEN];
};

/**
 * fuzz_init():
 * On the first call: make libsodium's random numbers a fixed stream,
 * initialise libsodium, build the fixed keys and the genuine handshake, and
 * create a private temporary directory (removed at exit).  On every call:
 * restart the random stream.  Aborts on failure.  Returns the fixed data.
 */
const struct fuzz_fixed *fuzz_init(void);

/**
 * fuzz_check(cond, what):
 * If ${cond} is zero, print "invariant failed: ${what}" and abort.
 */
void fuzz_check(int, const char *);

/**
 * fuzz_buf(data, size, len):
 * Return a heap buffer of exactly ${len} bytes holding the first ${len}
 * bytes of ${data} (${size} bytes), padded with zeros.  Aborts if out of
 * memory.  The caller frees it.
 */
uint8_t *fuzz_buf(const uint8_t *, size_t, size_t);

/**
 * fuzz_file(name, data, size):
 * Write ${data} (${size} bytes) to the file ${name}, mode 0600, in the
 * private temporary directory, and return its path, which stays valid until
 * the next call.  Aborts on failure.
 */
const char *fuzz_file(const char *, const uint8_t *, size_t);

/**
 * fuzz_client(id, pin, claimed, hello):
 * Start a client handshake with the key pair ${id} (the fixed client key if
 * NULL) and the fixed client ephemeral, pinning ${pin} unless NULL and
 * claiming the public key ${claimed} unless NULL, and write its HELLO into
 * ${hello}.  Aborts on failure.
 */
struct proto_hs *fuzz_client(const struct key_pair *, const uint8_t *,
    const uint8_t *, uint8_t[PROTO_HELLO_LEN]);

/**
 * fuzz_server(id, claimed):
 * Start a server handshake with the key pair ${id} (the fixed server key if
 * NULL) and the fixed server ephemeral, claiming the public key ${claimed}
 * unless NULL.  Aborts on failure.
 */
struct proto_hs *fuzz_server(const struct key_pair *, const uint8_t *);

/**
 * fuzz_dh(sec, pub, out):
 * Store X25519(${sec}, ${pub}) in ${out}.  Returns 0, or -1 if the result
 * is all-zero (${pub} is a low-order point).
 */
int fuzz_dh(const uint8_t[32], const uint8_t[32], uint8_t[32]);

/**
 * fuzz_same_dh(sec, a, b):
 * Return non-zero if the public keys ${a} and ${b} give the same, non-zero
 * X25519 result with the secret ${sec}: a peer holding ${sec} cannot tell
 * them apart.
 */
int fuzz_same_dh(const uint8_t[32], const uint8_t[32], const uint8_t[32]);

#endif /* !FUZZ_UTIL_H_ */
