#ifndef ALLOW_H_
#define ALLOW_H_

#include <stddef.h>
#include <stdint.h>

/*
 * The allowlist: the client keys the server accepts, each under the name
 * the admin gave it in server.ini's [allow] section, with an optional
 * per-key policy written after the key:
 *	NAME = secchat-public-v1 BASE64 [OPTION...] [comment]
 * where an OPTION is one of
 *	expires=YYYY-MM-DD[THH:MM[:SS]]	refused from that time on (UTC)
 *	from=CIDR[,CIDR...]		only from these source networks
 *	max_sessions=N			at most N sessions of this key at once
 * Every other word is part of the comment; a word "name=value" with a name
 * that is not an option is an error, so that a typo is not taken as a
 * comment.
 */

struct sockaddr;

#define ALLOW_NAME_MAX		64	/* longest entry name */
#define ALLOW_COMMENT_MAX	128	/* as KEY_COMMENT_MAX */
#define ALLOW_FROM_MAX		16	/* networks in one from= option */
#define ALLOW_VALUE_MAX		512	/* longest formatted value */
#define ALLOW_ERR_LEN		256

/* A source network: ${bits} leading bits of ${addr} (4 or 16 bytes). */
struct allow_cidr {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	int bits;
};

/* One allowlist entry. */
struct allow_entry {
	char name[ALLOW_NAME_MAX + 1];
	uint8_t pub[32];
	char comment[ALLOW_COMMENT_MAX + 1];
	int64_t expires;		/* Unix time it ends; 0 for never */
	int nfrom;			/* networks; 0 for any source */
	struct allow_cidr from[ALLOW_FROM_MAX];
	int max_sessions;		/* 0 for no limit of its own */
};

struct allow;

/**
 * allow_new():
 * Return an empty allowlist, or NULL if out of memory.
 */
struct allow *allow_new(void);

/**
 * allow_parse(name, value, e, err):
 * Parse the entry ${name} = ${value} into ${e}: the name must be 1 to
 * ALLOW_NAME_MAX characters of [A-Za-z0-9._@-], the value a public key
 * line with options as above.  Returns 0, or -1 with the problem in ${err}
 * (ALLOW_ERR_LEN bytes).
 */
int allow_parse(const char *, const char *, struct allow_entry *,
    char[ALLOW_ERR_LEN]);

/**
 * allow_add(a, e, err):
 * Add a copy of the entry ${e}, refusing a name or a key that is already
 * present.  Returns 0, or -1 with a message in ${err}.
 */
int allow_add(struct allow *, const struct allow_entry *, char[ALLOW_ERR_LEN]);

/**
 * allow_find(a, pub):
 * Return the entry of the key ${pub}, or NULL if it is not allowed.  Every
 * entry is compared, with sodium_memcmp, whatever the result.
 */
const struct allow_entry *allow_find(const struct allow *, const uint8_t[32]);

/**
 * allow_count(a):
 * Return the number of entries in ${a}.
 */
size_t allow_count(const struct allow *);

/**
 * allow_get(a, i):
 * Return entry ${i} (in the order added) of ${a}; ${i} < allow_count(a).
 */
const struct allow_entry *allow_get(const struct allow *, size_t);

/**
 * allow_format(e, out):
 * Write the value of ${e} (key line, options, comment) as allow_parse reads
 * it into ${out} (ALLOW_VALUE_MAX bytes).
 */
void allow_format(const struct allow_entry *, char[ALLOW_VALUE_MAX]);

/**
 * allow_from_ok(e, sa):
 * Return non-zero if the source address ${sa} may use the entry ${e}.
 */
int allow_from_ok(const struct allow_entry *, const struct sockaddr *);

/**
 * allow_free(a):
 * Free ${a}.  Does nothing if ${a} is NULL.
 */
void allow_free(struct allow *);

#endif /* !ALLOW_H_ */
