#ifndef CHANNEL_H_
#define CHANNEL_H_

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

/*
 * The secchat channel: after the handshake, each direction is one
 * crypto_secretstream_xchacha20poly1305 stream, started by a 24-byte header,
 * carrying frames
 *	length[4]  big-endian length of the ciphertext that follows
 *	ciphertext secretstream record of: type[1] body[0..CHANNEL_BODY_MAX]
 * so that tampering, replay, reordering and truncation are all detected.
 * An orderly close is a CLOSE record with the FINAL tag.  Pure functions on
 * buffers; no I/O.
 */

#define CHANNEL_BODY_MAX	65536	/* largest message body: 64 KiB */
#define CHANNEL_HEADER_LEN	crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define CHANNEL_LEN_LEN		4
#define CHANNEL_ABYTES		crypto_secretstream_xchacha20poly1305_ABYTES
#define CHANNEL_CT_MIN		(CHANNEL_ABYTES + 1)
#define CHANNEL_CT_MAX		(CHANNEL_ABYTES + 1 + CHANNEL_BODY_MAX)
#define CHANNEL_FRAME_MAX	(CHANNEL_LEN_LEN + CHANNEL_CT_MAX)
#define CHANNEL_RECORD_MAX	(1 + CHANNEL_BODY_MAX)	/* type + body */

/* Record types (the first plaintext byte). */
#define CHANNEL_T_MSG		1	/* a chat message */
#define CHANNEL_T_PORT		2	/* server: data port, 2 bytes big-endian */
#define CHANNEL_T_REFUSED	3	/* server: refusal, 1 reason byte; FINAL */
#define CHANNEL_T_CLOSE		4	/* orderly close, optional reason; FINAL */

/* Reasons carried in a REFUSED record. */
#define CHANNEL_REFUSE_NOT_ALLOWED	1	/* key not on the allowlist */
#define CHANNEL_REFUSE_BUSY		2	/* server at its limits */
#define CHANNEL_REFUSE_INTERNAL		3	/* server could not start it */
#define CHANNEL_REFUSE_EXPIRED		4	/* the key's expires= passed */
#define CHANNEL_REFUSE_SOURCE		5	/* not from the key's from= */
#define CHANNEL_REFUSE_KEY_LIMIT	6	/* the key's max_sessions */

#define CHANNEL_CLOSE_REASON_MAX	200

/* Results. */
#define CHANNEL_OK		0
#define CHANNEL_E_LENGTH	(-1)	/* length prefix out of bounds */
#define CHANNEL_E_AUTH		(-2)	/* forged, replayed, reordered record */
#define CHANNEL_E_FORMAT	(-3)	/* bad record type or body */
#define CHANNEL_E_FINISHED	(-4)	/* record after the stream's end */
#define CHANNEL_E_STATE		(-5)	/* stream not started */

/* One direction of a channel. */
struct channel_dir {
	crypto_secretstream_xchacha20poly1305_state st;
	int started;
	int finished;
};

/**
 * channel_strerror(r):
 * Return a static description of the result code ${r}.
 */
const char *channel_strerror(int);

/**
 * channel_tx_start(d, key, header):
 * Start the sending direction ${d} with the 32-byte ${key}, writing the
 * stream header to send first into ${header}.
 */
void channel_tx_start(struct channel_dir *, const uint8_t[32],
    uint8_t[CHANNEL_HEADER_LEN]);

/**
 * channel_rx_start(d, key, header):
 * Start the receiving direction ${d} with the 32-byte ${key} and the
 * peer's stream ${header}.  Returns CHANNEL_OK or CHANNEL_E_AUTH.
 */
int channel_rx_start(struct channel_dir *, const uint8_t[32],
    const uint8_t[CHANNEL_HEADER_LEN]);

/**
 * channel_seal(d, record, record_len, final, out, out_len):
 * Encrypt the record ${record} (type byte and body, ${record_len} bytes,
 * at most CHANNEL_RECORD_MAX) as the next frame of ${d} into ${out}, which
 * must hold ${record_len} + CHANNEL_LEN_LEN + CHANNEL_ABYTES bytes, and
 * store the frame length in ${out_len}.  With ${final} set this is the
 * stream's last frame.  Returns CHANNEL_OK, CHANNEL_E_LENGTH,
 * CHANNEL_E_STATE, or CHANNEL_E_FINISHED.
 */
int channel_seal(struct channel_dir *, const uint8_t *, size_t, int,
    uint8_t *, size_t *);

/**
 * channel_frame_length(prefix, ct_len):
 * Decode the frame's length ${prefix} into ${ct_len}, the number of
 * ciphertext bytes that follow, refusing any value outside
 * [CHANNEL_CT_MIN, CHANNEL_CT_MAX] before anything is allocated or read.
 * Returns CHANNEL_OK or CHANNEL_E_LENGTH.
 */
int channel_frame_length(const uint8_t[CHANNEL_LEN_LEN], size_t *);

/**
 * channel_open(d, ct, ct_len, record, record_len, final):
 * Decrypt and authenticate the ciphertext ${ct} of ${ct_len} bytes (as
 * announced by its prefix) from ${d} into ${record} (CHANNEL_RECORD_MAX
 * bytes), store its length in ${record_len} and whether it ends the stream
 * in ${final}.  Checks that the record type is known, that its body fits
 * the type, and that FINAL comes exactly with REFUSED and CLOSE.  Returns
 * CHANNEL_OK or an error code; after an error the stream is unusable.
 */
int channel_open(struct channel_dir *, const uint8_t *, size_t,
    uint8_t *, size_t *, int *);

/**
 * channel_dir_wipe(d):
 * Erase the key state of ${d}.
 */
void channel_dir_wipe(struct channel_dir *);

#endif /* !CHANNEL_H_ */
