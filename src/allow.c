#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "allow.h"

/*
 * The allowlist is a growable array searched linearly: it holds the keys of
 * the people an admin typed into server.ini, so it stays small, and a linear
 * scan lets allow_check() look at every entry whatever the match.
 */

#define ALLOW_KEY_LEN	32
#define ALLOW_INITIAL	8	/* entries allocated at first */

struct allow_entry {
	char name[ALLOW_NAME_MAX + 1];
	uint8_t pub[ALLOW_KEY_LEN];
};

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
	struct allow *a;

	/* An empty list allocates its array on the first allow_add. */
	if ((a = malloc(sizeof(struct allow))) == NULL)
		return (NULL);
	a->ents = NULL;
	a->n = 0;
	a->cap = 0;
	return (a);
}

/**
 * allow_add(a, name, pub, err):
 * Add the key ${pub} under ${name} (1..ALLOW_NAME_MAX characters of
 * [A-Za-z0-9._@-]).  Refuses a bad name, a name already present and a key
 * already present (under any name).  Returns 0, or -1 with a message in
 * ${err} (ALLOW_ERR_LEN bytes).
 */
int
allow_add(struct allow *a, const char *name, const uint8_t pub[32],
    char err[ALLOW_ERR_LEN])
{
	struct allow_entry *e;
	size_t i;

	/* Check the name. */
	if (!allow_name_ok(name)) {
		snprintf(err, ALLOW_ERR_LEN, "bad name: use 1 to %d characters"
		    " of A-Z a-z 0-9 . _ @ -", ALLOW_NAME_MAX);
		goto err0;
	}

	/* Refuse a name or a key that is already there. */
	for (i = 0; i < a->n; i++) {
		if (strcmp(a->ents[i].name, name) == 0) {
			snprintf(err, ALLOW_ERR_LEN,
			    "name already in the allowlist");
			goto err0;
		}
		if (sodium_memcmp(a->ents[i].pub, pub, ALLOW_KEY_LEN) == 0) {
			snprintf(err, ALLOW_ERR_LEN,
			    "key already in the allowlist as '%s'",
			    a->ents[i].name);
			goto err0;
		}
	}

	/* Append the entry. */
	if (allow_grow(a)) {
		snprintf(err, ALLOW_ERR_LEN, "out of memory");
		goto err0;
	}
	e = &a->ents[a->n++];
	memcpy(e->name, name, strlen(name) + 1);
	memcpy(e->pub, pub, ALLOW_KEY_LEN);

	/* Success! */
	return (0);

err0:
	/* Failure! */
	return (-1);
}

/**
 * allow_check(a, pub):
 * Return the name under which ${pub} is allowed, or NULL if it is not.
 * Compares keys with sodium_memcmp.
 */
const char *
allow_check(const struct allow *a, const uint8_t pub[32])
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
		eq = sodium_memcmp(a->ents[i].pub, pub, ALLOW_KEY_LEN) + 1;
		mask = (size_t)0 - (size_t)eq;
		found |= (i + 1) & mask;
	}

	/* Return the name of the match, if any. */
	if (found == 0)
		return (NULL);
	return (a->ents[found - 1].name);
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
 * allow_free(a):
 * Free ${a}.  Does nothing if ${a} is NULL.
 */
void
allow_free(struct allow *a)
{

	/* Behave consistently with free(NULL). */
	if (a == NULL)
		return;

	/* Free the array and the list. */
	free(a->ents);
	free(a);
}
