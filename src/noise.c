#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "noise.h"

/*
 * A generic, token-driven Noise handshake (rev 34, sections 5 and 7) for
 * the suite 25519_ChaChaPoly_BLAKE2b.  A pattern is a list of messages,
 * each a list of tokens; the initiator writes the even-numbered messages
 * and the responder the odd-numbered ones.  DH tokens name the
 * initiator's key first and the responder's second, so each side maps
 * them onto its own (local, remote) key pair.
 */

#define BLAKE2B_BLOCKLEN	128	/* HMAC block size of BLAKE2b */
#define NONCELEN	crypto_aead_chacha20poly1305_ietf_NPUBBYTES
#define MAXMSGS		3	/* messages in the longest pattern */
#define MAXTOKENS	5	/* tokens per message, TOK_END included */

/* Handshake tokens; TOK_END (zero) ends a message. */
enum tok {
	TOK_END = 0,
	TOK_E,
	TOK_S,
	TOK_EE,
	TOK_ES,
	TOK_SE,
	TOK_SS
};

/* A handshake pattern. */
struct pattern {
	const char *name;			/* protocol name */
	int nmsgs;				/* number of messages */
	uint8_t msgs[MAXMSGS][MAXTOKENS];	/* tokens of each message */
	int resp_pre_s;				/* pre-message "<- s" */
};

static const struct pattern patterns[] = {
	[NOISE_PATTERN_XX] = {
		"Noise_XX_25519_ChaChaPoly_BLAKE2b", 3,
		{ { TOK_E },
		  { TOK_E, TOK_EE, TOK_S, TOK_ES },
		  { TOK_S, TOK_SE } },
		0
	},
	[NOISE_PATTERN_IK] = {
		"Noise_IK_25519_ChaChaPoly_BLAKE2b", 2,
		{ { TOK_E, TOK_ES, TOK_S, TOK_SS },
		  { TOK_E, TOK_EE, TOK_SE } },
		1
	}
};

/* A HandshakeState, with its SymmetricState and CipherState. */
struct noise_hs {
	const struct pattern *pat;
	int initiator;			/* 1 if we are the initiator */
	int msgi;			/* index of the next message */
	int dead;			/* a write or read failed */
	uint8_t ck[NOISE_HASHLEN];	/* chaining key */
	uint8_t h[NOISE_HASHLEN];	/* handshake hash */
	struct noise_cipher cs;		/* handshake cipher */
	uint8_t s[NOISE_DHLEN];		/* local static secret */
	uint8_t s_pub[NOISE_DHLEN];
	uint8_t e[NOISE_DHLEN];		/* local ephemeral secret */
	uint8_t e_pub[NOISE_DHLEN];
	int has_e;
	uint8_t rs[NOISE_DHLEN];	/* remote static public key */
	int has_rs;
	uint8_t re[NOISE_DHLEN];	/* remote ephemeral public key */
	int has_re;
};

/* Compute HMAC-BLAKE2b(${key}, ${a} || ${b}) into ${out}. */
static void
hmac(const uint8_t key[NOISE_HASHLEN], const uint8_t *a, size_t a_len,
    const uint8_t *b, size_t b_len, uint8_t out[NOISE_HASHLEN])
{
	crypto_generichash_state st;
	uint8_t pad[BLAKE2B_BLOCKLEN];
	uint8_t inner[NOISE_HASHLEN];
	size_t i;

	/* Inner hash: HASH((key ^ ipad) || a || b), key zero-padded. */
	memset(pad, 0x36, sizeof(pad));
	for (i = 0; i < NOISE_HASHLEN; i++)
		pad[i] ^= key[i];
	crypto_generichash_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_update(&st, pad, sizeof(pad));
	if (a_len > 0)
		crypto_generichash_update(&st, a, a_len);
	if (b_len > 0)
		crypto_generichash_update(&st, b, b_len);
	crypto_generichash_final(&st, inner, NOISE_HASHLEN);

	/* Outer hash: HASH((key ^ opad) || inner). */
	memset(pad, 0x5c, sizeof(pad));
	for (i = 0; i < NOISE_HASHLEN; i++)
		pad[i] ^= key[i];
	crypto_generichash_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_update(&st, pad, sizeof(pad));
	crypto_generichash_update(&st, inner, sizeof(inner));
	crypto_generichash_final(&st, out, NOISE_HASHLEN);

	/* Wipe the keyed pads, the inner hash and the hash state. */
	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
	sodium_memzero(&st, sizeof(st));
}

