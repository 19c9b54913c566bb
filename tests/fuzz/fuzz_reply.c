#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "key.h"
#include "proto.h"
#include "fuzz_util.h"

/*
 * Fuzz target: the client reading REPLY, after sending the HELLO of the
 * fixed client key and ephemeral.  The first input byte chooses who sends
 * the REPLY (its low 7 bits, modulo 3) and whether the client pins the fixed
 * server key (bit 0x80 clear) or takes any key:
 *	0  the rest of the input is the REPLY, as read from the network;
 *	1  a real server whose secret key is the next 32 bytes; any bytes
 *	   after those are XORed into its REPLY;
 *	2  an impostor holding the fixed server secret but claiming the next
 *	   32 bytes as its public key.
 *
 * Invariants: header errors pass through; of raw bytes, only the genuine
 * REPLY authenticates, and the client's AUTH then is the genuine one; any
 * change to a real REPLY is refused; a real server is accepted exactly
 * when it holds the pinned key (else PROTO_E_PIN, naming the key it
 * proved); an impostor's key is proved only when it is the same X25519
 * key as the real one, and accepted under the pin only byte for byte.
 */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Check that the peer proved by ${hs} is ${pub}. */
static void
check_peer(const struct proto_hs *hs, const uint8_t pub[KEY_LEN])
{
	uint8_t peer[KEY_LEN];

	fuzz_check(proto_hs_peer(hs, peer) == PROTO_OK &&
	    memcmp(peer, pub, KEY_LEN) == 0, "the proved key is the sender's");
}

/* A REPLY from the network: the rest of the input after the mode byte. */
static void
raw_reply(const struct fuzz_fixed *f, const uint8_t *pin, const uint8_t *data,
    size_t size)
{
	uint8_t hello[PROTO_HELLO_LEN], auth[PROTO_AUTH_LEN];
	struct proto_hs *c;
	uint8_t *msg;
	int hdr, r;

	/* The client reads the header first, and nothing without one. */
	if (size < PROTO_HDR_LEN)
		return;
	hdr = proto_check_header(data, PROTO_T_REPLY, PROTO_REPLY_BODY);
	if (hdr == PROTO_E_REMOTE)
		fuzz_check(proto_error_code_str(size > PROTO_HDR_LEN ?
		    data[PROTO_HDR_LEN] : 0) != NULL, "error code described");

	/* The message, in a buffer of exactly its size. */
	msg = fuzz_buf(data, size, PROTO_REPLY_LEN);
	c = fuzz_client(NULL, pin, NULL, hello);
	r = proto_client_read_reply(c, msg);
	if (hdr != PROTO_OK)
		fuzz_check(r == hdr, "header errors pass through");
	if (r == PROTO_OK || r == PROTO_E_PIN)
		fuzz_check(memcmp(msg, f->reply, PROTO_REPLY_LEN) == 0,
		    "only the genuine REPLY authenticates");
	if (r == PROTO_OK) {
		check_peer(c, f->server->pub);
		fuzz_check(proto_client_auth(c, auth) == PROTO_OK &&
		    memcmp(auth, f->auth, PROTO_AUTH_LEN) == 0,
		    "the genuine AUTH follows");
	}
	proto_hs_free(c);
	free(msg);
}

/* Run the server ${s} against a client pinning ${pin}; XOR ${mask} in. */
static int
exchange(struct proto_hs *s, const uint8_t *pin, const uint8_t *mask,
    size_t mask_len, struct proto_hs **cp)
{
	uint8_t hello[PROTO_HELLO_LEN], reply[PROTO_REPLY_LEN];
	size_t i;

	*cp = fuzz_client(NULL, pin, NULL, hello);
	fuzz_check(proto_server_reply(s, hello, reply) == PROTO_OK,
	    "the server answers a genuine HELLO");
	for (i = 0; i < mask_len && i < PROTO_REPLY_LEN; i++)
		reply[i] ^= mask[i];
	return (proto_client_read_reply(*cp, reply));
}

/* A real server whose secret is the first 32 bytes of ${data}. */
static void
other_server(const uint8_t *pin, const uint8_t *data, size_t size)
{
	struct key_pair *kp;
	struct proto_hs *s, *c;
	uint8_t *sec, zero[PROTO_REPLY_LEN];
	int r, changed;

	/* The key pair, and the changes to make to its REPLY. */
	sec = fuzz_buf(data, size, KEY_LEN);
	fuzz_check((kp = key_pair_from_secret(sec, NULL)) != NULL, "key pair");
	data += size < KEY_LEN ? size : KEY_LEN;
	size -= size < KEY_LEN ? size : KEY_LEN;
	memset(zero, 0, sizeof(zero));
	changed = memcmp(data, zero, size < sizeof(zero) ? size :
	    sizeof(zero)) != 0;

	/* Refused if changed; else accepted unless the pin differs. */
	s = fuzz_server(kp, NULL);
	r = exchange(s, pin, data, size, &c);
	if (changed)
		fuzz_check(r != PROTO_OK && r != PROTO_E_PIN,
		    "a changed REPLY is refused");
	else if (pin == NULL || memcmp(kp->pub, pin, KEY_LEN) == 0)
		fuzz_check(r == PROTO_OK, "a real server is accepted");
	else
		fuzz_check(r == PROTO_E_PIN, "the pin refuses another key");
	if (!changed)
		check_peer(c, kp->pub);
	proto_hs_free(c);
	proto_hs_free(s);
	key_pair_free(kp);
	free(sec);
}

/* An impostor with the fixed secret, claiming the key in ${data}. */
static void
impostor(const struct fuzz_fixed *f, const uint8_t *pin, const uint8_t *data,
    size_t size)
{
	struct proto_hs *s, *c;
	uint8_t *claimed;
	int r, same;

	/* Only the same X25519 key as the secret's passes the es check. */
	claimed = fuzz_buf(data, size, KEY_LEN);
	same = fuzz_same_dh(f->client_e, claimed, f->server->pub);
	s = fuzz_server(NULL, claimed);
	r = exchange(s, pin, NULL, 0, &c);
	if (!same)
		fuzz_check(r == PROTO_E_CRYPTO, "an impostor is refused");
	else if (pin == NULL || memcmp(claimed, pin, KEY_LEN) == 0)
		fuzz_check(r == PROTO_OK, "the same key is accepted");
	else
		fuzz_check(r == PROTO_E_PIN, "the pin compares bytes");
	if (same)
		check_peer(c, claimed);
	proto_hs_free(c);
	proto_hs_free(s);
	free(claimed);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_fixed *f = fuzz_init();
	const uint8_t *pin;

	if (size < 1)
		return (0);
	pin = (data[0] & 0x80) ? NULL : f->server->pub;
	switch ((data[0] & 0x7f) % 3) {
	case 0:
		raw_reply(f, pin, data + 1, size - 1);
		break;
	case 1:
		other_server(pin, data + 1, size - 1);
		break;
	default:
		impostor(f, pin, data + 1, size - 1);
		break;
	}
	return (0);
}
