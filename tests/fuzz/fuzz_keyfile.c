#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "key.h"
#include "fuzz_util.h"

/*
 * Fuzz target: key files.  The input is the contents of a key file, read
 * by key_load_secret and key_load_public (from a file of mode 0600 in a
 * temporary directory), and, up to its first NUL, the line given to
 * key_parse_public_line as the [allow] section does.
 *
 * Invariants: a refusal always comes with a message; an accepted file is
 * exactly the canonical line for the key and comment it yields (one final
 * newline allowed), so that no two texts mean the same key; a secret key
 * yields the public key of that secret; whatever the file parser accepts,
 * the line parser accepts alike.
 */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Return non-zero if ${err} holds a message. */
static int
has_message(const char err[KEY_ERR_LEN])
{

	return (err[0] != '\0' && memchr(err, '\0', KEY_ERR_LEN) != NULL);
}

/* Return non-zero if ${data} is ${line}, with or without one newline. */
static int
is_line(const uint8_t *data, size_t size, const char *line)
{
	size_t len = strlen(line);

	if (size == len + 1 && data[len] == '\n')
		size = len;
	return (size == len && memcmp(data, line, len) == 0);
}

/* Check the secret key ${kp} loaded from ${data}. */
static void
check_secret(const uint8_t *data, size_t size, const struct key_pair *kp)
{
	char b64[KEY_B64_LEN + 1];
	char line[KEY_LINE_MAX + 1];
	uint8_t pub[KEY_LEN];

	/* The public key is that of the secret. */
	fuzz_check(crypto_scalarmult_base(pub, kp->sec) == 0 &&
	    memcmp(pub, kp->pub, KEY_LEN) == 0, "secret key: public matches");

	/* The file is the canonical line. */
	sodium_bin2base64(b64, sizeof(b64), kp->sec, KEY_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(line, sizeof(line), "%s %s%s%s", KEY_SECRET_TAG, b64,
	    kp->comment[0] != '\0' ? " " : "", kp->comment);
	fuzz_check(is_line(data, size, line), "secret key: canonical text");
	sodium_memzero(b64, sizeof(b64));
	sodium_memzero(line, sizeof(line));
}

/* Check the public key ${pub} and ${comment} parsed from ${data}. */
static void
check_public(const uint8_t *data, size_t size, const uint8_t pub[KEY_LEN],
    const char *comment)
{
	char line[KEY_LINE_MAX + 1];

	fuzz_check(strlen(comment) <= KEY_COMMENT_MAX, "comment length");
	key_format_public(pub, comment, line);
	fuzz_check(is_line(data, size, line), "public key: canonical text");
}

/* Parse ${data} as a line, up to its first NUL; 0 if accepted. */
static int
parse_line(const uint8_t *data, size_t size, uint8_t pub[KEY_LEN],
    char comment[KEY_COMMENT_MAX + 1])
{
	char err[KEY_ERR_LEN];
	char *line;
	int rc;

	/* A C string of the input, on the heap to catch an over-read. */
	line = (char *)fuzz_buf(data, size, size + 1);
	memset(err, 0xff, sizeof(err));
	if ((rc = key_parse_public_line(line, pub, comment, err)) == 0)
		check_public((const uint8_t *)line, strlen(line), pub,
		    comment);
	else
		fuzz_check(has_message(err), "line refused with a message");
	free(line);
	return (rc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[KEY_ERR_LEN];
	char comment[KEY_COMMENT_MAX + 1], lcomment[KEY_COMMENT_MAX + 1];
	uint8_t pub[KEY_LEN], lpub[KEY_LEN];
	struct key_pair *kp;
	const char *path;
	int lrc;

	(void)fuzz_init();
	path = fuzz_file("key", data, size);

	/* As a secret key file. */
	memset(err, 0xff, sizeof(err));
	if ((kp = key_load_secret(path, err)) != NULL)
		check_secret(data, size, kp);
	else
		fuzz_check(has_message(err), "secret key: refusal message");
	key_pair_free(kp);

	/* As a line, then as a public key file: the line takes all it takes. */
	lrc = parse_line(data, size, lpub, lcomment);
	memset(err, 0xff, sizeof(err));
	if (key_load_public(path, pub, comment, err) == 0) {
		check_public(data, size, pub, comment);
		fuzz_check(lrc == 0 && memcmp(pub, lpub, KEY_LEN) == 0 &&
		    strcmp(comment, lcomment) == 0, "file and line agree");
	} else
		fuzz_check(has_message(err), "public key: refusal message");
	return (0);
}
