#ifndef CHILDREN_H_
#define CHILDREN_H_

#include <sys/socket.h>
#include <sys/types.h>

#include <stdint.h>

/*
 * The master's table of live session children: who each one serves, so
 * that the master can count sessions per key, end the sessions of a key
 * that a reload revoked, and stop them all at shutdown.
 */

struct allow;
struct children;

/**
 * children_new():
 * Return an empty table, or NULL if out of memory.
 */
struct children *children_new(void);

/**
 * children_add(t, pid, pub, name, peer):
 * Record the session child ${pid} serving key ${pub} (allowlist ${name})
 * for the client at ${peer}.  Returns 0, or -1 if out of memory.
 */
int children_add(struct children *, pid_t, const uint8_t[32], const char *,
    const struct sockaddr *);

/**
 * children_remove(t, pid):
 * Forget the child ${pid}.  Returns 0, or -1 if it was not in the table.
 */
int children_remove(struct children *, pid_t);

/**
 * children_count(t):
 * Return the number of live children.
 */
int children_count(const struct children *);

/**
 * children_count_key(t, pub):
 * Return the number of live children serving the key ${pub}.
 */
int children_count_key(const struct children *, const uint8_t[32]);

/**
 * children_revoke(t, allow, now):
 * Send SIGUSR1 (end with "access revoked") to every child whose key is no
 * longer allowed by ${allow} at the Unix time ${now}: removed, expired, or
 * no longer allowed from its client's address.  Logs each one.  Returns
 * how many were told.
 */
int children_revoke(struct children *, const struct allow *, int64_t);

/**
 * children_signal(t, sig):
 * Send ${sig} to every live child.
 */
void children_signal(struct children *, int);

/**
 * children_free(t):
 * Free ${t}.  Does nothing if ${t} is NULL.
 */
void children_free(struct children *);

#endif /* !CHILDREN_H_ */
