#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "proto.h"
#include "fuzz_util.h"

/*
 * Fuzz target: the session child reading DATA_HELLO, the proof that a
 * connection to the data port belongs to the session of the genuine
 * handshake.  The first input byte chooses the sender (bit 0x01):
 *	0  the rest of the input is the DATA_HELLO, as read from the
 *	   network: the header is checked first, as session.c does, then
 *	   PROTO_DATA_HELLO_LEN bytes go to proto_data_check;
 *	1  the genuine client, whose DATA_HELLO carries the next
 *	   PROTO_STREAM_HDR_LEN bytes as its stream header.
 *
 * Invariants: header errors pass through; a DATA_HELLO is accepted exactly
 * when its header is right and it carries the session's token, and the
 * stream header given back is the one it carries; the genuine client's is
 * always accepted, and its stream header starts the receiving stream.
 */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Check proto_data_check on ${msg}, whose header check gave ${hdr}. */
static void
check(const struct fuzz_fixed *f, const uint8_t *msg, int hdr)
{
	uint8_t sh[PROTO_STREAM_HDR_LEN];
	struct channel_dir rx;
	int r, token;

	/* Accepted with the right header and token. */
	token = memcmp(msg + PROTO_HDR_LEN, f->ss.token, PROTO_TOKEN_LEN) == 0;
	r = proto_data_check(&f->ss, msg, sh);
	if (hdr != PROTO_OK)
		fuzz_check(r == hdr, "header errors pass through");
	else
		fuzz_check(r == (token ? PROTO_OK : PROTO_E_TOKEN),
		    "accepted exactly with the token");

	/* A right header; the stream header carried comes back, starts rx. */
	if (r == PROTO_OK) {
		fuzz_check(memcmp(msg, f->data_hello, PROTO_HDR_LEN) == 0,
		    "an accepted DATA_HELLO has the right header");
		fuzz_check(memcmp(sh, msg + PROTO_HDR_LEN + PROTO_TOKEN_LEN,
		    PROTO_STREAM_HDR_LEN) == 0, "the stream header carried");
		fuzz_check(channel_rx_start(&rx, f->ss.rx_key, sh) ==
		    CHANNEL_OK, "channel_rx_start");
		channel_dir_wipe(&rx);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_fixed *f = fuzz_init();
	uint8_t out[PROTO_DATA_HELLO_LEN];
	uint8_t *msg, *sh;

	if (size < 1)
		return (0);
	data++;
	size--;

	/* The genuine client, with the stream header it chose. */
	if (data[-1] & 0x01) {
		sh = fuzz_buf(data, size, PROTO_STREAM_HDR_LEN);
		proto_data_hello(&f->cs, sh, out);
		msg = fuzz_buf(out, sizeof(out), sizeof(out));
		check(f, msg, PROTO_OK);
		fuzz_check(proto_data_check(&f->ss, msg, sh) == PROTO_OK,
		    "the genuine client is accepted");
		free(msg);
		free(sh);
		return (0);
	}

	/* From the network: the header first, and nothing without one. */
	if (size < PROTO_HDR_LEN)
		return (0);
	msg = fuzz_buf(data, size, PROTO_DATA_HELLO_LEN);
	check(f, msg, proto_check_header(data, PROTO_T_DATA_HELLO,
	    PROTO_DATA_HELLO_BODY));
	free(msg);
	return (0);
}
