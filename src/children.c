#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "key.h"
#include "log.h"
#include "net.h"
#include "children.h"

/* One live session child. */
struct child {
	pid_t pid;
	uint8_t pub[32];
	char name[ALLOW_NAME_MAX + 1];
	struct sockaddr_storage peer;
	int64_t expires;	/* Unix time the key expires, or 0 */
	int revoked;		/* told to end already */
};

struct children {
	struct child *tab;
	int n;
	int cap;
};

/**
 * children_new():
 * Return an empty table, or NULL if out of memory.
 */
struct children *
children_new(void)
{

	return (calloc(1, sizeof(struct children)));
}

/**
 * children_add(t, pid, pub, name, peer, expires):
 * Record the session child ${pid} serving key ${pub} (allowlist ${name})
 * for the client at ${peer}, whose key expires at the Unix time ${expires}
 * (0: never).  Returns 0, or -1 if out of memory.
 */
int
children_add(struct children *t, pid_t pid, const uint8_t pub[32],
    const char *name, const struct sockaddr *peer, int64_t expires)
{
	struct child *tab, *c;
	int cap;

	if (t->n == t->cap) {
		cap = t->cap ? 2 * t->cap : 64;
		if ((tab = realloc(t->tab, (size_t)cap * sizeof(*tab))) == NULL)
			return (-1);
		t->tab = tab;
		t->cap = cap;
	}
	c = &t->tab[t->n++];
	memset(c, 0, sizeof(*c));
	c->pid = pid;
	c->expires = expires;
	memcpy(c->pub, pub, 32);
	snprintf(c->name, sizeof(c->name), "%s", name);
	memcpy(&c->peer, peer, peer->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	return (0);
}

/**
 * children_remove(t, pid):
 * Forget the child ${pid}.  Returns 0, or -1 if it was not in the table.
 */
int
children_remove(struct children *t, pid_t pid)
{
	int i;

	for (i = 0; i < t->n; i++) {
		if (t->tab[i].pid == pid) {
			t->tab[i] = t->tab[--t->n];
			return (0);
		}
	}
	return (-1);
}

/**
 * children_count(t):
 * Return the number of live children.
 */
int
children_count(const struct children *t)
{

	return (t->n);
}

/**
 * children_count_key(t, pub):
 * Return the number of live children serving the key ${pub}.
 */
int
children_count_key(const struct children *t, const uint8_t pub[32])
{
	int i, n = 0;

	/* Public keys: an ordinary comparison is fine. */
	for (i = 0; i < t->n; i++)
		n += (memcmp(t->tab[i].pub, pub, 32) == 0);
	return (n);
}

/* Return why the child ${c} may no longer run under ${allow}, or NULL. */
static const char *
revoke_reason(struct child *c, const struct allow *allow, int64_t now)
{
	const struct allow_entry *e;

	if ((e = allow_find(allow, c->pub)) == NULL)
		return ("key no longer on the allowlist");
	if (e->expires != 0 && now >= e->expires)
		return ("key expired");
	if (!allow_from_ok(e, (const struct sockaddr *)&c->peer))
		return ("source address no longer allowed for the key");

	/* Still allowed: from now on it expires as the new entry says. */
	c->expires = e->expires;
	return (NULL);
}

/* Log that the child ${c} is told to end (${why}), and tell it ${sig}. */
static void
tell(struct child *c, int sig, const char *why)
{
	char fp[KEY_FP_LEN], peer[NET_ADDRSTR_LEN];

	key_fingerprint(c->pub, fp);
	net_addr_str((struct sockaddr *)&c->peer, peer);
	log_auth_warn("%s session pid %ld of %s (%s) from %s: %s",
	    sig == SIGUSR1 ? "revoking" : "ending", (long)c->pid, c->name, fp,
	    peer, why);
	kill(c->pid, sig);
	c->revoked = 1;
}

/**
 * children_revoke(t, allow, now):
 * After a reload: send SIGUSR1 (end with "access revoked") to every child
 * whose key ${allow} no longer allows at the Unix time ${now} (removed,
 * expired, or not from its client's address), and take the others' expiry
 * times from ${allow}.  Logs each revocation.  Returns how many were told.
 */
int
children_revoke(struct children *t, const struct allow *allow, int64_t now)
{
	const char *why;
	int i, n = 0;

	for (i = 0; i < t->n; i++) {
		if (t->tab[i].revoked ||
		    (why = revoke_reason(&t->tab[i], allow, now)) == NULL)
			continue;
		tell(&t->tab[i], SIGUSR1, why);
		n++;
	}
	return (n);
}

/**
 * children_expire(t, now):
 * Send SIGUSR2 (end with "key expired") to every child whose key expired
 * at or before the Unix time ${now}, once, with a log line.  Returns the
 * next expiry time among the others, or 0 if none.
 */
int64_t
children_expire(struct children *t, int64_t now)
{
	int64_t next = 0;
	int i;

	for (i = 0; i < t->n; i++) {
		if (t->tab[i].revoked || t->tab[i].expires == 0)
			continue;
		if (now >= t->tab[i].expires)
			tell(&t->tab[i], SIGUSR2, "key expired");
		else if (next == 0 || t->tab[i].expires < next)
			next = t->tab[i].expires;
	}
	return (next);
}

/**
 * children_signal(t, sig):
 * Send ${sig} to every live child.
 */
void
children_signal(struct children *t, int sig)
{
	int i;

	for (i = 0; i < t->n; i++)
		kill(t->tab[i].pid, sig);
}

/**
 * children_free(t):
 * Free ${t}.  Does nothing if ${t} is NULL.
 */
void
children_free(struct children *t)
{

	if (t == NULL)
		return;
	free(t->tab);
	free(t);
}
