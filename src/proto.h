#ifndef PROTO_H_
#define PROTO_H_

#include <stddef.h>
#include <stdint.h>

/*
 * The secchat handshake, version 1: Noise_XX_25519_ChaChaPoly_BLAKE2b with
 * a fixed header on each message, the derivation of the session keys, and
 * the proof that a data-port connection belongs to the session.  Pure
 * functions on fixed-size buffers; no I/O.  docs/PROTOCOL.md gives every
 * byte.
 *
 * Handshake connection:
 *	client -> server  HELLO  (PROTO_HELLO_LEN)   -> e
 *	server -> client  REPLY  (PROTO_REPLY_LEN)   <- e, ee, s, es
 *	client -> server  AUTH   (PROTO_AUTH_LEN)    -> s, se
 * or server -> client ERROR (PROTO_ERROR_LEN) before the handshake is done.
 * Data connection:
 *	client -> server  DATA_HELLO (PROTO_DATA_HELLO_LEN): token, stream header
 */

struct key_pair;
struct proto_hs;

#define PROTO_VERSION		1
#define PROTO_MAGIC		"SCHT"
#define PROTO_HDR_LEN		8	/* magic[4] version type length[2] */
#define PROTO_PROLOGUE		"secchat/1"

#define PROTO_T_HELLO		1
#define PROTO_T_REPLY		2
#define PROTO_T_AUTH		3
#define PROTO_T_DATA_HELLO	4
#define PROTO_T_ERROR		127

#define PROTO_HELLO_BODY	32		/* e */
#define PROTO_REPLY_BODY	(32 + 48 + 16)	/* e, enc(s), enc(empty) */
#define PROTO_AUTH_BODY		(48 + 16)	/* enc(s), enc(empty) */
#define PROTO_TOKEN_LEN		32
#define PROTO_STREAM_HDR_LEN	24	/* secretstream header */
#define PROTO_DATA_HELLO_BODY	(PROTO_TOKEN_LEN + PROTO_STREAM_HDR_LEN)
#define PROTO_ERROR_BODY	1		/* error code */

#define PROTO_HELLO_LEN		(PROTO_HDR_LEN + PROTO_HELLO_BODY)
#define PROTO_REPLY_LEN		(PROTO_HDR_LEN + PROTO_REPLY_BODY)
#define PROTO_AUTH_LEN		(PROTO_HDR_LEN + PROTO_AUTH_BODY)
#define PROTO_DATA_HELLO_LEN	(PROTO_HDR_LEN + PROTO_DATA_HELLO_BODY)
#define PROTO_ERROR_LEN		(PROTO_HDR_LEN + PROTO_ERROR_BODY)

/* Codes carried in an ERROR message. */
#define PROTO_ERRCODE_VERSION	1	/* unsupported protocol version */
#define PROTO_ERRCODE_MALFORMED	2	/* malformed handshake message */
#define PROTO_ERRCODE_BUSY	3	/* server at its limits */

/* Results of the functions below; proto_strerror() names them. */
#define PROTO_OK		0
#define PROTO_E_MAGIC		(-1)	/* not a secchat peer */
#define PROTO_E_VERSION		(-2)	/* peer speaks another version */
#define PROTO_E_TYPE		(-3)	/* unexpected message type */
#define PROTO_E_LENGTH		(-4)	/* wrong length */
#define PROTO_E_CRYPTO		(-5)	/* authentication or key failure */
#define PROTO_E_PIN		(-6)	/* server key differs from the pin */
#define PROTO_E_STATE		(-7)	/* call out of order */
#define PROTO_E_REMOTE		(-8)	/* the peer sent an ERROR message */
#define PROTO_E_TOKEN		(-9)	/* data-port proof does not match */
#define PROTO_E_NOMEM		(-10)	/* out of memory */

/* What a finished handshake yields to one side. */
struct proto_session {
	uint8_t tx_key[32];	/* secretstream key, this side to the peer */
	uint8_t rx_key[32];	/* secretstream key, peer to this side */
	uint8_t token[PROTO_TOKEN_LEN];	/* data-port proof */
	uint8_t hash[64];	/* Noise handshake hash (channel binding) */
	uint8_t peer[32];	/* peer's long-term public key */
};

/**
 * proto_strerror(r):
 * Return a static description of the result code ${r}.
 */
const char *proto_strerror(int);

/**
 * proto_client_new(id, pin):
 * Start a client handshake with the long-term key pair ${id}.  If ${pin} is
 * not NULL, the server's long-term public key must equal those 32 bytes.
 * Returns NULL if out of memory.
 */
struct proto_hs *proto_client_new(const struct key_pair *, const uint8_t *);

/**
 * proto_server_new(id):
 * Start a server handshake with the long-term key pair ${id}.  Returns NULL
 * if out of memory.
 */
struct proto_hs *proto_server_new(const struct key_pair *);

