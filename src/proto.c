#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "key.h"
#include "noise.h"
#include "proto.h"

/* Where a handshake stands. */
enum proto_step {
	STEP_CLIENT_HELLO,	/* client: next is proto_client_hello */
	STEP_CLIENT_REPLY,	/* client: next is proto_client_read_reply */
	STEP_CLIENT_AUTH,	/* client: next is proto_client_auth */
	STEP_SERVER_HELLO,	/* server: next is proto_server_reply */
	STEP_SERVER_AUTH,	/* server: next is proto_server_read_auth */
	STEP_DONE,		/* handshake finished */
	STEP_DEAD		/* a step failed: nothing more is possible */
};

struct proto_hs {
	struct noise_hs *noise;
	enum proto_step step;
	int initiator;
	int has_pin;
	uint8_t pin[32];
	int has_peer;
	uint8_t peer[32];	/* peer's static key, once proved */
};

/* Labels of the session key derivation (crypto_kdf contexts, 8 bytes). */
#define KDF_CTX_STREAM	"SCstream"
#define KDF_CTX_TOKEN	"SCdataTK"

/* Return a static description of the result code ${r}. */
const char *
proto_strerror(int r)
{

	switch (r) {
	case PROTO_OK:
		return ("success");
	case PROTO_E_MAGIC:
		return ("peer does not speak the secchat protocol");
	case PROTO_E_VERSION:
		return ("peer speaks another protocol version");
	case PROTO_E_TYPE:
		return ("unexpected message type");
	case PROTO_E_LENGTH:
		return ("message has the wrong length");
	case PROTO_E_CRYPTO:
		return ("handshake authentication failed");
	case PROTO_E_PIN:
		return ("server key does not match the expected key");
	case PROTO_E_STATE:
		return ("handshake step out of order");
	case PROTO_E_REMOTE:
		return ("peer reported an error");
	case PROTO_E_TOKEN:
		return ("data connection does not prove the session");
	case PROTO_E_NOMEM:
		return ("out of memory");
	default:
		return ("unknown error");
	}
}

/* Write a message header of ${type} with a ${body_len}-byte body. */
static void
write_header(uint8_t *out, int type, size_t body_len)
{

	memcpy(out, PROTO_MAGIC, 4);
	out[4] = PROTO_VERSION;
	out[5] = (uint8_t)type;
	out[6] = (uint8_t)(body_len >> 8);
	out[7] = (uint8_t)(body_len & 0xff);
}

/* Create a handshake for one side with the key pair ${id}. */
static struct proto_hs *
hs_new(const struct key_pair *id, int initiator, enum proto_step step)
{
	struct proto_hs *hs;

	if ((hs = calloc(1, sizeof(*hs))) == NULL)
		goto err0;
	hs->noise = noise_hs_new(NOISE_PATTERN_XX, initiator,
	    (const uint8_t *)PROTO_PROLOGUE, strlen(PROTO_PROLOGUE),
	    id->sec, NULL);
	if (hs->noise == NULL)
		goto err1;
	hs->step = step;
	hs->initiator = initiator;

	/* Success! */
	return (hs);

err1:
	free(hs);
err0:
	/* Failure! */
	return (NULL);
}

/**
 * proto_client_new(id, pin):
 * Start a client handshake with the long-term key pair ${id}.  If ${pin} is
 * not NULL, the server's long-term public key must equal those 32 bytes.
 * Returns NULL if out of memory.
 */
struct proto_hs *
proto_client_new(const struct key_pair *id, const uint8_t *pin)
{
	struct proto_hs *hs;

	if ((hs = hs_new(id, 1, STEP_CLIENT_HELLO)) == NULL)
		return (NULL);
	if (pin != NULL) {
		memcpy(hs->pin, pin, 32);
		hs->has_pin = 1;
	}
	return (hs);
}

/**
 * proto_server_new(id):
 * Start a server handshake with the long-term key pair ${id}.  Returns NULL
 * if out of memory.
 */
struct proto_hs *
proto_server_new(const struct key_pair *id)
{

	return (hs_new(id, 0, STEP_SERVER_HELLO));
}

/**
 * proto_hs_set_test_keys(hs, e_secret, claimed_static):
 * For known-answer and adversarial tests only: use ${e_secret} (unless
 * NULL) as the ephemeral secret instead of a random one, and advertise
 * ${claimed_static} (unless NULL) as our long-term public key, as an
 * impostor would.  Call before the first message.  Returns PROTO_OK or
 * PROTO_E_STATE.
 */