/**
 * noise_hkdf(ck, ikm, ikm_len, out1, out2, out3):
 * The Noise HKDF over HMAC-BLAKE2b: derive two (${out3} NULL) or three
 * NOISE_HASHLEN-byte outputs from chaining key ${ck} and ${ikm}.
 */
void
noise_hkdf(const uint8_t ck[NOISE_HASHLEN], const uint8_t *ikm,
    size_t ikm_len, uint8_t out1[NOISE_HASHLEN], uint8_t out2[NOISE_HASHLEN],
    uint8_t *out3)
{
	uint8_t tk[NOISE_HASHLEN];
	uint8_t t1[NOISE_HASHLEN];
	uint8_t t2[NOISE_HASHLEN];
	uint8_t t3[NOISE_HASHLEN];
	const uint8_t b1 = 0x01, b2 = 0x02, b3 = 0x03;

	/* temp_key = HMAC(ck, ikm). */
	hmac(ck, ikm, ikm_len, NULL, 0, tk);

	/* t1 = HMAC(temp_key, 0x01); tN = HMAC(temp_key, tN-1 || N). */
	hmac(tk, &b1, 1, NULL, 0, t1);
	hmac(tk, t1, sizeof(t1), &b2, 1, t2);
	if (out3 != NULL)
		hmac(tk, t2, sizeof(t2), &b3, 1, t3);

	/* Copy out only now, so that ${out1} may alias ${ck}. */
	memcpy(out1, t1, NOISE_HASHLEN);
	memcpy(out2, t2, NOISE_HASHLEN);
	if (out3 != NULL)
		memcpy(out3, t3, NOISE_HASHLEN);

	/* Wipe the temporaries. */
	sodium_memzero(tk, sizeof(tk));
	sodium_memzero(t1, sizeof(t1));
	sodium_memzero(t2, sizeof(t2));
	sodium_memzero(t3, sizeof(t3));
}

/* Build the ChaChaPoly nonce for counter ${n}: 4 zero bytes, then LE64. */
static void
mknonce(uint64_t n, uint8_t nonce[NONCELEN])
{
	size_t i;

	memset(nonce, 0, 4);
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(n >> (8 * i));
}

/* Encrypt under the key of ${c} with its nonce, then advance the nonce. */
static int
cs_encrypt(struct noise_cipher *c, const uint8_t *ad, size_t ad_len,
    const uint8_t *pt, size_t pt_len, uint8_t *out)
{
	uint8_t nonce[NONCELEN];

	/* The nonce 2^64 - 1 is reserved: the cipher state is exhausted. */
	if (c->n == UINT64_MAX)
		goto err0;

	/* ENCRYPT(k, n, ad, plaintext). */
	mknonce(c->n, nonce);
	if (crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, pt, pt_len,
	    ad, ad_len, NULL, nonce, c->k) != 0)
		goto err0;

	/* Advance the nonce. */
	c->n++;

	/* Success! */
	return (0);

err0:
	/* Failure! */
	return (-1);
}

/* Decrypt under the key of ${c}; advance the nonce only on success. */
static int
cs_decrypt(struct noise_cipher *c, const uint8_t *ad, size_t ad_len,
    const uint8_t *ct, size_t ct_len, uint8_t *out)
{
	uint8_t nonce[NONCELEN];

	/* We need at least a tag, and a nonce that is not the reserved one. */
	if (ct_len < NOISE_TAGLEN || c->n == UINT64_MAX)
		goto err0;

	/* DECRYPT(k, n, ad, ciphertext); wipe any output on failure. */
	mknonce(c->n, nonce);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, ct,
	    ct_len, ad, ad_len, nonce, c->k) != 0) {
		if (ct_len > NOISE_TAGLEN)
			sodium_memzero(out, ct_len - NOISE_TAGLEN);
		goto err0;
	}

	/* Advance the nonce. */
	c->n++;

	/* Success! */
	return (0);

