#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

/* What is known of one address. */
struct source {
	int family;		/* 0 for a free slot */
	uint8_t addr[16];
	int failures;		/* in a row, each within the window */
	int64_t last;		/* ms of the last failure */
	int64_t until;		/* ms the penalty ends, or 0 */
};

struct sources {
	struct source tab[SOURCES_MAX];
};

/**
 * sources_new():
 * Return an empty table, or NULL if out of memory.
 */
struct sources *
sources_new(void)
{

	return (calloc(1, sizeof(struct sources)));
}

/* Store the family and address bytes of ${sa}; 0, or -1 if neither IP. */
static int
addr_of(const struct sockaddr *sa, int *family, uint8_t addr[16])
{

	memset(addr, 0, 16);
	*family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(addr, &((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(addr, &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr, 16);
	else
		return (-1);
	return (0);
}

/**
 * source_same(a, b):
 * Return non-zero if ${a} and ${b} are the same address (ports aside).
 */
int
source_same(const struct sockaddr *a, const struct sockaddr *b)
{
	uint8_t x[16], y[16];
	int fa, fb;

	if (addr_of(a, &fa, x) || addr_of(b, &fb, y))
		return (0);
	return (fa == fb && memcmp(x, y, 16) == 0);
}

/* Return the entry of ${sa}, or NULL; with ${make}, take a slot for it. */
static struct source *
lookup(struct sources *t, const struct sockaddr *sa, int make)
{
	struct source *oldest = &t->tab[0];
	uint8_t addr[16];
	int family;
	size_t i;

	if (addr_of(sa, &family, addr))
		return (NULL);
	for (i = 0; i < SOURCES_MAX; i++) {
		if (t->tab[i].family == family &&
		    memcmp(t->tab[i].addr, addr, 16) == 0)
			return (&t->tab[i]);
		if (t->tab[i].last < oldest->last)
			oldest = &t->tab[i];
	}
	if (!make)
		return (NULL);

	/* A free slot has last == 0, so it is the oldest. */
	memset(oldest, 0, sizeof(*oldest));
	oldest->family = family;
	memcpy(oldest->addr, addr, 16);
	return (oldest);
}

/**
 * sources_penalised(t, sa, now):
 * Return the seconds (at least 1) that ${sa} remains refused at the
 * monotonic time ${now} (ms), or 0 if it is not penalised.
 */
int
sources_penalised(struct sources *t, const struct sockaddr *sa, int64_t now)
{
	struct source *s = lookup(t, sa, 0);

	if (s == NULL || s->until <= now)
		return (0);
	return ((int)((s->until - now + 999) / 1000));
}

/**
 * sources_failed(t, sa, now, threshold, duration):
 * Count a failed handshake from ${sa} at ${now} (ms).  Returns 1 if this
 * failure starts a penalty of ${duration} seconds (the ${threshold}th in a
 * row), else 0.  A ${threshold} of 0 disables penalties.
 */
int
sources_failed(struct sources *t, const struct sockaddr *sa, int64_t now,
    int threshold, int duration)
{
	struct source *s;
	int64_t window = 1000 * (int64_t)duration;

	if (threshold == 0 || (s = lookup(t, sa, 1)) == NULL)
		return (0);

	/* A failure long after the last starts a new count. */
	if (now - s->last > window)
		s->failures = 0;
	s->last = now;
	if (++s->failures < threshold || s->until > now)
		return (0);
	s->until = now + window;
	s->failures = 0;
	return (1);
}

/**
 * sources_free(t):
 * Free ${t}.  Does nothing if ${t} is NULL.
 */
void
sources_free(struct sources *t)
{

	free(t);
}
