#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "key.h"
#include "allow.h"

#define ALLOW_INITIAL	8	/* entries allocated at first */

struct allow {
	struct allow_entry *ents;
	size_t n;			/* entries in use */
	size_t cap;			/* entries allocated */
};

/* Return 1 if ${name} is a valid entry name, else 0. */
static int
allow_name_ok(const char *name)
{
	size_t i;

	/* 1..ALLOW_NAME_MAX characters ... */
	for (i = 0; name[i] != '\0'; i++) {
		if (i == ALLOW_NAME_MAX)
			return (0);

		/* ... each one of [A-Za-z0-9._@-]. */
		if (name[i] >= 'a' && name[i] <= 'z')
			continue;
		if (name[i] >= 'A' && name[i] <= 'Z')
			continue;
		if (name[i] >= '0' && name[i] <= '9')
			continue;
		if (strchr("._@-", name[i]) == NULL)
			return (0);
	}
	return (i > 0);
}

/* Make room for one more entry in ${a}; return 0, or -1 if out of memory. */
static int
allow_grow(struct allow *a)
{
	struct allow_entry *ents;
	size_t cap;

	/* Nothing to do if there is room. */
	if (a->n < a->cap)
		return (0);

	/* Double the array, refusing a size that would overflow. */
	cap = (a->cap == 0) ? ALLOW_INITIAL : a->cap * 2;
	if (cap > SIZE_MAX / sizeof(struct allow_entry))
		return (-1);
	if ((ents = realloc(a->ents, cap * sizeof(struct allow_entry))) == NULL)
		return (-1);
	a->ents = ents;
	a->cap = cap;
	return (0);
}

/**
 * allow_new():
 * Return an empty allowlist, or NULL if out of memory.
 */
struct allow *
allow_new(void)
{

	/* An empty list allocates its array on the first allow_add. */
	return (calloc(1, sizeof(struct allow)));
}

/* Return non-zero if ${s} has the ${shape}: 'd' a digit, else itself. */
static int
shape_ok(const char *s, const char *shape)
{

	for (; *shape != '\0'; s++, shape++) {
		if (*shape == 'd' ? (*s < '0' || *s > '9') : *s != *shape)
			return (0);
	}
	return (*s == '\0');
}

/* Parse "YYYY-MM-DD[THH:MM[:SS]]" (UTC) into ${t}; 0 or -1. */
static int
parse_time(const char *s, int64_t *t)
{
	struct tm tm, back;
	int n = 0, n2 = 0, len = (int)strlen(s);
	time_t v;

	/* The shape first: digits where digits go, nothing else. */
	if (!shape_ok(s, "dddd-dd-dd") && !shape_ok(s, "dddd-dd-ddTdd:dd") &&
	    !shape_ok(s, "dddd-dd-ddTdd:dd:dd"))
		return (-1);
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &n) != 3 || (n != len && n != 10))
		return (-1);
	if (n != len && (sscanf(s + 10, "T%2d:%2d%n", &tm.tm_hour,
	    &tm.tm_min, &n) != 2 || (10 + n != len && (sscanf(s + 10 + n,
	    ":%2d%n", &tm.tm_sec, &n2) != 1 || 10 + n + n2 != len))))
		return (-1);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;

	/* timegm normalises 02-30 to 03-02: refuse what changed. */
	back = tm;
	if ((v = timegm(&back)) == (time_t)-1 || back.tm_mday != tm.tm_mday ||
	    back.tm_mon != tm.tm_mon || back.tm_hour != tm.tm_hour ||
	    back.tm_min != tm.tm_min || back.tm_sec != tm.tm_sec ||
	    tm.tm_hour > 23 || v <= 0)
		return (-1);
	*t = (int64_t)v;
	return (0);
}

/* Parse one "ADDR[/BITS]" into ${c}; 0 or -1. */
static int
parse_cidr(char *s, struct allow_cidr *c)
{
	char *slash = strchr(s, '/'), *end;
	long bits;
	int max;

	if (slash != NULL)
		*slash = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, s, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, s, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else
		return (-1);
	c->bits = max;
	if (slash != NULL) {
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' ||
		    bits > max)
			return (-1);
		c->bits = (int)bits;
	}
	return (0);
}