err0:
	/* Failure! */
	return (-1);
}

/**
 * noise_cipher_encrypt(c, ad, ad_len, pt, pt_len, out):
 * Encrypt ${pt} with associated data ${ad} under ${c} into ${out}, which
 * must hold ${pt_len} + NOISE_TAGLEN bytes, and advance the nonce.
 * Returns 0, or -1 if the nonce is exhausted or no key is set.
 */
int
noise_cipher_encrypt(struct noise_cipher *c, const uint8_t *ad,
    size_t ad_len, const uint8_t *pt, size_t pt_len, uint8_t *out)
{

	/* A transport cipher must have a key. */
	if (!c->has_key)
		return (-1);

	/* Encrypt. */
	return (cs_encrypt(c, ad, ad_len, pt, pt_len, out));
}

/**
 * noise_cipher_decrypt(c, ad, ad_len, ct, ct_len, out):
 * Decrypt and authenticate ${ct} into ${out} (${ct_len} - NOISE_TAGLEN
 * bytes) and advance the nonce.  Returns 0, or -1 on authentication
 * failure (the nonce is not advanced), a short ${ct}, or no key.
 */
int
noise_cipher_decrypt(struct noise_cipher *c, const uint8_t *ad,
    size_t ad_len, const uint8_t *ct, size_t ct_len, uint8_t *out)
{

	/* A transport cipher must have a key. */
	if (!c->has_key)
		return (-1);

	/* Decrypt. */
	return (cs_decrypt(c, ad, ad_len, ct, ct_len, out));
}

/**
 * noise_cipher_wipe(c):
 * Erase the key in ${c}.
 */
void
noise_cipher_wipe(struct noise_cipher *c)
{

	/* Erase the key, the nonce and the has-key flag. */
	sodium_memzero(c, sizeof(*c));
}

/* MixHash: set h = HASH(h || ${data}). */
static void
mix_hash(struct noise_hs *hs, const uint8_t *data, size_t len)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_update(&st, hs->h, NOISE_HASHLEN);
	if (len > 0)
		crypto_generichash_update(&st, data, len);
	crypto_generichash_final(&st, hs->h, NOISE_HASHLEN);
	sodium_memzero(&st, sizeof(st));
}

/* MixKey: derive a new chaining key and cipher key from ${ikm}. */
static void
mix_key(struct noise_hs *hs, const uint8_t *ikm, size_t ikm_len)
{
	uint8_t tk[NOISE_HASHLEN];

	/* ck, temp_k = HKDF(ck, ikm, 2). */
	noise_hkdf(hs->ck, ikm, ikm_len, hs->ck, tk, NULL);

	/* InitializeKey(temp_k truncated to 32 bytes). */
	memcpy(hs->cs.k, tk, NOISE_KEYLEN);
	hs->cs.n = 0;
	hs->cs.has_key = 1;

	/* Wipe the temporary. */
	sodium_memzero(tk, sizeof(tk));
}

/* EncryptAndHash: encrypt ${pt} (if keyed) into ${out}; mix it into h. */
static int
encrypt_and_hash(struct noise_hs *hs, const uint8_t *pt, size_t pt_len,
    uint8_t *out, size_t *out_len)
{

	/* Encrypt with h as associated data, or copy if we have no key. */
	if (hs->cs.has_key) {
		if (cs_encrypt(&hs->cs, hs->h, NOISE_HASHLEN, pt, pt_len, out))
			goto err0;
		*out_len = pt_len + NOISE_TAGLEN;
	} else {
		if (pt_len > 0)
			memcpy(out, pt, pt_len);
		*out_len = pt_len;
	}

	/* MixHash(ciphertext). */
	mix_hash(hs, out, *out_len);

	/* Success! */
	return (0);

err0:
	/* Failure! */
	return (-1);
}

