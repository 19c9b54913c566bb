#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "conf.h"
#include "fuzz_util.h"

/*
 * Fuzz target: server.ini.  The input is the contents of the file, which
 * conf_load reads through inih and our handlers from a temporary
 * directory (relative key paths are taken from there; no key is read).
 *
 * Invariants: a refusal always comes with a message naming the file; an
 * accepted file dumps (conf_dump, as "secchatd -T" prints it) to text that
 * conf_load accepts and that dumps to the same text again.
 * (regress/config/dump-line-too-long is a path that grew too long for a
 * line once absolute: conf_load refuses it.)
 */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Return conf_dump's output for ${c} in a heap string of ${lenp} bytes. */
static char *
dump(const struct conf *c, size_t *lenp)
{
	char *buf;
	FILE *f;

	fuzz_check((f = open_memstream(&buf, lenp)) != NULL, "open_memstream");
	conf_dump(c, f);
	fuzz_check(fclose(f) == 0, "dump");
	return (buf);
}

/* Check that ${err} holds a message naming ${path}. */
static void
check_refusal(const char *path, const char err[CONF_ERR_LEN])
{

	fuzz_check(memchr(err, '\0', CONF_ERR_LEN) != NULL &&
	    strncmp(err, path, strlen(path)) == 0 &&
	    strlen(err) > strlen(path), "refused with a message");
}

/* Check that the dump ${d1} of an accepted file reparses to itself. */
static void
check_round_trip(const char *d1, size_t len1)
{
	char err[CONF_ERR_LEN];
	struct conf *c;
	const char *path;
	char *d2;
	size_t len2;

	path = fuzz_file("dump.ini", (const uint8_t *)d1, len1);
	if ((c = conf_load(path, err)) == NULL)
		fprintf(stderr, "dump refused: %s\n", err);
	fuzz_check(c != NULL, "the dump of an accepted file is accepted");
	d2 = dump(c, &len2);
	fuzz_check(len1 == len2 && memcmp(d1, d2, len1) == 0,
	    "the dump reparses to the same configuration");
	free(d2);
	conf_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONF_ERR_LEN];
	struct conf *c;
	const char *path;
	char *d1;
	size_t len1;

	(void)fuzz_init();
	path = fuzz_file("server.ini", data, size);

	/* Parse; an accepted file must survive a round trip. */
	memset(err, 0xff, sizeof(err));
	if ((c = conf_load(path, err)) == NULL) {
		check_refusal(path, err);
		return (0);
	}
	d1 = dump(c, &len1);
	conf_free(c);
	check_round_trip(d1, len1);
	free(d1);
	return (0);
}
