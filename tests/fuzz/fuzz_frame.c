#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "fuzz_util.h"

/*
 * Fuzz target: frames on a started stream, read as the session and the
 * client read them: channel_frame_length on each 4-byte prefix, then
 * channel_open on the ciphertext it announces, frame after frame.  The
 * first input byte chooses how the bytes are made (bit 0x01):
 *	0  raw: the next CHANNEL_HEADER_LEN bytes are the stream header,
 *	   the rest the frames, as read from the network, under the genuine
 *	   client-to-server key;
 *	1  script: each 4 bytes of the rest, up to OPS_MAX, is one record
 *	   for the sender to seal: type, body length (9 bits: bit 0 of the
 *	   second byte, then the third byte; FL_BIG adds 65280, to reach
 *	   the largest record), flags (FL_* below); the second byte also
 *	   says which ciphertext byte FL_BAD_CT changes.  The frames then go
 *	   to the receiver.  Records past BYTES_MAX in all are left out, to
 *	   keep each run short.
 *
 * Invariants: a length is refused exactly when out of bounds; an open
 * record has the length its frame announced, a known type, a body that fits
 * the type and FINAL exactly with REFUSED and CLOSE; after an error or a
 * FINAL record, every frame is refused as after the end.  For scripts, the
 * sender refuses an empty or oversize record and anything after FINAL, and
 * the receiver gets exactly the records sent, in order, until the first
 * frame that was changed, dropped, replayed or moved, which is refused.
 */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Script operations, and what each flag bit does to its frame. */
#define OPS_MAX		32
#define FRAMES_MAX	(2 * OPS_MAX)
#define BYTES_MAX	(4 * CHANNEL_RECORD_MAX)	/* records, in all */
#define FL_FINAL	0x01	/* seal with the FINAL tag */
#define FL_BAD_CT	0x02	/* change one ciphertext byte */
#define FL_DROP		0x04	/* do not send it */
#define FL_REPLAY	0x08	/* send it twice */
#define FL_SWAP		0x10	/* send it before the previous frame */
#define FL_BAD_LEN	0x20	/* change the length prefix */
#define FL_EMPTY	0x40	/* an empty record (not even a type) */
#define FL_BIG		0x80	/* add 65280 to the body length */

/* A frame on the wire, and what the receiver must make of it. */
struct frame {
	uint8_t *buf;		/* length prefix and ciphertext */
	size_t len;
	int seq;		/* position in the sender's stream */
	int final;		/* sealed with FINAL */
	int bad_ct;		/* a ciphertext byte was changed */
	int bad_len;		/* the length prefix was changed */
	uint8_t *record;	/* the record sealed */
	size_t record_len;
};

/* The frames in the order sent. */
struct script {
	struct frame f[FRAMES_MAX];
	int n;
};

/* What the receiver has seen so far. */
struct rx_state {
	struct channel_dir d;
	int finished;		/* an error or a FINAL record came */
	int next_seq;		/* position of the next record to accept */
	int desync;		/* a changed prefix broke the framing */
	uint8_t *record;	/* CHANNEL_RECORD_MAX bytes */
};

