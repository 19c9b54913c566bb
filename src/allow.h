#ifndef ALLOW_H_
#define ALLOW_H_

#include <stddef.h>
#include <stdint.h>

/*
 * The allowlist: client public keys the server accepts, each with the name
 * the admin gave it in server.ini's [allow] section.
 */

#define ALLOW_NAME_MAX	64	/* longest entry name */
#define ALLOW_ERR_LEN	256

struct allow;

/**
 * allow_new():
 * Return an empty allowlist, or NULL if out of memory.
 */
struct allow *allow_new(void);

/**
 * allow_add(a, name, pub, err):
 * Add the key ${pub} under ${name} (1..ALLOW_NAME_MAX characters of
 * [A-Za-z0-9._@-]).  Refuses a bad name, a name already present and a key
 * already present (under any name).  Returns 0, or -1 with a message in
 * ${err} (ALLOW_ERR_LEN bytes).
 */
int allow_add(struct allow *, const char *, const uint8_t[32],
    char[ALLOW_ERR_LEN]);

/**
 * allow_check(a, pub):
 * Return the name under which ${pub} is allowed, or NULL if it is not.
 * Compares keys with sodium_memcmp.
 */
const char *allow_check(const struct allow *, const uint8_t[32]);

/**
 * allow_count(a):
 * Return the number of entries in ${a}.
 */
size_t allow_count(const struct allow *);

/**
 * allow_free(a):
 * Free ${a}.  Does nothing if ${a} is NULL.
 */
void allow_free(struct allow *);

#endif /* !ALLOW_H_ */