/* Parse "CIDR[,CIDR...]" into ${e}; 0 or -1 with ${err}. */
static int
parse_from(const char *value, struct allow_entry *e, char *err)
{
	char buf[ALLOW_VALUE_MAX], word[ALLOW_VALUE_MAX], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (e->nfrom == ALLOW_FROM_MAX) {
			snprintf(err, ALLOW_ERR_LEN, "from: more than %d "
			    "networks", ALLOW_FROM_MAX);
			return (-1);
		}

		/* parse_cidr cuts the word at its '/': name it whole. */
		snprintf(word, sizeof(word), "%s", tok);
		if (parse_cidr(tok, &e->from[e->nfrom]) != 0) {
			snprintf(err, ALLOW_ERR_LEN, "from: '%.200s' is not an "
			    "address or ADDRESS/BITS", word);
			return (-1);
		}
		e->nfrom++;
	}
	if (e->nfrom == 0) {
		snprintf(err, ALLOW_ERR_LEN, "from: no network");
		return (-1);
	}
	return (0);
}

/* Apply the word ${w} if it is an option; 1 if it was, 0 if not, -1 bad. */
static int
parse_option(const char *w, struct allow_entry *e, char *err)
{
	const char *eq = strchr(w, '=');
	char *end;
	long n;

	/* Any word with '=' is an option: a typo must not become a comment. */
	if (eq == NULL)
		return (0);
	if (strncmp(w, "expires=", 8) == 0 && e->expires == 0) {
		if (parse_time(eq + 1, &e->expires) == 0)
			return (1);
		snprintf(err, ALLOW_ERR_LEN, "expires: '%s' is not "
		    "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC)", eq + 1);
		return (-1);
	}
	if (strncmp(w, "from=", 5) == 0 && e->nfrom == 0)
		return (parse_from(eq + 1, e, err) ? -1 : 1);
	if (strncmp(w, "max_sessions=", 13) == 0 && e->max_sessions == 0) {
		n = strtol(eq + 1, &end, 10);
		if (eq[1] >= '0' && eq[1] <= '9' && *end == '\0' && n >= 1 &&
		    n <= 100000) {
			e->max_sessions = (int)n;
			return (1);
		}
		snprintf(err, ALLOW_ERR_LEN, "max_sessions: '%s' is not a "
		    "number in 1..100000", eq + 1);
		return (-1);
	}
	snprintf(err, ALLOW_ERR_LEN, "unknown or repeated option '%.*s' (the "
	    "options are expires=, from=, max_sessions=, written without "
	    "spaces; a comment may not contain '=')", (int)(eq - w + 1), w);
	return (-1);
}

/* Append the word ${w} to the comment being built in ${buf}; 0 or -1. */
static int
comment_append(char *buf, size_t len, const char *w)
{
	size_t used = strlen(buf);

	if (used + 1 + strlen(w) + 1 > len)
		return (-1);
	if (used > 0)
		buf[used++] = ' ';
	memcpy(buf + used, w, strlen(w) + 1);
	return (0);
}

/**
 * allow_parse(name, value, e, err):
 * Parse the entry ${name} = ${value} into ${e}: the name must be 1 to
 * ALLOW_NAME_MAX characters of [A-Za-z0-9._@-], the value a public key
 * line with options as above.  Returns 0, or -1 with the problem in ${err}
 * (ALLOW_ERR_LEN bytes).
 */
