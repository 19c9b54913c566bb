#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "channel.h"

/**
 * channel_strerror(r):
 * Return a static description of the result code ${r}.
 */
const char *
channel_strerror(int r)
{

	switch (r) {
	case CHANNEL_OK:
		return ("success");
	case CHANNEL_E_LENGTH:
		return ("frame length out of bounds");
	case CHANNEL_E_AUTH:
		return ("frame failed authentication (forged, replayed or "
		    "reordered)");
	case CHANNEL_E_FORMAT:
		return ("malformed record");
	case CHANNEL_E_FINISHED:
		return ("frame after the end of the stream");
	case CHANNEL_E_STATE:
		return ("stream not started");
	default:
		return ("unknown error");
	}
}

/**
 * channel_tx_start(d, key, header):
 * Start the sending direction ${d} with the 32-byte ${key}, writing the
 * stream header to send first into ${header}.
 */
void
channel_tx_start(struct channel_dir *d, const uint8_t key[32],
    uint8_t header[CHANNEL_HEADER_LEN])
{

	crypto_secretstream_xchacha20poly1305_init_push(&d->st, header, key);
	d->started = 1;
	d->finished = 0;
}

/**
 * channel_rx_start(d, key, header):
 * Start the receiving direction ${d} with the 32-byte ${key} and the
 * peer's stream ${header}.  Returns CHANNEL_OK or CHANNEL_E_AUTH.
 */
int
channel_rx_start(struct channel_dir *d, const uint8_t key[32],
    const uint8_t header[CHANNEL_HEADER_LEN])
{

	if (crypto_secretstream_xchacha20poly1305_init_pull(&d->st, header,
	    key) != 0)
		return (CHANNEL_E_AUTH);
	d->started = 1;
	d->finished = 0;
	return (CHANNEL_OK);
}

/**
 * channel_seal(d, record, record_len, final, out, out_len):
 * Encrypt the record ${record} (type byte and body, ${record_len} bytes,
 * at most CHANNEL_RECORD_MAX) as the next frame of ${d} into ${out}, which
 * must hold ${record_len} + CHANNEL_LEN_LEN + CHANNEL_ABYTES bytes, and
 * store the frame length in ${out_len}.  With ${final} set this is the
 * stream's last frame.  Returns CHANNEL_OK, CHANNEL_E_LENGTH,
 * CHANNEL_E_STATE, or CHANNEL_E_FINISHED.
 */
int
channel_seal(struct channel_dir *d, const uint8_t *record, size_t record_len,
    int final, uint8_t *out, size_t *out_len)
{
	unsigned long long ct_len;
	unsigned char tag;

	if (!d->started)
		return (CHANNEL_E_STATE);
	if (d->finished)
		return (CHANNEL_E_FINISHED);
	if (record_len < 1 || record_len > CHANNEL_RECORD_MAX)
		return (CHANNEL_E_LENGTH);

	/* Ciphertext after the 4-byte big-endian length. */
	tag = final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL :
	    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
	crypto_secretstream_xchacha20poly1305_push(&d->st,
	    out + CHANNEL_LEN_LEN, &ct_len, record, record_len, NULL, 0, tag);
	out[0] = (uint8_t)(ct_len >> 24);
	out[1] = (uint8_t)(ct_len >> 16);
	out[2] = (uint8_t)(ct_len >> 8);
	out[3] = (uint8_t)ct_len;
	*out_len = CHANNEL_LEN_LEN + (size_t)ct_len;
	if (final)
		d->finished = 1;
	return (CHANNEL_OK);
}

/**
 * channel_frame_length(prefix, ct_len):
 * Decode the frame's length ${prefix} into ${ct_len}, the number of
 * ciphertext bytes that follow, refusing any value outside
 * [CHANNEL_CT_MIN, CHANNEL_CT_MAX] before anything is allocated or read.
 * Returns CHANNEL_OK or CHANNEL_E_LENGTH.
 */
int
channel_frame_length(const uint8_t prefix[CHANNEL_LEN_LEN], size_t *ct_len)
{
	uint32_t len;

	len = ((uint32_t)prefix[0] << 24) | ((uint32_t)prefix[1] << 16) |
	    ((uint32_t)prefix[2] << 8) | (uint32_t)prefix[3];
	if (len < CHANNEL_CT_MIN || len > CHANNEL_CT_MAX)
		return (CHANNEL_E_LENGTH);
	*ct_len = len;
	return (CHANNEL_OK);
}

/* Check that a record of ${len} bytes is well formed for its type. */
static int
record_valid(const uint8_t *record, size_t len, int final)
{

	switch (record[0]) {
	case CHANNEL_T_MSG:
		return (!final);
	case CHANNEL_T_PORT:
		return (!final && len == 3);
	case CHANNEL_T_REFUSED:
		return (final && len == 2);
	case CHANNEL_T_CLOSE:
		return (final && len <= 1 + CHANNEL_CLOSE_REASON_MAX);
	default:
		return (0);
	}
}

/**
 * channel_open(d, ct, ct_len, record, record_len, final):
 * Decrypt and authenticate the ciphertext ${ct} of ${ct_len} bytes (as
 * announced by its prefix) from ${d} into ${record} (CHANNEL_RECORD_MAX
 * bytes), store its length in ${record_len} and whether it ends the stream
 * in ${final}.  Checks that the record type is known, that its body fits
 * the type, and that FINAL comes exactly with REFUSED and CLOSE.  Returns
 * CHANNEL_OK or an error code; after an error the stream is unusable.
 */
int
channel_open(struct channel_dir *d, const uint8_t *ct, size_t ct_len,
    uint8_t *record, size_t *record_len, int *final)
{
	unsigned long long len;
	unsigned char tag;

	if (!d->started)
		return (CHANNEL_E_STATE);
	if (d->finished)
		return (CHANNEL_E_FINISHED);
	if (ct_len < CHANNEL_CT_MIN || ct_len > CHANNEL_CT_MAX)
		goto fail_length;

	/* Authenticate and decrypt; a failure leaves the state unchanged. */
	if (crypto_secretstream_xchacha20poly1305_pull(&d->st, record, &len,
	    &tag, ct, ct_len, NULL, 0) != 0)
		goto fail_auth;
	*final = (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL);
	if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE &&
	    !*final)
		goto fail_format;
	if (!record_valid(record, (size_t)len, *final))
		goto fail_format;
	*record_len = (size_t)len;
	if (*final)
		d->finished = 1;
	return (CHANNEL_OK);

fail_length:
	d->finished = 1;
	return (CHANNEL_E_LENGTH);
fail_auth:
	d->finished = 1;
	return (CHANNEL_E_AUTH);
fail_format:
	sodium_memzero(record, (size_t)len);
	d->finished = 1;
	return (CHANNEL_E_FORMAT);
}

/**
 * channel_dir_wipe(d):
 * Erase the key state of ${d}.
 */
void
channel_dir_wipe(struct channel_dir *d)
{

	sodium_memzero(d, sizeof(*d));
}
