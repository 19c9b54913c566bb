#ifndef SOURCE_H_
#define SOURCE_H_

#include <stdint.h>

/*
 * Penalties for source addresses that keep failing handshakes, in the
 * spirit of OpenSSH's PerSourcePenalties: after ${threshold} failures,
 * each within ${duration} seconds of the one before, the source is refused
 * at accept for ${duration} seconds.  A fixed-size table: when it is full
 * the entry seen longest ago makes room, so memory stays bounded whatever
 * the number of sources.
 */

struct sockaddr;
struct sources;

#define SOURCES_MAX	4096	/* addresses tracked at once */

/**
 * sources_new():
 * Return an empty table, or NULL if out of memory.
 */
struct sources *sources_new(void);

/**
 * source_same(a, b):
 * Return non-zero if ${a} and ${b} are the same address (ports aside).
 */
int source_same(const struct sockaddr *, const struct sockaddr *);

/**
 * sources_penalised(t, sa, now):
 * Return the seconds (at least 1) that ${sa} remains refused at the
 * monotonic time ${now} (ms), or 0 if it is not penalised.
 */
int sources_penalised(struct sources *, const struct sockaddr *, int64_t);

/**
 * sources_failed(t, sa, now, threshold, duration):
 * Count a failed handshake from ${sa} at ${now} (ms).  Returns 1 if this
 * failure starts a penalty of ${duration} seconds (the ${threshold}th in a
 * row), else 0.  A ${threshold} of 0 disables penalties.
 */
int sources_failed(struct sources *, const struct sockaddr *, int64_t, int,
    int);

/**
 * sources_free(t):
 * Free ${t}.  Does nothing if ${t} is NULL.
 */
void sources_free(struct sources *);

#endif /* !SOURCE_H_ */
