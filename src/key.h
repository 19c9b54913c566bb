#ifndef KEY_H_
#define KEY_H_

#include <stddef.h>
#include <stdint.h>

/*
 * Long-term X25519 key pairs and their text files.
 *
 * A key file holds one line:
 *	secchat-secret-v1 <base64 of the 32-byte secret> [comment]
 *	secchat-public-v1 <base64 of the 32-byte public key> [comment]
 * The public line is also the form pasted into server.ini's [allow] section
 * and given to a client as the server's pin.  Base64 is libsodium's
 * original variant with padding (44 characters).  A comment is printable
 * ASCII without control characters, at most KEY_COMMENT_MAX bytes.
 */

#define KEY_LEN		32
#define KEY_B64_LEN	44	/* sodium_base64_ENCODED_LEN(32, ORIGINAL) - 1 */
#define KEY_COMMENT_MAX	128
#define KEY_LINE_MAX	256	/* longest valid line, newline excluded */
#define KEY_FP_LEN	52	/* "BLAKE2b:" + 43 base64 chars + NUL */
#define KEY_ERR_LEN	512	/* room for an error message */
#define KEY_SECRET_TAG	"secchat-secret-v1"
#define KEY_PUBLIC_TAG	"secchat-public-v1"

/* A key pair; allocated with sodium_malloc and wiped on free. */
struct key_pair {
	uint8_t pub[KEY_LEN];
	uint8_t sec[KEY_LEN];
	char comment[KEY_COMMENT_MAX + 1];
};

/**
 * key_pair_generate(comment):
 * Create a fresh key pair with the ${comment} (NULL or "" for none).
 * Returns NULL on failure (out of memory or invalid comment).
 */
struct key_pair *key_pair_generate(const char *);

/**
 * key_pair_from_secret(sec, comment):
 * Build a key pair from the 32-byte secret ${sec}.  Returns NULL on failure.
 */
struct key_pair *key_pair_from_secret(const uint8_t[KEY_LEN], const char *);

/**
 * key_pair_free(kp):
 * Wipe and free ${kp}.  Does nothing if ${kp} is NULL.
 */
void key_pair_free(struct key_pair *);

/**
 * key_load_secret(path, err):
 * Load the secret key file ${path}.  Refuses a file readable or writable by
 * group or others, a file that is not a regular file, a public key file,
 * bad base64, a wrong length and anything after the key line.  On failure
 * returns NULL and writes "PATH[:LINE]: problem" (with the fix where there
 * is one, such as "chmod 600 PATH") into ${err} (KEY_ERR_LEN bytes).
 */
struct key_pair *key_load_secret(const char *, char[KEY_ERR_LEN]);

/**
 * key_load_public(path, pub, comment, err):
 * Load the public key file ${path} into ${pub}, and its comment into
 * ${comment} (KEY_COMMENT_MAX + 1 bytes) unless NULL.  Returns 0, or -1
 * with a message in ${err} as for key_load_secret.
 */
int key_load_public(const char *, uint8_t[KEY_LEN], char *, char[KEY_ERR_LEN]);

/**
 * key_parse_public_line(line, pub, comment, err):
 * Parse a public key line (as key_format_public prints it; a trailing
 * newline is allowed) into ${pub} and the comment into ${comment} unless
 * NULL.  Returns 0, or -1 with the problem in ${err} (no file name).
 */
int key_parse_public_line(const char *, uint8_t[KEY_LEN], char *,
    char[KEY_ERR_LEN]);

/**
 * key_format_public(pub, comment, out):
 * Write the public key line for ${pub} with the ${comment} (NULL or "" for
 * none) into ${out} (KEY_LINE_MAX + 1 bytes), without a newline.
 */
void key_format_public(const uint8_t[KEY_LEN], const char *,
    char[KEY_LINE_MAX + 1]);

/**
 * key_fingerprint(pub, out):
 * Write the fingerprint of ${pub}, "BLAKE2b:" and the unpadded base64 of
 * the BLAKE2b-256 hash of the key, into ${out} (KEY_FP_LEN bytes).
 */
void key_fingerprint(const uint8_t[KEY_LEN], char[KEY_FP_LEN]);

/**
 * key_save(kp, path, pubpath, overwrite, err):
 * Write the secret key of ${kp} to ${path} (mode 0600 from creation) and
 * its public key to ${pubpath}, or ${path}.pub if ${pubpath} is NULL (mode
 * 0644), each atomically through a
 * temporary file and rename(2).  Refuses to replace an existing file unless
 * ${overwrite} is non-zero.  Returns 0, or -1 with a message in ${err}.
 */
int key_save(const struct key_pair *, const char *, const char *, int,
    char[KEY_ERR_LEN]);

/**
 * key_load_or_create(path, pubpath, comment, created, err):
 * Load the secret key ${path}; if it does not exist, generate a pair with
 * ${comment} and save it (secret at ${path}, public at ${pubpath}, or
 * ${path}.pub if ${pubpath} is NULL), creating missing parent directories
 * with mode 0700, and set *${created} to 1 (else 0).  When the public
 * file exists it must match the secret key.  Returns the pair, or NULL
 * with a message in ${err}.
 */
struct key_pair *key_load_or_create(const char *, const char *, const char *,
    int *, char[KEY_ERR_LEN]);

/**
 * key_write_file(path, data, len, mode, err):
 * Write the ${len} bytes of ${data} to ${path} with the permission bits
 * ${mode}, atomically through a temporary file, fsync(2) and rename(2),
 * replacing ${path} if it exists; missing parent directories are created
 * with mode 0700.  For files of public keys, such as a client's
 * known_hosts.  Returns 0, or -1 with a message in ${err}.
 */
int key_write_file(const char *, const void *, size_t, unsigned int,
    char[KEY_ERR_LEN]);

#endif /* !KEY_H_ */