int
proto_hs_set_test_keys(struct proto_hs *hs, const uint8_t *e_secret,
    const uint8_t *claimed_static)
{

	if (hs->step != STEP_CLIENT_HELLO && hs->step != STEP_SERVER_HELLO)
		return (PROTO_E_STATE);
	if (e_secret != NULL && noise_hs_set_ephemeral(hs->noise, e_secret))
		return (PROTO_E_STATE);
	if (claimed_static != NULL)
		noise_hs_claim_static(hs->noise, claimed_static);
	return (PROTO_OK);
}

/**
 * proto_hs_free(hs):
 * Wipe and free ${hs}.  Does nothing if ${hs} is NULL.
 */
void
proto_hs_free(struct proto_hs *hs)
{

	if (hs == NULL)
		return;
	noise_hs_free(hs->noise);
	sodium_memzero(hs, sizeof(*hs));
	free(hs);
}

/* Mark ${hs} dead and return ${r}. */
static int
hs_fail(struct proto_hs *hs, int r)
{

	hs->step = STEP_DEAD;
	return (r);
}

/**
 * proto_client_hello(hs, out):
 * Write the client's HELLO message into ${out}.  Returns PROTO_OK or an
 * error code.
 */
int
proto_client_hello(struct proto_hs *hs, uint8_t out[PROTO_HELLO_LEN])
{
	size_t len;

	if (hs->step != STEP_CLIENT_HELLO)
		return (hs_fail(hs, PROTO_E_STATE));

	/* -> e, with an empty payload: exactly 32 bytes. */
	write_header(out, PROTO_T_HELLO, PROTO_HELLO_BODY);
	if (noise_hs_write(hs->noise, NULL, 0, out + PROTO_HDR_LEN,
	    PROTO_HELLO_BODY, &len) || len != PROTO_HELLO_BODY)
		return (hs_fail(hs, PROTO_E_CRYPTO));
	hs->step = STEP_CLIENT_REPLY;
	return (PROTO_OK);
}

/**
 * proto_client_read_reply(hs, in):
 * Read the server's REPLY ${in}; on success the server's long-term key is
 * known (proto_hs_peer) and, if a pin was given, equals it.  Returns
 * PROTO_OK, PROTO_E_PIN, or another error code.
 */
int
proto_client_read_reply(struct proto_hs *hs, const uint8_t in[PROTO_REPLY_LEN])
{
	size_t plen;
	int r;

	if (hs->step != STEP_CLIENT_REPLY)
		return (hs_fail(hs, PROTO_E_STATE));
	if ((r = proto_check_header(in, PROTO_T_REPLY, PROTO_REPLY_BODY)))
		return (hs_fail(hs, r));

	/* <- e, ee, s, es, with an empty payload. */
	if (noise_hs_read(hs->noise, in + PROTO_HDR_LEN, PROTO_REPLY_BODY,
	    NULL, 0, &plen) || plen != 0)
		return (hs_fail(hs, PROTO_E_CRYPTO));

	/* The server proved possession of its key; is it the one we expect? */
	if (noise_hs_remote_static(hs->noise, hs->peer))
		return (hs_fail(hs, PROTO_E_STATE));
	hs->has_peer = 1;
	if (hs->has_pin && sodium_memcmp(hs->peer, hs->pin, 32) != 0)
		return (hs_fail(hs, PROTO_E_PIN));
	hs->step = STEP_CLIENT_AUTH;
	return (PROTO_OK);
}

/**
 * proto_client_auth(hs, out):
 * Write the client's AUTH message into ${out}; the handshake is then done
 * on the client's side.  Returns PROTO_OK or an error code.
 */
int
proto_client_auth(struct proto_hs *hs, uint8_t out[PROTO_AUTH_LEN])
{
	size_t len;

	if (hs->step != STEP_CLIENT_AUTH)
		return (hs_fail(hs, PROTO_E_STATE));

	/* -> s, se, with an empty payload. */
	write_header(out, PROTO_T_AUTH, PROTO_AUTH_BODY);
	if (noise_hs_write(hs->noise, NULL, 0, out + PROTO_HDR_LEN,
	    PROTO_AUTH_BODY, &len) || len != PROTO_AUTH_BODY)
		return (hs_fail(hs, PROTO_E_CRYPTO));
	hs->step = STEP_DONE;
	return (PROTO_OK);
}

/**
 * proto_server_reply(hs, in, out):
 * Read the client's HELLO ${in} and write the server's REPLY into ${out}.
 * Returns PROTO_OK or an error code.
 */
