#ifndef KNOWNHOSTS_H_
#define KNOWNHOSTS_H_

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "key.h"

/*
 * The client's known_hosts file: the server keys it has trusted, one entry
 * a line,
 *	NAME secchat-public-v1 BASE64 [comment]
 * where NAME is the host as the user named it, or "[HOST]:PORT" when the
 * port is not the default one, as in ssh(1).  Lines that are empty or
 * start with '#' are ignored; any other malformed line is an error named
 * by file and line.  A name may have several entries (a key being
 * replaced): any of their keys is accepted.  The file is only ever
 * replaced whole, atomically.
 */

#define KNOWNHOSTS_NAME_MAX	263	/* "[" 255-byte host "]:" port */
#define KNOWNHOSTS_ERR_LEN	(PATH_MAX + 600)	/* "PATH:LINE: problem" */

/* Results of knownhosts_check. */
#define KNOWNHOSTS_MATCH	0	/* the name is known with that key */
#define KNOWNHOSTS_UNKNOWN	1	/* the name has no entry */
#define KNOWNHOSTS_CHANGED	2	/* the name is known with other keys */

/**
 * knownhosts_check(path, name, pub, lineno, known, err):
 * Look up ${name} with the key ${pub} in the known_hosts file ${path}; a
 * missing file has no entries.  Returns KNOWNHOSTS_MATCH,
 * KNOWNHOSTS_UNKNOWN, or KNOWNHOSTS_CHANGED with the line number of the
 * name's first entry in *${lineno} and its key in ${known}; or -1 with a
 * message in ${err} (KNOWNHOSTS_ERR_LEN bytes) if the file cannot be read
 * or has a malformed line.
 */
int knownhosts_check(const char *, const char *, const uint8_t[KEY_LEN],
    size_t *, uint8_t[KEY_LEN], char[KNOWNHOSTS_ERR_LEN]);

/**
 * knownhosts_add(path, name, pub, err):
 * Add the entry "${name} ${pub}" at the end of the known_hosts file
 * ${path}, creating it (mode 0644) and its directory (mode 0700) if they
 * do not exist.  Returns 0, or -1 with a message in ${err}.
 */
int knownhosts_add(const char *, const char *, const uint8_t[KEY_LEN],
    char[KNOWNHOSTS_ERR_LEN]);

/**
 * knownhosts_remove(path, name, removed, err):
 * Remove every entry of ${name} from the known_hosts file ${path}, and
 * store how many there were in *${removed}; the file is rewritten only if
 * there was one.  A missing file has no entries.  Returns 0, or -1 with a
 * message in ${err}.
 */
int knownhosts_remove(const char *, const char *, size_t *,
    char[KNOWNHOSTS_ERR_LEN]);

#endif /* !KNOWNHOSTS_H_ */