/* DecryptAndHash: decrypt ${ct} (if keyed) into ${out}; mix it into h. */
static int
decrypt_and_hash(struct noise_hs *hs, const uint8_t *ct, size_t ct_len,
    uint8_t *out)
{

	/* Decrypt with h as associated data, or copy if we have no key. */
	if (hs->cs.has_key) {
		if (cs_decrypt(&hs->cs, hs->h, NOISE_HASHLEN, ct, ct_len, out))
			goto err0;
	} else if (ct_len > 0) {
		memcpy(out, ct, ct_len);
	}

	/* MixHash(ciphertext). */
	mix_hash(hs, ct, ct_len);

	/* Success! */
	return (0);

err0:
	/* Failure! */
	return (-1);
}

/* Perform the DH token ${tok}, then MixKey(DH result). */
static int
mix_dh(struct noise_hs *hs, int tok)
{
	uint8_t dh[NOISE_DHLEN];
	int ie, re, le, rmt_e;

	/* Does the token use the initiator's and the responder's e? */
	if (tok != TOK_EE && tok != TOK_ES && tok != TOK_SE && tok != TOK_SS)
		goto err0;
	ie = (tok == TOK_EE || tok == TOK_ES);
	re = (tok == TOK_EE || tok == TOK_SE);

	/* Map them onto our local and the remote key. */
	le = hs->initiator ? ie : re;
	rmt_e = hs->initiator ? re : ie;
	if ((le && !hs->has_e) || (rmt_e ? !hs->has_re : !hs->has_rs))
		goto err0;

	/* DH(local, remote); an all-zero result (low order) is an error. */
	if (crypto_scalarmult(dh, le ? hs->e : hs->s,
	    rmt_e ? hs->re : hs->rs) != 0)
		goto err1;

	/* MixKey(DH result), and wipe it. */
	mix_key(hs, dh, sizeof(dh));
	sodium_memzero(dh, sizeof(dh));

	/* Success! */
	return (0);

err1:
	sodium_memzero(dh, sizeof(dh));
err0:
	/* Failure! */
	return (-1);
}

/* Generate a random ephemeral key pair. */
static int
gen_ephemeral(struct noise_hs *hs)
{

	/* Pick a random secret and compute its public key. */
	randombytes_buf(hs->e, NOISE_DHLEN);
	if (crypto_scalarmult_base(hs->e_pub, hs->e) != 0) {
		sodium_memzero(hs->e, NOISE_DHLEN);
		return (-1);
	}
	hs->has_e = 1;

	/* Success! */
	return (0);
}

/* Compute the length of the next message with an empty payload. */
static size_t
msg_overhead(const struct noise_hs *hs)
{
	const uint8_t *tok;
	int has_key = hs->cs.has_key;
	size_t len = 0;

	/* Tokens: e is plain; s is encrypted once keyed; DH tokens key. */
	for (tok = hs->pat->msgs[hs->msgi]; *tok != TOK_END; tok++) {
		if (*tok == TOK_E)
			len += NOISE_DHLEN;
		else if (*tok == TOK_S)
			len += NOISE_DHLEN + (has_key ? NOISE_TAGLEN : 0);
		else
			has_key = 1;
	}

	/* The payload carries a tag once keyed. */
	return (len + (has_key ? NOISE_TAGLEN : 0));
}

/* Process the tokens of the next message, writing them at ${out}[*pos]. */
static int
write_tokens(struct noise_hs *hs, uint8_t *out, size_t *pos)
{
	const uint8_t *tok;
	size_t len;

	for (tok = hs->pat->msgs[hs->msgi]; *tok != TOK_END; tok++) {
		switch (*tok) {
		case TOK_E:
			/* Use the preset ephemeral, or generate one. */
			if (!hs->has_e && gen_ephemeral(hs))
				goto err0;
			memcpy(&out[*pos], hs->e_pub, NOISE_DHLEN);
			mix_hash(hs, hs->e_pub, NOISE_DHLEN);
			*pos += NOISE_DHLEN;
			break;
		case TOK_S:
			/* Append EncryptAndHash(s.public_key). */
			if (encrypt_and_hash(hs, hs->s_pub, NOISE_DHLEN,
			    &out[*pos], &len))
				goto err0;
			*pos += len;
			break;
		default:
			/* A DH token. */
			if (mix_dh(hs, *tok))
				goto err0;
			break;
		}
	}

	/* Success! */
	return (0);

err0:
	/* Failure! */
	return (-1);
}