int
proto_server_reply(struct proto_hs *hs, const uint8_t in[PROTO_HELLO_LEN],
    uint8_t out[PROTO_REPLY_LEN])
{
	size_t len;
	int r;

	if (hs->step != STEP_SERVER_HELLO)
		return (hs_fail(hs, PROTO_E_STATE));
	if ((r = proto_check_header(in, PROTO_T_HELLO, PROTO_HELLO_BODY)))
		return (hs_fail(hs, r));

	/* -> e: the client's ephemeral key, in clear. */
	if (noise_hs_read(hs->noise, in + PROTO_HDR_LEN, PROTO_HELLO_BODY,
	    NULL, 0, &len) || len != 0)
		return (hs_fail(hs, PROTO_E_CRYPTO));

	/* <- e, ee, s, es: fails on a low-order client ephemeral (ee = 0). */
	write_header(out, PROTO_T_REPLY, PROTO_REPLY_BODY);
	if (noise_hs_write(hs->noise, NULL, 0, out + PROTO_HDR_LEN,
	    PROTO_REPLY_BODY, &len) || len != PROTO_REPLY_BODY)
		return (hs_fail(hs, PROTO_E_CRYPTO));
	hs->step = STEP_SERVER_AUTH;
	return (PROTO_OK);
}

/**
 * proto_server_read_auth(hs, in):
 * Read the client's AUTH ${in}; on success the handshake is done and the
 * client's long-term key is known (proto_hs_peer).  The caller must still
 * check that key against its allowlist.  Returns PROTO_OK or an error code.
 */
int
proto_server_read_auth(struct proto_hs *hs, const uint8_t in[PROTO_AUTH_LEN])
{
	size_t plen;
	int r;

	if (hs->step != STEP_SERVER_AUTH)
		return (hs_fail(hs, PROTO_E_STATE));
	if ((r = proto_check_header(in, PROTO_T_AUTH, PROTO_AUTH_BODY)))
		return (hs_fail(hs, r));

	/* -> s, se: proves the client holds the secret of its static key. */
	if (noise_hs_read(hs->noise, in + PROTO_HDR_LEN, PROTO_AUTH_BODY,
	    NULL, 0, &plen) || plen != 0)
		return (hs_fail(hs, PROTO_E_CRYPTO));
	if (noise_hs_remote_static(hs->noise, hs->peer))
		return (hs_fail(hs, PROTO_E_STATE));
	hs->has_peer = 1;
	hs->step = STEP_DONE;
	return (PROTO_OK);
}

/**
 * proto_hs_peer(hs, pub):
 * Copy the peer's long-term public key into ${pub}, once the peer has
 * proved it (also after a PROTO_E_PIN failure, to report the key seen).
 * Returns PROTO_OK, or PROTO_E_STATE if it is not known.
 */
int
proto_hs_peer(const struct proto_hs *hs, uint8_t pub[32])
{

	if (!hs->has_peer)
		return (PROTO_E_STATE);
	memcpy(pub, hs->peer, 32);
	return (PROTO_OK);
}

/**
 * proto_hs_session(hs, s):
 * After a finished handshake, derive the session keys and the data-port
 * token into ${s}.  Returns PROTO_OK, or PROTO_E_STATE.
 */
int
proto_hs_session(struct proto_hs *hs, struct proto_session *s)
{
	struct noise_cipher c1, c2;
	uint8_t token_key[32];

	if (hs->step != STEP_DONE)
		return (PROTO_E_STATE);
	memcpy(s->peer, hs->peer, 32);
	noise_hs_hash(hs->noise, s->hash);
	if (noise_hs_split(hs->noise, &c1, &c2))
		return (PROTO_E_STATE);

	/*
	 * c1 protects client-to-server traffic, c2 server-to-client.  Each
	 * secretstream key is subkey 1 of its split key; the token key is
	 * subkey 2 of c1's, and the token is BLAKE2b-256 of the handshake hash
	 * under it: secret, and bound to this handshake alone.
	 */
	crypto_kdf_derive_from_key(hs->initiator ? s->tx_key : s->rx_key, 32, 1,
	    KDF_CTX_STREAM, c1.k);
	crypto_kdf_derive_from_key(hs->initiator ? s->rx_key : s->tx_key, 32, 1,
	    KDF_CTX_STREAM, c2.k);
	crypto_kdf_derive_from_key(token_key, 32, 2, KDF_CTX_TOKEN, c1.k);
	crypto_generichash(s->token, PROTO_TOKEN_LEN, s->hash, sizeof(s->hash),
	    token_key, sizeof(token_key));

	/* Only the session keeps secrets from here on. */
	sodium_memzero(token_key, sizeof(token_key));
	noise_cipher_wipe(&c1);
	noise_cipher_wipe(&c2);
	noise_hs_free(hs->noise);
	hs->noise = NULL;
	hs->step = STEP_DEAD;
	return (PROTO_OK);
}