int
allow_parse(const char *name, const char *value, struct allow_entry *e,
    char err[ALLOW_ERR_LEN])
{
	char buf[ALLOW_VALUE_MAX], line[2 * ALLOW_VALUE_MAX + 2];
	char comment[ALLOW_VALUE_MAX] = "", kerr[KEY_ERR_LEN];
	char *w, *save, *type, *key;
	int r;

	memset(e, 0, sizeof(*e));
	if (!allow_name_ok(name)) {
		snprintf(err, ALLOW_ERR_LEN, "bad name: use 1 to %d characters"
		    " of A-Z a-z 0-9 . _ @ -", ALLOW_NAME_MAX);
		return (-1);
	}
	memcpy(e->name, name, strlen(name) + 1);
	if (strlen(value) >= sizeof(buf)) {
		snprintf(err, ALLOW_ERR_LEN, "value too long");
		return (-1);
	}

	/* The key type and the key come first, and are checked first. */
	memcpy(buf, value, strlen(value) + 1);
	type = strtok_r(buf, " \t", &save);
	key = (type == NULL) ? NULL : strtok_r(NULL, " \t", &save);
	snprintf(line, sizeof(line), "%s %s", type ? type : "", key ? key : "");
	if (key_parse_public_line(line, e->pub, NULL, kerr)) {
		snprintf(err, ALLOW_ERR_LEN, "bad public key: %.200s", kerr);
		return (-1);
	}

	/* Then options, and the other words as the comment. */
	while ((w = strtok_r(NULL, " \t", &save)) != NULL) {
		if ((r = parse_option(w, e, err)) < 0)
			return (-1);
		if (r == 0 && comment_append(comment, sizeof(comment), w)) {
			snprintf(err, ALLOW_ERR_LEN, "comment too long");
			return (-1);
		}
	}

	/* key_parse_public_line checks the comment as it does a key file's. */
	if (comment[0] != '\0') {
		comment_append(line, sizeof(line), comment);
		if (key_parse_public_line(line, e->pub, e->comment, kerr)) {
			snprintf(err, ALLOW_ERR_LEN, "bad comment: %.200s",
			    kerr);
			return (-1);
		}
	}
	return (0);
}

/**
 * allow_add(a, e, err):
 * Add a copy of the entry ${e}, refusing a name or a key that is already
 * present.  Returns 0, or -1 with a message in ${err}.
 */
int
allow_add(struct allow *a, const struct allow_entry *e,
    char err[ALLOW_ERR_LEN])
{
	size_t i;

	/* Refuse a name or a key that is already there. */
	for (i = 0; i < a->n; i++) {
		if (strcmp(a->ents[i].name, e->name) == 0) {
			snprintf(err, ALLOW_ERR_LEN,
			    "name already in the allowlist");
			return (-1);
		}
		if (sodium_memcmp(a->ents[i].pub, e->pub, 32) == 0) {
			snprintf(err, ALLOW_ERR_LEN,
			    "key already in the allowlist as '%s'",
			    a->ents[i].name);
			return (-1);
		}
	}
	if (allow_grow(a)) {
		snprintf(err, ALLOW_ERR_LEN, "out of memory");
		return (-1);
	}
	a->ents[a->n++] = *e;
	return (0);
}

/**
 * allow_find(a, pub):
 * Return the entry of the key ${pub}, or NULL if it is not allowed.  Every
 * entry is compared, with sodium_memcmp, whatever the result.
 */
const struct allow_entry *
allow_find(const struct allow *a, const uint8_t pub[32])
{
	size_t found = 0;	/* index of the match plus one, or 0 */
	size_t mask;
	size_t i;
	int eq;

	/*
	 * Compare with every entry, without stopping at a match and without
	 * a branch on the result, so that the time taken does not tell where
	 * (or whether) the key is.  sodium_memcmp returns 0 or -1, which we
	 * turn into a mask of all ones on a match and zero otherwise.  Keys
	 * are unique, so at most one entry matches.
	 */
	for (i = 0; i < a->n; i++) {
		eq = sodium_memcmp(a->ents[i].pub, pub, 32) + 1;
		mask = (size_t)0 - (size_t)eq;
		found |= (i + 1) & mask;
	}
	return (found == 0 ? NULL : &a->ents[found - 1]);
}

/**
 * allow_count(a):
 * Return the number of entries in ${a}.
 */
size_t
allow_count(const struct allow *a)
{

	return (a->n);
}

