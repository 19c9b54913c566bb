#ifndef PRIVSEP_H_
#define PRIVSEP_H_

#include <stddef.h>

/*
 * Privilege separation and containment of a session child.  The master may
 * run as root; a session child forgets the master's secrets
 * (privsep_forget), gives up its privileges (privsep_enter) and, once its
 * client is in, restricts itself to the system calls of the conversation
 * (privsep_lockdown).
 */

struct conf;
struct key_pair;
struct proto_session;

#define PRIVSEP_ERR_LEN		512	/* room for an error message */
#define PRIVSEP_NOFILE		32	/* RLIMIT_NOFILE of a session child */

/**
 * privsep_forget(id, release):
 * Forget the server's long-term key pair ${id} in a session child: wipe
 * every byte of it in place, then hand it to ${release} (key_pair_free).
 * Does nothing if ${id} is NULL.
 */
void privsep_forget(struct key_pair *, void (*)(struct key_pair *));

/**
 * privsep_scrub_stack():
 * Wipe the unused stack below the caller, where the frames of handshake
 * computations that have returned may have left traces of secrets.  The
 * master calls it after each handshake step, so that a child forked later
 * inherits no such traces (and has no pages to wipe, and own, itself).
 */
void privsep_scrub_stack(void);

/**
 * privsep_prepare():
 * In the master, once: compile the conversation's system call allowlist,
 * so that each session child only loads it, allocating nothing.  Returns
 * 0, or -1 with the problem logged.  Without libseccomp, does nothing.
 */
int privsep_prepare(void);

/**
 * privsep_check(c, err):
 * Check that the containment asked for by ${c} can be applied: when
 * running as root, that the user ${c}->user exists and is neither root
 * nor in the root group; if ${c}->chroot is set, that it is a directory
 * (not a symbolic link) owned by root and writable by nobody else.
 * Returns 0, or -1 with the problem in ${err} (PRIVSEP_ERR_LEN bytes).
 */
int privsep_check(const struct conf *, char[PRIVSEP_ERR_LEN]);

/**
 * privsep_enter(c, keys):
 * Contain the session child, which must hold no secret of the master any
 * more: lock the session keys ${keys} in memory where allowed; when
 * running as root, chroot(2) to ${c}->chroot if set and drop to the user
 * ${c}->user (all groups, group and user IDs), verified; then set
 * no-new-privs, disable core dumps and lower the resource limits (no new
 * process, PRIVSEP_NOFILE descriptors, no file growth unless standard
 * output or error is a regular file).  Returns 0, or -1 with the problem
 * logged: the child must then exit.
 */
int privsep_enter(const struct conf *, struct proto_session *);

/**
 * privsep_lockdown(secrets, len):
 * Lock the ${len} bytes at ${secrets} (the channel states) in memory where
 * allowed and, when built with libseccomp, restrict the process to the
 * system calls of the conversation: any other kills it (SIGSYS), but for
 * socket(2) in the local domain, which fails with EACCES (syslog
 * reconnecting).  Returns 0, or -1 with the problem logged.
 */
int privsep_lockdown(void *, size_t);

#endif /* !PRIVSEP_H_ */