/**
 * proto_session_wipe(s):
 * Erase every secret in ${s}.
 */
void
proto_session_wipe(struct proto_session *s)
{

	sodium_memzero(s, sizeof(*s));
}

/**
 * proto_check_header(hdr, type, body_len):
 * Check the PROTO_HDR_LEN bytes ${hdr} of a message expected to be of
 * ${type} with a body of ${body_len} bytes.  Returns PROTO_OK,
 * PROTO_E_REMOTE if ${hdr} starts an ERROR message (whose body is one code
 * byte), or PROTO_E_MAGIC, PROTO_E_VERSION, PROTO_E_TYPE, PROTO_E_LENGTH.
 */
int
proto_check_header(const uint8_t hdr[PROTO_HDR_LEN], int type,
    size_t body_len)
{
	size_t len = ((size_t)hdr[6] << 8) | hdr[7];

	if (memcmp(hdr, PROTO_MAGIC, 4) != 0)
		return (PROTO_E_MAGIC);

	/* An ERROR is understood in any version, so the reason gets through. */
	if (hdr[5] == PROTO_T_ERROR && len == PROTO_ERROR_BODY)
		return (PROTO_E_REMOTE);
	if (hdr[4] != PROTO_VERSION)
		return (PROTO_E_VERSION);
	if (hdr[5] != type)
		return (PROTO_E_TYPE);
	if (len != body_len)
		return (PROTO_E_LENGTH);
	return (PROTO_OK);
}

/**
 * proto_error_message(code, out):
 * Write an ERROR message carrying ${code} into ${out}.
 */
void
proto_error_message(int code, uint8_t out[PROTO_ERROR_LEN])
{

	write_header(out, PROTO_T_ERROR, PROTO_ERROR_BODY);
	out[PROTO_HDR_LEN] = (uint8_t)code;
}

/**
 * proto_error_code_str(code):
 * Return a static description of an ERROR message's ${code}.
 */
const char *
proto_error_code_str(int code)
{

	switch (code) {
	case PROTO_ERRCODE_VERSION:
		return ("server does not support this protocol version");
	case PROTO_ERRCODE_MALFORMED:
		return ("server received a malformed handshake message");
	case PROTO_ERRCODE_BUSY:
		return ("server is busy, try again later");
	default:
		return ("server reported an unknown error");
	}
}

/**
 * proto_data_hello(s, stream_header, out):
 * Write the client's DATA_HELLO for session ${s} into ${out}, carrying the
 * client-to-server secretstream header ${stream_header}.
 */
void
proto_data_hello(const struct proto_session *s,
    const uint8_t stream_header[PROTO_STREAM_HDR_LEN],
    uint8_t out[PROTO_DATA_HELLO_LEN])
{

	write_header(out, PROTO_T_DATA_HELLO, PROTO_DATA_HELLO_BODY);
	memcpy(out + PROTO_HDR_LEN, s->token, PROTO_TOKEN_LEN);
	memcpy(out + PROTO_HDR_LEN + PROTO_TOKEN_LEN, stream_header,
	    PROTO_STREAM_HDR_LEN);
}

/**
 * proto_data_check(s, in, stream_header):
 * Check that the DATA_HELLO ${in} proves session ${s}, in constant time,
 * and copy its secretstream header into ${stream_header}.  Returns
 * PROTO_OK, PROTO_E_TOKEN, or a header error code.
 */
int
proto_data_check(const struct proto_session *s,
    const uint8_t in[PROTO_DATA_HELLO_LEN],
    uint8_t stream_header[PROTO_STREAM_HDR_LEN])
{
	int r;

	if ((r = proto_check_header(in, PROTO_T_DATA_HELLO,
	    PROTO_DATA_HELLO_BODY)))
		return (r);
	if (sodium_memcmp(in + PROTO_HDR_LEN, s->token, PROTO_TOKEN_LEN) != 0)
		return (PROTO_E_TOKEN);
	memcpy(stream_header, in + PROTO_HDR_LEN + PROTO_TOKEN_LEN,
	    PROTO_STREAM_HDR_LEN);
	return (PROTO_OK);
}
