#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"
#include "fuzz_util.h"

/*
 * Fuzz target: the server reading HELLO.  The input is what a client sends
 * first on the handshake connection.  As the master does, its first
 * PROTO_HDR_LEN bytes are checked with proto_check_header; then the first
 * PROTO_HELLO_LEN bytes (padded with zeros if the input is shorter) go to
 * proto_server_reply of a server with the fixed key and ephemeral.
 *
 * Invariants: proto_server_reply agrees with the header check; it accepts
 * exactly a HELLO header announcing PROTO_HELLO_BODY bytes followed by an
 * ephemeral key that is not of low order (checked independently with
 * X25519); its REPLY then has a valid header and carries the fixed
 * ephemeral; the handshake then waits for AUTH and refuses a second HELLO.
 */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Check the REPLY ${reply} written after an accepted HELLO. */
static void
check_reply(const struct fuzz_fixed *f, const uint8_t reply[PROTO_REPLY_LEN])
{
	uint8_t e_pub[32];

	fuzz_check(proto_check_header(reply, PROTO_T_REPLY, PROTO_REPLY_BODY) ==
	    PROTO_OK, "REPLY header");
	fuzz_check(crypto_scalarmult_base(e_pub, f->server_e) == 0 &&
	    memcmp(reply + PROTO_HDR_LEN, e_pub, 32) == 0,
	    "REPLY carries the server ephemeral");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_fixed *f = fuzz_init();
	uint8_t reply[PROTO_REPLY_LEN], dh[32];
	struct proto_hs *hs;
	uint8_t *msg;
	size_t announced;
	int hdr, r, good_e;

	/* The master reads the header first, and nothing without one. */
	if (size < PROTO_HDR_LEN)
		return (0);
	hdr = proto_check_header(data, PROTO_T_HELLO, PROTO_HELLO_BODY);
	announced = ((size_t)data[6] << 8) | data[7];

	/* The message, in a buffer of exactly its size. */
	msg = fuzz_buf(data, size, PROTO_HELLO_LEN);
	hs = fuzz_server(NULL, NULL);
	r = proto_server_reply(hs, msg, reply);

	/* Accepted exactly when the header and the ephemeral are good. */
	good_e = (fuzz_dh(f->server_e, msg + PROTO_HDR_LEN, dh) == 0);
	if (hdr != PROTO_OK)
		fuzz_check(r == hdr, "header errors pass through");
	else
		fuzz_check((r == PROTO_OK) == good_e,
		    "accepted iff the ephemeral is not of low order");
	if (r == PROTO_OK) {
		fuzz_check(memcmp(msg, f->hello, PROTO_HDR_LEN) == 0 &&
		    announced == PROTO_HELLO_BODY,
		    "an accepted HELLO has the right header and length");
		check_reply(f, reply);
		fuzz_check(proto_server_reply(hs, msg, reply) == PROTO_E_STATE,
		    "a second HELLO is refused");
	}
	proto_hs_free(hs);
	free(msg);
	return (0);
}