/* Process the tokens of the next message, reading them at ${msg}[*pos]. */
static int
read_tokens(struct noise_hs *hs, const uint8_t *msg, size_t *pos)
{
	const uint8_t *tok;
	size_t len;

	for (tok = hs->pat->msgs[hs->msgi]; *tok != TOK_END; tok++) {
		switch (*tok) {
		case TOK_E:
			/* Take re from the message; MixHash(re). */
			memcpy(hs->re, &msg[*pos], NOISE_DHLEN);
			hs->has_re = 1;
			mix_hash(hs, hs->re, NOISE_DHLEN);
			*pos += NOISE_DHLEN;
			break;
		case TOK_S:
			/* rs = DecryptAndHash(s, tag included if keyed). */
			len = NOISE_DHLEN + (hs->cs.has_key ? NOISE_TAGLEN : 0);
			if (decrypt_and_hash(hs, &msg[*pos], len, hs->rs))
				goto err0;
			hs->has_rs = 1;
			*pos += len;
			break;
		default:
			/* A DH token. */
			if (mix_dh(hs, *tok))
				goto err0;
			break;
		}
	}

	/* Success! */
	return (0);

err0:
	/* Failure! */
	return (-1);
}

/* Return non-zero if it is our turn to write (${writing}) or to read. */
static int
hs_turn(const struct noise_hs *hs, int writing)
{
	int ours;

	/* Dead or finished handshakes take no more messages. */
	if (hs->dead || hs->msgi >= hs->pat->nmsgs)
		return (0);

	/* The initiator writes the even-numbered messages. */
	ours = ((hs->msgi % 2 == 0) == hs->initiator);
	return (writing ? ours : !ours);
}

/* Move past a processed message; drop what the handshake no longer needs. */
static void
hs_advance(struct noise_hs *hs)
{

	/* Next message. */
	hs->msgi++;

	/* Once done, only ck (for Split) and h remain needed. */
	if (hs->msgi == hs->pat->nmsgs) {
		sodium_memzero(hs->e, NOISE_DHLEN);
		sodium_memzero(&hs->cs, sizeof(hs->cs));
	}
}

/* Kill the handshake after a failure, wiping its secrets. */
static void
hs_kill(struct noise_hs *hs)
{

	hs->dead = 1;
	sodium_memzero(hs->ck, NOISE_HASHLEN);
	sodium_memzero(&hs->cs, sizeof(hs->cs));
	sodium_memzero(hs->s, NOISE_DHLEN);
	sodium_memzero(hs->e, NOISE_DHLEN);
	sodium_memzero(hs->rs, NOISE_DHLEN);
	sodium_memzero(hs->re, NOISE_DHLEN);
	hs->has_rs = hs->has_re = 0;
}

/* Mix the pre-message public keys into h (IK's "<- s"). */
static void
hs_premessage(struct noise_hs *hs, const uint8_t *rs)
{

	/* Only the responder's static key is ever known in advance. */
	if (!hs->pat->resp_pre_s)
		return;

	/* The initiator knows it as rs; the responder it is our own. */
	if (hs->initiator) {
		memcpy(hs->rs, rs, NOISE_DHLEN);
		hs->has_rs = 1;
		mix_hash(hs, hs->rs, NOISE_DHLEN);
	} else {
		mix_hash(hs, hs->s_pub, NOISE_DHLEN);
	}
}

/**
 * noise_hs_new(pattern, initiator, prologue, prologue_len, s_secret, rs):
 * Start a handshake for ${pattern} as initiator if ${initiator} is non-zero,
 * else as responder, with the local static secret ${s_secret} (32 bytes)
 * and, for patterns with a pre-message (IK initiator), the remote static
 * public key ${rs} (NULL otherwise).  The ${prologue} is mixed into the
 * handshake hash.  Returns NULL on failure (out of memory).
 */
