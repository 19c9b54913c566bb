#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "key.h"
#include "proto.h"
#include "fuzz_util.h"

/*
 * Fuzz target: the server reading AUTH, after a real HELLO and REPLY
 * between the fixed server (key and ephemeral) and a client with the fixed
 * ephemeral.  The first input byte chooses the client (its value modulo 3):
 *	0  the rest of the input is the AUTH, as read from the network, after
 *	   the genuine HELLO and REPLY of the fixed client;
 *	1  a real client whose secret key is the next 32 bytes; any bytes
 *	   after those are XORed into its AUTH;
 *	2  an impostor holding the fixed client secret but claiming the next
 *	   32 bytes as its public key.
 *
 * Invariants: header errors pass through; of raw bytes, only the genuine
 * AUTH is accepted, and the session is then the genuine one; a real client
 * is accepted, with the key it holds, and any change to its AUTH is
 * refused; an impostor is accepted only when its claim is the same X25519
 * key as the one it holds.  Whenever the server accepts, the key it
 * reports (which the master looks up in the allowlist, byte for byte) is
 * the one the client sent: nothing is accepted without the right key.
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

/* Run HELLO and REPLY between client ${id} claiming ${claimed} and server. */
static void
start(const struct fuzz_fixed *f, const struct key_pair *id,
    const uint8_t *claimed, struct proto_hs **cp, struct proto_hs **sp)
{
	uint8_t hello[PROTO_HELLO_LEN], reply[PROTO_REPLY_LEN];

	*cp = fuzz_client(id, f->server->pub, claimed, hello);
	*sp = fuzz_server(NULL, NULL);
	fuzz_check(proto_server_reply(*sp, hello, reply) == PROTO_OK &&
	    proto_client_read_reply(*cp, reply) == PROTO_OK,
	    "HELLO and REPLY");
}

/* An AUTH from the network: the rest of the input after the mode byte. */
static void
raw_auth(const struct fuzz_fixed *f, const uint8_t *data, size_t size)
{
	struct proto_session ss;
	struct proto_hs *c, *s;
	uint8_t *msg;
	int hdr, r;

	/* The master reads the header first, and nothing without one. */
	if (size < PROTO_HDR_LEN)
		return;
	hdr = proto_check_header(data, PROTO_T_AUTH, PROTO_AUTH_BODY);

	/* The message, in a buffer of exactly its size. */
	msg = fuzz_buf(data, size, PROTO_AUTH_LEN);
	start(f, NULL, NULL, &c, &s);
	r = proto_server_read_auth(s, msg);
	if (hdr != PROTO_OK)
		fuzz_check(r == hdr, "header errors pass through");
	if (r == PROTO_OK) {
		fuzz_check(memcmp(msg, f->auth, PROTO_AUTH_LEN) == 0,
		    "only the genuine AUTH is accepted");
		check_peer(s, f->client->pub);
		fuzz_check(proto_hs_session(s, &ss) == PROTO_OK &&
		    memcmp(&ss, &f->ss, sizeof(ss)) == 0,
		    "the genuine session follows");
		proto_session_wipe(&ss);
	}
	proto_hs_free(c);
	proto_hs_free(s);
	free(msg);
}

/* A real client whose secret is the first 32 bytes of ${data}. */
static void
other_client(const struct fuzz_fixed *f, const uint8_t *data, size_t size)
{
	uint8_t auth[PROTO_AUTH_LEN], zero[PROTO_AUTH_LEN];
	struct key_pair *kp;
	struct proto_hs *c, *s;
	uint8_t *sec;
	size_t i;
	int r, changed;

	/* The key pair, and the changes to make to its AUTH. */
	sec = fuzz_buf(data, size, KEY_LEN);
	fuzz_check((kp = key_pair_from_secret(sec, NULL)) != NULL, "key pair");
	data += size < KEY_LEN ? size : KEY_LEN;
	size -= size < KEY_LEN ? size : KEY_LEN;
	memset(zero, 0, sizeof(zero));
	changed = memcmp(data, zero, size < sizeof(zero) ? size :
	    sizeof(zero)) != 0;

	/* Accepted, with its key, unless changed. */
	start(f, kp, NULL, &c, &s);
	fuzz_check(proto_client_auth(c, auth) == PROTO_OK, "client AUTH");
	for (i = 0; i < size && i < PROTO_AUTH_LEN; i++)
		auth[i] ^= data[i];
	r = proto_server_read_auth(s, auth);
	if (changed)
		fuzz_check(r != PROTO_OK, "a changed AUTH is refused");
	else {
		fuzz_check(r == PROTO_OK, "a real client is accepted");
		check_peer(s, kp->pub);
	}
	proto_hs_free(c);
	proto_hs_free(s);
	key_pair_free(kp);
	free(sec);
}

/* An impostor with the fixed client secret, claiming the key in ${data}. */
static void
impostor(const struct fuzz_fixed *f, const uint8_t *data, size_t size)
{
	uint8_t auth[PROTO_AUTH_LEN];
	struct proto_hs *c, *s;
	uint8_t *claimed;
	int r, same;

	/* Only the same X25519 key as the secret's passes the se check. */
	claimed = fuzz_buf(data, size, KEY_LEN);
	same = fuzz_same_dh(f->server_e, claimed, f->client->pub);
	start(f, NULL, claimed, &c, &s);
	fuzz_check(proto_client_auth(c, auth) == PROTO_OK, "client AUTH");
	r = proto_server_read_auth(s, auth);
	fuzz_check((r == PROTO_OK) == same, "an impostor is refused");
	if (r == PROTO_OK)
		check_peer(s, claimed);
	proto_hs_free(c);
	proto_hs_free(s);
	free(claimed);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_fixed *f = fuzz_init();

	if (size < 1)
		return (0);
	switch (data[0] % 3) {
	case 0:
		raw_auth(f, data + 1, size - 1);
		break;
	case 1:
		other_client(f, data + 1, size - 1);
		break;
	default:
		impostor(f, data + 1, size - 1);
		break;
	}
	return (0);
}