/* Return non-zero if the record ${r} of ${len} bytes is valid (channel.h). */
static int
record_ok(const uint8_t *r, size_t len, int final)
{

	if (len < 1 || len > CHANNEL_RECORD_MAX)
		return (0);
	switch (r[0]) {
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

/* Check channel_frame_length's verdict ${r} and ${ct_len} on ${prefix}. */
static void
check_length(const uint8_t prefix[CHANNEL_LEN_LEN], int r, size_t ct_len)
{
	uint32_t len;

	len = ((uint32_t)prefix[0] << 24) | ((uint32_t)prefix[1] << 16) |
	    ((uint32_t)prefix[2] << 8) | (uint32_t)prefix[3];
	if (len < CHANNEL_CT_MIN || len > CHANNEL_CT_MAX)
		fuzz_check(r == CHANNEL_E_LENGTH, "out of bounds: refused");
	else
		fuzz_check(r == CHANNEL_OK && ct_len == len,
		    "length in bounds accepted");
}

/* Check what the script ${fr} expected of the frame just opened. */
static void
check_expected(struct rx_state *rx, const struct frame *fr, int r,
    size_t len, int final)
{
	int genuine;

	/* A changed prefix moves every later frame boundary. */
	if (fr == NULL || fr->bad_len)
		rx->desync = 1;
	if (rx->desync) {
		fuzz_check(r != CHANNEL_OK, "nothing after a bad prefix");
		return;
	}

	/* The next record, unchanged: exactly what was sent. */
	genuine = (fr->seq == rx->next_seq && !fr->bad_ct);
	if (rx->finished)
		fuzz_check(r == CHANNEL_E_FINISHED, "refused after the end");
	else if (!genuine)
		fuzz_check(r == CHANNEL_E_AUTH, "a moved or changed frame");
	else if (!record_ok(fr->record, fr->record_len, fr->final))
		fuzz_check(r == CHANNEL_E_FORMAT, "a malformed record");
	else
		fuzz_check(r == CHANNEL_OK && len == fr->record_len &&
		    final == fr->final && memcmp(rx->record, fr->record,
		    len) == 0, "the record sent is the record read");
	if (r == CHANNEL_OK)
		rx->next_seq++;
}

/* Open the ciphertext ${ct} of ${ct_len} bytes; check it with ${fr}. */
static void
open_one(struct rx_state *rx, const uint8_t *ct, size_t ct_len,
    const struct frame *fr, int scripted)
{
	uint8_t *buf;
	size_t len = 0;
	int final = 0, r, was_finished = rx->finished;

	/* The ciphertext, in a buffer of exactly its size. */
	buf = fuzz_buf(ct, ct_len, ct_len);
	r = channel_open(&rx->d, buf, ct_len, rx->record, &len, &final);
	free(buf);

	/* What holds for any stream. */
	if (was_finished)
		fuzz_check(r == CHANNEL_E_FINISHED, "nothing after the end");
	if (r == CHANNEL_OK)
		fuzz_check(len == ct_len - CHANNEL_ABYTES &&
		    record_ok(rx->record, len, final), "a valid record");
	if (scripted)
		check_expected(rx, fr, r, len, final);
	if (r != CHANNEL_OK || final)
		rx->finished = 1;
}

/* Return the frame of ${sc} that starts at ${off} of the wire, or NULL. */
static const struct frame *
frame_at(const struct script *sc, size_t off)
{
	size_t pos = 0;
	int i;

	for (i = 0; i < sc->n; i++) {
		if (pos == off)
			return (&sc->f[i]);
		pos += sc->f[i].len;
	}
	return (NULL);
}

/* Read the frames in ${wire}; ${sc}, unless NULL, says what they are. */
static void
read_frames(struct rx_state *rx, const uint8_t *wire, size_t size,
    const struct script *sc)
{
	size_t off = 0, ct_len = 0;
	int r;

	while (size - off >= CHANNEL_LEN_LEN) {
		/* The length first, refused before anything is read. */
		r = channel_frame_length(wire + off, &ct_len);
		check_length(wire + off, r, ct_len);
		if (r != CHANNEL_OK)
			return;

		/* A frame cut short waits for bytes that never come. */
		if (size - off - CHANNEL_LEN_LEN < ct_len)
			return;
		open_one(rx, wire + off + CHANNEL_LEN_LEN, ct_len,
		    sc != NULL ? frame_at(sc, off) : NULL, sc != NULL);
		off += CHANNEL_LEN_LEN + ct_len;
	}
}

/* Fill the record for ${op} into a new buffer; its length in ${lenp}. */
static uint8_t *
make_record(const uint8_t op[4], int seq, size_t *lenp)
{
	size_t len;
	uint8_t *r;

	/* Type byte, then a body of the length asked, marked with ${seq}. */
	len = 1 + ((((size_t)op[1] & 0x01) << 8) | op[2]);
	if (op[3] & FL_BIG)
		len += 65536 - 256;
	if (op[3] & FL_EMPTY)
		len = 0;
	r = fuzz_buf(op, len > 0 ? 1 : 0, len);
	if (len > 1)
		memset(r + 1, (int)(seq * 31 + 7) & 0xff, len - 1);
	*lenp = len;
	return (r);
}

/* Append a copy of ${fr} to ${sc}, before the last frame if ${swap}. */
static void
add_frame(struct script *sc, const struct frame *fr, int swap)
{
	struct frame *f = &sc->f[sc->n++];
	struct frame tmp;

	*f = *fr;
	f->buf = fuzz_buf(fr->buf, fr->len, fr->len);
	f->record = fuzz_buf(fr->record, fr->record_len, fr->record_len);
	if (swap && sc->n > 1) {
		tmp = sc->f[sc->n - 2];
		sc->f[sc->n - 2] = *f;
		*f = tmp;
	}
}

/* Change the frame ${fr} as the flags ${fl} ask. */
static void
damage(struct frame *fr, uint8_t fl, uint8_t where)
{
	size_t ct_len = fr->len - CHANNEL_LEN_LEN;

	fr->bad_ct = (fl & FL_BAD_CT) != 0;
	fr->bad_len = (fl & FL_BAD_LEN) != 0;
	if (fr->bad_ct)
		fr->buf[CHANNEL_LEN_LEN + where % ct_len] ^= 0x01;
	if (fr->bad_len)
		fr->buf[CHANNEL_LEN_LEN - 1] ^= 0x01;
}

/* Seal the record of ${op} on ${tx} and send it into ${sc} as flagged. */
static void
send_op(struct channel_dir *tx, int *seq, int *finished, size_t *budget,
    const uint8_t op[4], struct script *sc)
{
	struct frame fr;
	int r, expect;

	/* Within the budget of bytes. */
	memset(&fr, 0, sizeof(fr));
	fr.record = make_record(op, *seq, &fr.record_len);
	if (fr.record_len > *budget) {
		free(fr.record);
		return;
	}
	*budget -= fr.record_len;

	/* The sender refuses an empty or oversize record, and after FINAL. */
	fr.final = (op[3] & FL_FINAL) != 0;
	fr.buf = fuzz_buf(NULL, 0, fr.record_len + CHANNEL_LEN_LEN +
	    CHANNEL_ABYTES);
	r = channel_seal(tx, fr.record, fr.record_len, fr.final, fr.buf,
	    &fr.len);
	if (*finished)
		expect = CHANNEL_E_FINISHED;
	else if (fr.record_len < 1 || fr.record_len > CHANNEL_RECORD_MAX)
		expect = CHANNEL_E_LENGTH;
	else
		expect = CHANNEL_OK;
	fuzz_check(r == expect, "the sender refuses what it must");

	/* Send the frame, changed, dropped, replayed or moved as asked. */
	if (r == CHANNEL_OK) {
		fuzz_check(fr.len == CHANNEL_LEN_LEN + CHANNEL_ABYTES +
		    fr.record_len, "frame length");
		fr.seq = (*seq)++;
		*finished = fr.final;
		damage(&fr, op[3], op[1]);
		if (!(op[3] & FL_DROP)) {
			add_frame(sc, &fr, (op[3] & FL_SWAP) != 0);
			if (op[3] & FL_REPLAY)
				add_frame(sc, &fr, 0);
		}
	}
	free(fr.buf);
	free(fr.record);
}

/* Concatenate the frames of ${sc} into a new buffer; its size in ${lenp}. */
static uint8_t *
make_wire(const struct script *sc, size_t *lenp)
{
	uint8_t *wire;
	size_t len = 0;
	int i;

	for (i = 0; i < sc->n; i++)
		len += sc->f[i].len;
	wire = fuzz_buf(NULL, 0, len);
	len = 0;
	for (i = 0; i < sc->n; i++) {
		memcpy(wire + len, sc->f[i].buf, sc->f[i].len);
		len += sc->f[i].len;
	}
	*lenp = len;
	return (wire);
}

/* Run the script ${ops} (${n} operations) through a sender and ${rx}. */
static void
run_script(const struct fuzz_fixed *f, struct rx_state *rx,
    const uint8_t *ops, size_t n)
{
	uint8_t header[CHANNEL_HEADER_LEN];
	struct channel_dir tx;
	struct script sc;
	uint8_t *wire;
	size_t i, len, budget = BYTES_MAX;
	int seq = 0, finished = 0;

	/* The client's stream to the server. */
	channel_tx_start(&tx, f->cs.tx_key, header);
	fuzz_check(channel_rx_start(&rx->d, f->ss.rx_key, header) ==
	    CHANNEL_OK, "channel_rx_start");

	/* Seal and send, then read. */
	sc.n = 0;
	for (i = 0; i < n && i < OPS_MAX; i++)
		send_op(&tx, &seq, &finished, &budget, ops + 4 * i, &sc);
	wire = make_wire(&sc, &len);
	read_frames(rx, wire, len, &sc);
	free(wire);
	for (i = 0; i < (size_t)sc.n; i++) {
		free(sc.f[i].buf);
		free(sc.f[i].record);
	}
	channel_dir_wipe(&tx);
}

/* Read the stream header and frames in ${data} from the network. */
static void
run_raw(const struct fuzz_fixed *f, struct rx_state *rx,
    const uint8_t *data, size_t size)
{
	uint8_t *header;
	size_t len = 0;
	int final = 0;

	/* A stream that has not started opens nothing. */
	fuzz_check(channel_open(&rx->d, data, size, rx->record, &len,
	    &final) == CHANNEL_E_STATE, "nothing before the start");

	/* Any header starts the stream; the frames must then authenticate. */
	header = fuzz_buf(data, size, CHANNEL_HEADER_LEN);
	fuzz_check(channel_rx_start(&rx->d, f->ss.rx_key, header) ==
	    CHANNEL_OK, "channel_rx_start");
	free(header);
	if (size > CHANNEL_HEADER_LEN)
		read_frames(rx, data + CHANNEL_HEADER_LEN,
		    size - CHANNEL_HEADER_LEN, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_fixed *f = fuzz_init();
	struct rx_state rx;

	if (size < 1)
		return (0);
	memset(&rx, 0, sizeof(rx));
	rx.record = fuzz_buf(NULL, 0, CHANNEL_RECORD_MAX);
	if (data[0] & 0x01)
		run_script(f, &rx, data + 1, (size - 1) / 4);
	else
		run_raw(f, &rx, data + 1, size - 1);
	channel_dir_wipe(&rx.d);
	free(rx.record);
	return (0);
}