struct noise_hs *
noise_hs_new(enum noise_pattern pattern, int initiator,
    const uint8_t *prologue, size_t prologue_len,
    const uint8_t s_secret[NOISE_DHLEN], const uint8_t *rs)
{
	struct noise_hs *hs;

	/* Check the pattern, and that an IK initiator knows rs. */
	if (pattern != NOISE_PATTERN_XX && pattern != NOISE_PATTERN_IK)
		goto err0;
	if (s_secret == NULL ||
	    (patterns[pattern].resp_pre_s && initiator && rs == NULL))
		goto err0;

	/* Allocate the state, all fields zero. */
	if ((hs = calloc(1, sizeof(*hs))) == NULL)
		goto err0;
	hs->pat = &patterns[pattern];
	hs->initiator = (initiator != 0);

	/* Our static key pair. */
	memcpy(hs->s, s_secret, NOISE_DHLEN);
	if (crypto_scalarmult_base(hs->s_pub, hs->s) != 0)
		goto err1;

	/* InitializeSymmetric: the name is shorter than HASHLEN: pad it. */
	memcpy(hs->h, hs->pat->name, strlen(hs->pat->name));
	memcpy(hs->ck, hs->h, NOISE_HASHLEN);

	/* MixHash(prologue), then the pre-messages. */
	mix_hash(hs, prologue, prologue_len);
	hs_premessage(hs, rs);

	/* Success! */
	return (hs);

err1:
	noise_hs_free(hs);
err0:
	/* Failure! */
	return (NULL);
}

/**
 * noise_hs_set_ephemeral(hs, e_secret):
 * Use ${e_secret} as the next ephemeral secret instead of a random one.
 * For known-answer tests only.  Returns 0, or -1 if an ephemeral is already
 * in use.
 */
int
noise_hs_set_ephemeral(struct noise_hs *hs,
    const uint8_t e_secret[NOISE_DHLEN])
{

	/* We must not have an ephemeral yet, nor be dead. */
	if (hs->dead || hs->has_e)
		goto err0;

	/* Take the secret and compute its public key. */
	memcpy(hs->e, e_secret, NOISE_DHLEN);
	if (crypto_scalarmult_base(hs->e_pub, hs->e) != 0)
		goto err1;
	hs->has_e = 1;

	/* Success! */
	return (0);

err1:
	sodium_memzero(hs->e, NOISE_DHLEN);
err0:
	/* Failure! */
	return (-1);
}

/**
 * noise_hs_claim_static(hs, pub):
 * Advertise ${pub} as our static public key instead of the one belonging
 * to our static secret, as an impostor who knows only a public key would.
 * For adversarial tests only: the peer's authentication must then fail.
 */
void
noise_hs_claim_static(struct noise_hs *hs, const uint8_t pub[NOISE_DHLEN])
{

	memcpy(hs->s_pub, pub, NOISE_DHLEN);
}

/**
 * noise_hs_write(hs, payload, payload_len, out, out_max, out_len):
 * Write the next handshake message carrying ${payload} into ${out} (at
 * most ${out_max} bytes) and store its length in ${out_len}.  Returns 0 on
 * success, -1 if it is not our turn, the buffer is too small, or a
 * Diffie-Hellman result is all-zero.  After any failure the handshake is
 * dead: every later call fails.
 */
int
noise_hs_write(struct noise_hs *hs, const uint8_t *payload,
    size_t payload_len, uint8_t *out, size_t out_max, size_t *out_len)
{
	size_t overhead, pos = 0, len;

	/* It must be our turn to write. */
	if (!hs_turn(hs, 1))
		goto err1;

	/* The message must fit in NOISE_MAXMSG and in ${out}. */
	overhead = msg_overhead(hs);
	if (payload_len > NOISE_MAXMSG - overhead ||
	    overhead + payload_len > out_max)
		goto err1;

	/* Process the tokens, then append EncryptAndHash(payload). */
	if (write_tokens(hs, out, &pos))
		goto err1;
	if (encrypt_and_hash(hs, payload, payload_len, &out[pos], &len))
		goto err1;
	*out_len = pos + len;

	/* On to the next message. */
	hs_advance(hs);

	/* Success! */
	return (0);

err1:
	/* Failure!  The handshake is dead. */
	hs_kill(hs);
	return (-1);
}

