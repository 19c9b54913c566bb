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
 * children_add(t, pid, pub, name, peer, expires):
 * Record the session child ${pid} serving key ${pub} (allowlist ${name})
 * for the client at ${peer}, whose key expires at the Unix time ${expires}
 * (0: never).  Returns 0, or -1 if out of memory.
 */
int children_add(struct children *, pid_t, const uint8_t[32], const char *,
    const struct sockaddr *, int64_t);

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
 * After a reload: send SIGUSR1 (end with "access revoked") to every child
 * whose key ${allow} no longer allows at the Unix time ${now} (removed,
 * expired, or not from its client's address), and take the others' expiry
 * times from ${allow}.  Logs each revocation.  Returns how many were told.
 */
int children_revoke(struct children *, const struct allow *, int64_t);

/**
 * children_expire(t, now):
 * Send SIGUSR2 (end with "key expired") to every child whose key expired
 * at or before the Unix time ${now}, once, with a log line.  Returns the
 * next expiry time among the others, or 0 if none.
 */
int64_t children_expire(struct children *, int64_t);

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