/**
 * allow_get(a, i):
 * Return entry ${i} (in the order added) of ${a}; ${i} < allow_count(a).
 */
const struct allow_entry *
allow_get(const struct allow *a, size_t i)
{

	return (&a->ents[i]);
}

/* Append the options of ${e} to ${out} (ALLOW_VALUE_MAX bytes). */
static void
format_options(const struct allow_entry *e, char *out)
{
	char addr[INET6_ADDRSTRLEN], stamp[32];
	time_t t = (time_t)e->expires;
	struct tm tm;
	int i;

	if (e->expires != 0 && gmtime_r(&t, &tm) != NULL) {
		/* As short as it reads back: no time at midnight. */
		strftime(stamp, sizeof(stamp), tm.tm_sec ? "%Y-%m-%dT%H:%M:%S" :
		    (tm.tm_hour || tm.tm_min) ? "%Y-%m-%dT%H:%M" : "%Y-%m-%d",
		    &tm);
		snprintf(out + strlen(out), ALLOW_VALUE_MAX - strlen(out),
		    " expires=%s", stamp);
	}
	for (i = 0; i < e->nfrom; i++) {
		inet_ntop(e->from[i].family, e->from[i].addr, addr,
		    sizeof(addr));
		snprintf(out + strlen(out), ALLOW_VALUE_MAX - strlen(out),
		    "%s%s", i == 0 ? " from=" : ",", addr);
		/* A whole address needs no /32 or /128. */
		if (e->from[i].bits != (e->from[i].family == AF_INET ? 32 : 128))
			snprintf(out + strlen(out), ALLOW_VALUE_MAX -
			    strlen(out), "/%d", e->from[i].bits);
	}
	if (e->max_sessions != 0)
		snprintf(out + strlen(out), ALLOW_VALUE_MAX - strlen(out),
		    " max_sessions=%d", e->max_sessions);
}

/**
 * allow_format(e, out):
 * Write the value of ${e} (key line, options, comment) as allow_parse reads
 * it into ${out} (ALLOW_VALUE_MAX bytes).
 */
void
allow_format(const struct allow_entry *e, char out[ALLOW_VALUE_MAX])
{
	char line[KEY_LINE_MAX + 1];

	key_format_public(e->pub, NULL, line);
	snprintf(out, ALLOW_VALUE_MAX, "%s", line);
	format_options(e, out);
	if (e->comment[0] != '\0')
		snprintf(out + strlen(out), ALLOW_VALUE_MAX - strlen(out),
		    " %s", e->comment);
}

/* Return non-zero if the first ${bits} bits of ${a} and ${b} are equal. */
static int
prefix_equal(const uint8_t *a, const uint8_t *b, int bits)
{
	int whole = bits / 8, rest = bits % 8;
	uint8_t mask;

	if (memcmp(a, b, (size_t)whole) != 0)
		return (0);
	if (rest == 0)
		return (1);
	mask = (uint8_t)(0xff << (8 - rest));
	return ((a[whole] & mask) == (b[whole] & mask));
}

/**
 * allow_from_ok(e, sa):
 * Return non-zero if the source address ${sa} may use the entry ${e}.
 */
int
allow_from_ok(const struct allow_entry *e, const struct sockaddr *sa)
{
	const uint8_t *addr;
	int i;

	if (e->nfrom == 0)
		return (1);
	if (sa->sa_family == AF_INET)
		addr = (const uint8_t *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		addr = (const uint8_t *)
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	else
		return (0);
	for (i = 0; i < e->nfrom; i++) {
		if (e->from[i].family == sa->sa_family &&
		    prefix_equal(e->from[i].addr, addr, e->from[i].bits))
			return (1);
	}
	return (0);
}

/**
 * allow_free(a):
 * Free ${a}.  Does nothing if ${a} is NULL.
 */
void
allow_free(struct allow *a)
{

	/* Behave consistently with free(NULL). */
	if (a == NULL)
		return;
	free(a->ents);
	free(a);
}