/**
 * noise_hs_read(hs, msg, msg_len, payload, payload_max, payload_len):
 * Read the next handshake message ${msg} and store its payload in
 * ${payload} (at most ${payload_max} bytes) and its length in
 * ${payload_len}.  Returns 0 on success, -1 if it is not our turn, the
 * message is malformed or fails authentication, or a Diffie-Hellman result
 * is all-zero (low-order point).  After any failure the handshake is dead.
 */
int
noise_hs_read(struct noise_hs *hs, const uint8_t *msg, size_t msg_len,
    uint8_t *payload, size_t payload_max, size_t *payload_len)
{
	size_t overhead, pos = 0;

	/* It must be our turn to read. */
	if (!hs_turn(hs, 0))
		goto err1;

	/* The message must hold the tokens; the payload is what remains. */
	overhead = msg_overhead(hs);
	if (msg_len > NOISE_MAXMSG || msg_len < overhead ||
	    msg_len - overhead > payload_max)
		goto err1;

	/* Process the tokens, then payload = DecryptAndHash(the rest). */
	if (read_tokens(hs, msg, &pos))
		goto err1;
	if (decrypt_and_hash(hs, &msg[pos], msg_len - pos, payload))
		goto err1;
	*payload_len = msg_len - overhead;

	/* On to the next message. */
	hs_advance(hs);

	/* Success! */
	return (0);

err1:
	/* Failure!  The handshake is dead. */
	hs_kill(hs);
	return (-1);
}

/**
 * noise_hs_done(hs):
 * Return non-zero once every message of the pattern has been processed.
 */
int
noise_hs_done(const struct noise_hs *hs)
{

	return (!hs->dead && hs->msgi == hs->pat->nmsgs);
}

/**
 * noise_hs_remote_static(hs, rs):
 * Copy the remote party's static public key into ${rs}.  Returns 0, or -1
 * if it is not known yet.
 */
int
noise_hs_remote_static(const struct noise_hs *hs, uint8_t rs[NOISE_DHLEN])
{

	/* We must know it, and be alive. */
	if (hs->dead || !hs->has_rs)
		return (-1);

	/* Copy it out. */
	memcpy(rs, hs->rs, NOISE_DHLEN);
	return (0);
}

/**
 * noise_hs_hash(hs, h):
 * Copy the current handshake hash into ${h}; after the handshake this is
 * the channel-binding value.
 */
void
noise_hs_hash(const struct noise_hs *hs, uint8_t h[NOISE_HASHLEN])
{

	memcpy(h, hs->h, NOISE_HASHLEN);
}

/**
 * noise_hs_split(hs, c1, c2):
 * After the handshake, derive the transport cipher states: ${c1} for
 * initiator-to-responder, ${c2} for responder-to-initiator.  Returns 0, or
 * -1 if the handshake is not done.
 */
int
noise_hs_split(struct noise_hs *hs, struct noise_cipher *c1,
    struct noise_cipher *c2)
{
	uint8_t k1[NOISE_HASHLEN];
	uint8_t k2[NOISE_HASHLEN];

	/* Every message must have been processed. */
	if (!noise_hs_done(hs))
		goto err0;

	/* temp_k1, temp_k2 = HKDF(ck, zerolen, 2). */
	noise_hkdf(hs->ck, NULL, 0, k1, k2, NULL);

	/* Two cipher states keyed with their first 32 bytes. */
	memcpy(c1->k, k1, NOISE_KEYLEN);
	c1->n = 0;
	c1->has_key = 1;
	memcpy(c2->k, k2, NOISE_KEYLEN);
	c2->n = 0;
	c2->has_key = 1;

	/* Wipe the temporaries. */
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));

	/* Success! */
	return (0);

err0:
	/* Failure! */
	return (-1);
}

/**
 * noise_hs_free(hs):
 * Wipe and free ${hs}.  Does nothing if ${hs} is NULL.
 */
void
noise_hs_free(struct noise_hs *hs)
{

	/* Behave consistently with free(NULL). */
	if (hs == NULL)
		return;

	/* Wipe, then free. */
	sodium_memzero(hs, sizeof(*hs));
	free(hs);
}