/**
 * proto_hs_set_test_keys(hs, e_secret, claimed_static):
 * For known-answer and adversarial tests only: use ${e_secret} (unless
 * NULL) as the ephemeral secret instead of a random one, and advertise
 * ${claimed_static} (unless NULL) as our long-term public key, as an
 * impostor would.  Call before the first message.  Returns PROTO_OK or
 * PROTO_E_STATE.
 */
int proto_hs_set_test_keys(struct proto_hs *, const uint8_t *,
    const uint8_t *);

/**
 * proto_hs_free(hs):
 * Wipe and free ${hs}.  Does nothing if ${hs} is NULL.
 */
void proto_hs_free(struct proto_hs *);

/**
 * proto_client_hello(hs, out):
 * Write the client's HELLO message into ${out}.  Returns PROTO_OK or an
 * error code.
 */
int proto_client_hello(struct proto_hs *, uint8_t[PROTO_HELLO_LEN]);

/**
 * proto_client_read_reply(hs, in):
 * Read the server's REPLY ${in}; on success the server's long-term key is
 * known (proto_hs_peer) and, if a pin was given, equals it.  Returns
 * PROTO_OK, PROTO_E_PIN, or another error code.
 */
int proto_client_read_reply(struct proto_hs *, const uint8_t[PROTO_REPLY_LEN]);

/**
 * proto_client_auth(hs, out):
 * Write the client's AUTH message into ${out}; the handshake is then done
 * on the client's side.  Returns PROTO_OK or an error code.
 */
int proto_client_auth(struct proto_hs *, uint8_t[PROTO_AUTH_LEN]);

/**
 * proto_server_reply(hs, in, out):
 * Read the client's HELLO ${in} and write the server's REPLY into ${out}.
 * Returns PROTO_OK or an error code.
 */
int proto_server_reply(struct proto_hs *, const uint8_t[PROTO_HELLO_LEN],
    uint8_t[PROTO_REPLY_LEN]);

/**
 * proto_server_read_auth(hs, in):
 * Read the client's AUTH ${in}; on success the handshake is done and the
 * client's long-term key is known (proto_hs_peer).  The caller must still
 * check that key against its allowlist.  Returns PROTO_OK or an error code.
 */
int proto_server_read_auth(struct proto_hs *, const uint8_t[PROTO_AUTH_LEN]);

/**
 * proto_hs_peer(hs, pub):
 * Copy the peer's long-term public key into ${pub}, once the peer has
 * proved it (also after a PROTO_E_PIN failure, to report the key seen).
 * Returns PROTO_OK, or PROTO_E_STATE if it is not known.
 */
int proto_hs_peer(const struct proto_hs *, uint8_t[32]);

/**
 * proto_hs_session(hs, s):
 * After a finished handshake, derive the session keys and the data-port
 * token into ${s}.  Returns PROTO_OK, or PROTO_E_STATE.
 */
int proto_hs_session(struct proto_hs *, struct proto_session *);

/**
 * proto_session_wipe(s):
 * Erase every secret in ${s}.
 */
void proto_session_wipe(struct proto_session *);

/**
 * proto_check_header(hdr, type, body_len):
 * Check the PROTO_HDR_LEN bytes ${hdr} of a message expected to be of
 * ${type} with a body of ${body_len} bytes.  Returns PROTO_OK,
 * PROTO_E_REMOTE if ${hdr} starts an ERROR message (whose body is one code
 * byte), or PROTO_E_MAGIC, PROTO_E_VERSION, PROTO_E_TYPE, PROTO_E_LENGTH.
 */
int proto_check_header(const uint8_t[PROTO_HDR_LEN], int, size_t);

/**
 * proto_error_message(code, out):
 * Write an ERROR message carrying ${code} into ${out}.
 */
void proto_error_message(int, uint8_t[PROTO_ERROR_LEN]);

/**
 * proto_error_code_str(code):
 * Return a static description of an ERROR message's ${code}.
 */
const char *proto_error_code_str(int);

/**
 * proto_data_hello(s, stream_header, out):
 * Write the client's DATA_HELLO for session ${s} into ${out}, carrying the
 * client-to-server secretstream header ${stream_header}.
 */
void proto_data_hello(const struct proto_session *,
    const uint8_t[PROTO_STREAM_HDR_LEN], uint8_t[PROTO_DATA_HELLO_LEN]);

/**
 * proto_data_check(s, in, stream_header):
 * Check that the DATA_HELLO ${in} proves session ${s}, in constant time,
 * and copy its secretstream header into ${stream_header}.  Returns
 * PROTO_OK, PROTO_E_TOKEN, or a header error code.
 */
int proto_data_check(const struct proto_session *,
    const uint8_t[PROTO_DATA_HELLO_LEN], uint8_t[PROTO_STREAM_HDR_LEN]);

#endif /* !PROTO_H_ */
