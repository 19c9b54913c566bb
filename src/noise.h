#ifndef NOISE_H_
#define NOISE_H_

#include <stddef.h>
#include <stdint.h>

/*
 * The Noise Protocol Framework (revision 34) for the cipher suite
 * 25519_ChaChaPoly_BLAKE2b, built from libsodium primitives, for the
 * handshake patterns XX and IK.  Pure functions on buffers: no I/O.
 */

#define NOISE_DHLEN	32	/* X25519 public key and shared secret */
#define NOISE_HASHLEN	64	/* BLAKE2b-512 */
#define NOISE_KEYLEN	32	/* ChaCha20-Poly1305 key */
#define NOISE_TAGLEN	16	/* Poly1305 tag */
#define NOISE_MAXMSG	65535	/* largest Noise message */

/* Handshake patterns this implementation knows. */
enum noise_pattern {
	NOISE_PATTERN_XX,
	NOISE_PATTERN_IK
};

/* A CipherState: key, nonce, and whether a key is set. */
struct noise_cipher {
	uint8_t k[NOISE_KEYLEN];
	uint64_t n;
	int has_key;
};

struct noise_hs;

/**
 * noise_hs_new(pattern, initiator, prologue, prologue_len, s_secret, rs):
 * Start a handshake for ${pattern} as initiator if ${initiator} is non-zero,
 * else as responder, with the local static secret ${s_secret} (32 bytes)
 * and, for patterns with a pre-message (IK initiator), the remote static
 * public key ${rs} (NULL otherwise).  The ${prologue} is mixed into the
 * handshake hash.  Returns NULL on failure (out of memory).
 */
struct noise_hs *noise_hs_new(enum noise_pattern, int,
    const uint8_t *, size_t, const uint8_t[NOISE_DHLEN], const uint8_t *);

/**
 * noise_hs_set_ephemeral(hs, e_secret):
 * Use ${e_secret} as the next ephemeral secret instead of a random one.
 * For known-answer tests only.  Returns 0, or -1 if an ephemeral is already
 * in use.
 */
int noise_hs_set_ephemeral(struct noise_hs *, const uint8_t[NOISE_DHLEN]);

/**
 * noise_hs_claim_static(hs, pub):
 * Advertise ${pub} as our static public key instead of the one belonging
 * to our static secret, as an impostor who knows only a public key would.
 * For adversarial tests only: the peer's authentication must then fail.
 */
void noise_hs_claim_static(struct noise_hs *, const uint8_t[NOISE_DHLEN]);

/**
 * noise_hs_write(hs, payload, payload_len, out, out_max, out_len):
 * Write the next handshake message carrying ${payload} into ${out} (at
 * most ${out_max} bytes) and store its length in ${out_len}.  Returns 0 on
 * success, -1 if it is not our turn, the buffer is too small, or a
 * Diffie-Hellman result is all-zero.  After any failure the handshake is
 * dead: every later call fails.
 */
int noise_hs_write(struct noise_hs *, const uint8_t *, size_t,
    uint8_t *, size_t, size_t *);

/**
 * noise_hs_read(hs, msg, msg_len, payload, payload_max, payload_len):
 * Read the next handshake message ${msg} and store its payload in
 * ${payload} (at most ${payload_max} bytes) and its length in
 * ${payload_len}.  Returns 0 on success, -1 if it is not our turn, the
 * message is malformed or fails authentication, or a Diffie-Hellman result
 * is all-zero (low-order point).  After any failure the handshake is dead.
 */
int noise_hs_read(struct noise_hs *, const uint8_t *, size_t,
    uint8_t *, size_t, size_t *);

/**
 * noise_hs_done(hs):
 * Return non-zero once every message of the pattern has been processed.
 */
int noise_hs_done(const struct noise_hs *);

/**
 * noise_hs_remote_static(hs, rs):
 * Copy the remote party's static public key into ${rs}.  Returns 0, or -1
 * if it is not known yet.
 */
int noise_hs_remote_static(const struct noise_hs *, uint8_t[NOISE_DHLEN]);

/**
 * noise_hs_hash(hs, h):
 * Copy the current handshake hash into ${h}; after the handshake this is
 * the channel-binding value.
 */
void noise_hs_hash(const struct noise_hs *, uint8_t[NOISE_HASHLEN]);

/**
 * noise_hs_split(hs, c1, c2):
 * After the handshake, derive the transport cipher states: ${c1} for
 * initiator-to-responder, ${c2} for responder-to-initiator.  Returns 0, or
 * -1 if the handshake is not done.
 */
int noise_hs_split(struct noise_hs *, struct noise_cipher *,
    struct noise_cipher *);

/**
 * noise_hs_free(hs):
 * Wipe and free ${hs}.  Does nothing if ${hs} is NULL.
 */
void noise_hs_free(struct noise_hs *);

/**
 * noise_cipher_encrypt(c, ad, ad_len, pt, pt_len, out):
 * Encrypt ${pt} with associated data ${ad} under ${c} into ${out}, which
 * must hold ${pt_len} + NOISE_TAGLEN bytes, and advance the nonce.
 * Returns 0, or -1 if the nonce is exhausted or no key is set.
 */
int noise_cipher_encrypt(struct noise_cipher *, const uint8_t *, size_t,
    const uint8_t *, size_t, uint8_t *);

/**
 * noise_cipher_decrypt(c, ad, ad_len, ct, ct_len, out):
 * Decrypt and authenticate ${ct} into ${out} (${ct_len} - NOISE_TAGLEN
 * bytes) and advance the nonce.  Returns 0, or -1 on authentication
 * failure (the nonce is not advanced), a short ${ct}, or no key.
 */
int noise_cipher_decrypt(struct noise_cipher *, const uint8_t *, size_t,
    const uint8_t *, size_t, uint8_t *);

/**
 * noise_cipher_wipe(c):
 * Erase the key in ${c}.
 */
void noise_cipher_wipe(struct noise_cipher *);

/**
 * noise_hkdf(ck, ikm, ikm_len, out1, out2, out3):
 * The Noise HKDF over HMAC-BLAKE2b: derive two (${out3} NULL) or three
 * NOISE_HASHLEN-byte outputs from chaining key ${ck} and ${ikm}.
 */
void noise_hkdf(const uint8_t[NOISE_HASHLEN], const uint8_t *, size_t,
    uint8_t[NOISE_HASHLEN], uint8_t[NOISE_HASHLEN], uint8_t *);

#endif /* !NOISE_H_ */
