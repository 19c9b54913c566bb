/*
 * Privilege separation and containment of a session child.
 *
 * The master may start as root: it reads the key files and binds the
 * handshake port.  A session child is forked after an accepted handshake
 * and needs none of that.  In order, it
 *   1. forgets the master's long-term key pair (privsep_forget; the master
 *	scrubs its stack after each handshake step, privsep_scrub_stack),
 *	and closes every descriptor it does not need;
 *   2. locks its session keys in memory, chroot(2)s to the configured
 *	directory, drops to the configured user (groups, group, user: checked
 *	afterwards, and a child that could become root again exits), sets
 *	no-new-privs, disables core dumps and lowers its resource limits
 *	(privsep_enter);
 *   3. once its client has proved the session on the data port, installs
 *	a system call allowlist for the conversation (privsep_lockdown; the
 *	master compiles it once, privsep_prepare, so a child only loads it):
 *	from then on it can read, write and poll the descriptors it holds,
 *	allocate memory, tell the time and exit, and nothing else.
 * A mandatory step that fails is logged and ends the child.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_SECCOMP
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#endif
#include <sodium.h>

#include "conf.h"
#include "key.h"
#include "log.h"
#include "proto.h"
#include "privsep.h"

/*
 * AddressSanitizer's leak check runs at exit, in a helper process that
 * ptrace(2)s this one and reads /proc: a contained child allows none of
 * that, so in such a build the child runs the check before it is contained.
 */
#if defined(__SANITIZE_ADDRESS__)
#define PRIVSEP_LSAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PRIVSEP_LSAN	1
#endif
#endif
#ifdef PRIVSEP_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#define STACK_SCRUB_LEN	32768	/* stack wiped by privsep_scrub_stack */
#define FILTER_MAX	65536	/* bytes of a compiled filter, at most */

/* Linux's flag for *at(2) calls on a descriptor alone; glibc declares it
 * only with _GNU_SOURCE. */
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH	0x1000
#endif

/* Wipe STACK_SCRUB_LEN bytes of the unused stack below the caller. */
static void __attribute__((noinline))
stack_scrub(void)
{
	uint8_t junk[STACK_SCRUB_LEN];

	sodium_memzero(junk, sizeof(junk));
}

/**
 * privsep_forget(id, release):
 * Forget the server's long-term key pair ${id} in a session child: wipe
 * every byte of it in place, then hand it to ${release} (key_pair_free).
 * Does nothing if ${id} is NULL.
 */
void
privsep_forget(struct key_pair *id, void (*release)(struct key_pair *))
{

	/* Behave consistently with free(NULL). */
	if (id == NULL)
		return;

	/* The pair itself, whatever its release does. */
	sodium_memzero(id, sizeof(*id));
	release(id);
}

/**
 * privsep_scrub_stack():
 * Wipe the unused stack below the caller, where the frames of handshake
 * computations that have returned may have left traces of secrets.  The
 * master calls it after each handshake step, so that a child forked later
 * inherits no such traces (and has no pages to wipe, and own, itself).
 */
void
privsep_scrub_stack(void)
{

	stack_scrub();
}

/* Look up the user ${name} to run sessions as; 0, or -1 and ${err}. */
static int
user_lookup(const char *name, uid_t *uid, gid_t *gid,
    char err[PRIVSEP_ERR_LEN])
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		snprintf(err, PRIVSEP_ERR_LEN, "user %s: %s", name,
		    (errno == 0 || errno == ENOENT) ? "no such user" :
		    strerror(errno));
		return (-1);
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		snprintf(err, PRIVSEP_ERR_LEN, "user %s: sessions may not run "
		    "as root or in the root group", name);
		return (-1);
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return (0);
}

/* Open the chroot directory ${path} after checking it; fd, or -1, ${err}. */
static int
chroot_open(const char *path, char err[PRIVSEP_ERR_LEN])
{
	struct stat sb;
	int fd, saved;

	/* The directory itself, not a symbolic link to one. */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		saved = errno;
		snprintf(err, PRIVSEP_ERR_LEN, "chroot %s: %s", path,
		    (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) ?
		    "is a symbolic link" : strerror(saved));
		goto err0;
	}
	if (fstat(fd, &sb)) {
		snprintf(err, PRIVSEP_ERR_LEN, "chroot %s: %s", path,
		    strerror(errno));
		goto err1;
	}

	/* Nobody but root may put anything there. */
	if (sb.st_uid != 0) {
		snprintf(err, PRIVSEP_ERR_LEN, "chroot %s: not owned by root",
		    path);
		goto err1;
	}
	if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, PRIVSEP_ERR_LEN, "chroot %s: writable by group "
		    "or others (chmod go-w %s)", path, path);
		goto err1;
	}

	/* Success! */
	return (fd);

err1:
	close(fd);
err0:
	/* Failure! */
	return (-1);
}

/**
 * privsep_check(c, err):
 * Check that the containment asked for by ${c} can be applied: when
 * running as root, that the user ${c}->user exists and is neither root
 * nor in the root group; if ${c}->chroot is set, that it is a directory
 * (not a symbolic link) owned by root and writable by nobody else.
 * Returns 0, or -1 with the problem in ${err} (PRIVSEP_ERR_LEN bytes).
 */
int
privsep_check(const struct conf *c, char err[PRIVSEP_ERR_LEN])
{
	uid_t uid;
	gid_t gid;
	int fd;

	if (geteuid() == 0 && user_lookup(c->user, &uid, &gid, err))
		return (-1);
	if (c->chroot != NULL) {
		if ((fd = chroot_open(c->chroot, err)) == -1)
			return (-1);
		close(fd);
	}
	return (0);
}

/* Lock the ${len} bytes at ${p} (${what}) in memory, where allowed. */
static void
lock_secrets(void *p, size_t len, const char *what)
{

	/* RLIMIT_MEMLOCK may forbid it: useful, not mandatory. */
	if (sodium_mlock(p, len))
		log_debug("cannot lock %s in memory: %s", what,
		    strerror(errno));
}

/* Run the sanitizer's leak check now, if there is one (see above). */
static void
leak_check_now(void)
{

#ifdef PRIVSEP_LSAN
	__lsan_do_leak_check();
#endif
}

/* Make ${path} the root directory, after checking it; 0 or -1. */
static int
enter_chroot(const char *path)
{
	char err[PRIVSEP_ERR_LEN];
	int fd;

	if ((fd = chroot_open(path, err)) == -1) {
		log_error("%s", err);
		return (-1);
	}

	/* Through the descriptor checked: the path may have changed. */
	if (fchdir(fd) || chroot(".") || chdir("/")) {
		log_error("chroot %s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	close(fd);
	return (0);
}

/* Check that the process is ${uid}:${gid} alone and cannot go back. */
static int
verify_drop(const char *name, uid_t uid, gid_t gid)
{
	gid_t groups[2];
	int n;

	n = getgroups(2, groups);
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid || n != 1 || groups[0] != gid) {
		log_error("user %s: the IDs did not change as asked", name);
		return (-1);
	}

	/* With a saved ID of 0 or a capability left, these would work. */
	if (setuid(0) != -1 || setgid(0) != -1) {
		log_error("user %s: the session could become root again",
		    name);
		return (-1);
	}
	return (0);
}

/* Become ${uid}:${gid} (user ${name}) for good, and check it; 0 or -1. */
static int
drop_to(const char *name, uid_t uid, gid_t gid)
{

	/* Groups first, while we may still change them. */
	if (setgroups(1, &gid) || setgid(gid) || setuid(uid)) {
		log_error("cannot become user %s: %s", name, strerror(errno));
		return (-1);
	}
	return (verify_drop(name, uid, gid));
}

/* Lower the limit ${res} (${name}) to ${value}, soft and hard; 0 or -1. */
static int
limit(int res, const char *name, rlim_t value)
{
	struct rlimit rl;

	if (getrlimit(res, &rl))
		goto err;

	/* Only ever lower: a raise would be refused. */
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < value)
		value = rl.rlim_max;
	rl.rlim_cur = rl.rlim_max = value;
	if (setrlimit(res, &rl))
		goto err;
	return (0);

err:
	log_error("setrlimit %s: %s", name, strerror(errno));
	return (-1);
}

/* Return non-zero if standard output or error is a regular file. */
static int
std_to_file(void)
{
	struct stat sb;

	return ((fstat(STDOUT_FILENO, &sb) == 0 && S_ISREG(sb.st_mode)) ||
	    (fstat(STDERR_FILENO, &sb) == 0 && S_ISREG(sb.st_mode)));
}

/* Forbid new privileges and core dumps; 0 or -1. */
static int
no_privs_no_core(void)
{

#ifdef PR_SET_NO_NEW_PRIVS
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		log_error("prctl PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return (-1);
	}
#endif
#ifdef PR_SET_DUMPABLE
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		log_error("prctl PR_SET_DUMPABLE: %s", strerror(errno));
		return (-1);
	}
#endif
	return (limit(RLIMIT_CORE, "RLIMIT_CORE", 0));
}

/*
 * Set no-new-privs, disable core dumps and lower the limits: no new
 * process (RLIMIT_NPROC counts the processes of the real user, and binds
 * neither root nor a process with CAP_SYS_RESOURCE), PRIVSEP_NOFILE
 * descriptors (numbers above it that are open stay usable), and no file
 * growth unless a log goes to a regular file.  Sets *${fsize} to whether
 * the last applied.  Returns 0 or -1.
 */
static int
process_limits(int *fsize)
{

	if (no_privs_no_core() ||
	    limit(RLIMIT_NPROC, "RLIMIT_NPROC", 0) ||
	    limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", PRIVSEP_NOFILE))
		return (-1);
	*fsize = !std_to_file();
	if (*fsize && limit(RLIMIT_FSIZE, "RLIMIT_FSIZE", 0))
		return (-1);
	return (0);
}

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
int
privsep_enter(const struct conf *c, struct proto_session *keys)
{
	char err[PRIVSEP_ERR_LEN];
	uid_t uid = getuid();
	gid_t gid = getgid();
	int root = (geteuid() == 0), fsize;

	/* What needs files: the time zone, the leak check, the user. */
	tzset();
	leak_check_now();
	lock_secrets(keys, sizeof(*keys), "the session keys");
	if (root && user_lookup(c->user, &uid, &gid, err)) {
		log_error("%s", err);
		return (-1);
	}
	if (!root)
		log_debug("not started as root: the session keeps uid %ld, "
		    "user %s is not used", (long)uid, c->user);

	/* The root directory while we may, then the IDs for good. */
	if (c->chroot != NULL && enter_chroot(c->chroot))
		return (-1);
	if (root && drop_to(c->user, uid, gid))
		return (-1);
	if (process_limits(&fsize))
		return (-1);
	log_debug("session contained: uid %ld gid %ld, root directory %s, "
	    "no new privileges, no core dumps, no new processes, %d "
	    "descriptors, %s", (long)getuid(), (long)getgid(),
	    c->chroot != NULL ? c->chroot : "unchanged", PRIVSEP_NOFILE,
	    fsize ? "no file growth" : "file growth allowed (log file)");
	return (0);
}

#ifdef HAVE_SECCOMP
/*
 * The system calls of the conversation, found by reading converse() and
 * its callees and checked with strace -f on real sessions (plain, syslog
 * and signal-ended).  Names unknown on this architecture are skipped.
 */
static const char *const filter_allowed[] = {
	/* The data socket, the self-pipe, stderr and syslog. */
	"read", "readv", "recvfrom", "write", "writev", "sendto",
	"poll", "ppoll", "close", "shutdown",
	/* Deadlines and log stamps (usually answered by the vDSO). */
	"clock_gettime", "clock_gettime64", "gettimeofday", "time",
	/* Log lines carry the process ID; stdio may ask about stderr. */
	"getpid", "fstat", "lseek",
	/* Signals from the master: SIGTERM, SIGUSR1; restarted calls. */
	"rt_sigreturn", "sigreturn", "rt_sigprocmask", "restart_syscall",
	/* malloc and free; libsodium. */
	"brk", "munmap", "mremap", "madvise", "getrandom", "futex",
	/* The end. */
	"exit", "exit_group",
	NULL
};

/* Add a rule to ${ctx}: ${action} for the system call ${name} when the ${n}
 * comparisons ${cmp} hold; 0, or -1 with the problem logged. */
static int
filter_rule(scmp_filter_ctx ctx, uint32_t action, const char *name,
    unsigned int n, const struct scmp_arg_cmp *cmp)
{
	int nr, r;

	/* A name this libseccomp does not know is not on this system. */
	if ((nr = seccomp_syscall_resolve_name(name)) == __NR_SCMP_ERROR)
		return (0);
	if ((r = seccomp_rule_add_array(ctx, action, nr, n, cmp)) != 0) {
		log_error("seccomp: cannot add a rule for %s: %s", name,
		    strerror(-r));
		return (-1);
	}
	return (0);
}

/* Return the comparison: argument ${arg} ${op} ${a} (and ${b}, a mask's
 * wanted value). */
static struct scmp_arg_cmp
arg_cmp(unsigned int arg, enum scmp_compare op, scmp_datum_t a,
    scmp_datum_t b)
{
	struct scmp_arg_cmp cmp;

	memset(&cmp, 0, sizeof(cmp));
	cmp.arg = arg;
	cmp.op = op;
	cmp.datum_a = a;
	cmp.datum_b = b;
	return (cmp);
}

/* Add the rules of ${ctx} that look at arguments; 0 or -1. */
static int
filter_conditional(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp noexec, fd_only, local;

	noexec = arg_cmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	fd_only = arg_cmp(3, SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH);
	local = arg_cmp(0, SCMP_CMP_EQ, AF_UNIX, 0);

	/* Memory, but never executable memory. */
	if (filter_rule(ctx, SCMP_ACT_ALLOW, "mmap", 1, &noexec) ||
	    filter_rule(ctx, SCMP_ACT_ALLOW, "mmap2", 1, &noexec) ||
	    filter_rule(ctx, SCMP_ACT_ALLOW, "mprotect", 1, &noexec))
		return (-1);

	/* fstat(2) as glibc makes it, on a descriptor and no path. */
	if (filter_rule(ctx, SCMP_ACT_ALLOW, "newfstatat", 1, &fd_only) ||
	    filter_rule(ctx, SCMP_ACT_ALLOW, "fstatat64", 1, &fd_only))
		return (-1);

	/* syslog(3) reconnects after a syslogd restart: it gets an error
	 * (and the line is lost) rather than a new socket or a kill. */
	return (filter_rule(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 1,
	    &local));
}

/* The allowlist as a BPF program, compiled once by privsep_prepare. */
static struct sock_filter *filter_prog;
static unsigned short filter_len;

/* Build the allowlist in a new libseccomp context; NULL with a log line. */
static scmp_filter_ctx
filter_build(void)
{
	scmp_filter_ctx ctx;
	int i;

	/* Anything not allowed below kills the whole process. */
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		log_error("seccomp: cannot create a filter");
		return (NULL);
	}
	for (i = 0; filter_allowed[i] != NULL; i++)
		if (filter_rule(ctx, SCMP_ACT_ALLOW, filter_allowed[i], 0,
		    NULL))
			goto err;
	if (filter_conditional(ctx))
		goto err;
	return (ctx);

err:
	seccomp_release(ctx);
	return (NULL);
}

/* Compile the allowlist into filter_prog (through a pipe); 0 or -1. */
static int
filter_compile(void)
{
	scmp_filter_ctx ctx;
	uint8_t *buf;
	size_t len = 0;
	ssize_t n;
	int fds[2], r;

	if ((ctx = filter_build()) == NULL)
		return (-1);
	if ((buf = malloc(FILTER_MAX)) == NULL || pipe(fds) == -1) {
		log_error("seccomp: %s", strerror(errno));
		goto err;
	}

	/* A program of a few hundred instructions fits the pipe's buffer. */
	r = seccomp_export_bpf(ctx, fds[1]);
	close(fds[1]);
	while (r == 0 && (n = read(fds[0], buf + len, FILTER_MAX - len)) > 0)
		len += (size_t)n;
	close(fds[0]);
	if (r != 0 || len == 0 || len % sizeof(struct sock_filter) != 0 ||
	    len == FILTER_MAX) {
		log_error("seccomp: cannot compile the filter");
		goto err;
	}
	seccomp_release(ctx);
	filter_prog = (struct sock_filter *)(void *)buf;
	filter_len = (unsigned short)(len / sizeof(struct sock_filter));
	return (0);

err:
	free(buf);
	seccomp_release(ctx);
	return (-1);
}

/* Load the compiled allowlist into this process; 0, or -1 logged. */
static int
filter_install(void)
{
	struct sock_fprog prog;

	if (filter_prog == NULL && filter_compile())
		return (-1);
	prog.len = filter_len;
	prog.filter = filter_prog;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == -1) {
		log_error("seccomp: cannot load the filter: %s",
		    strerror(errno));
		return (-1);
	}
	return (0);
}
#endif /* HAVE_SECCOMP */

/**
 * privsep_prepare():
 * In the master, once: compile the conversation's system call allowlist,
 * so that each session child only loads it, allocating nothing.  Returns
 * 0, or -1 with the problem logged.  Without libseccomp, does nothing.
 */
int
privsep_prepare(void)
{

#ifdef HAVE_SECCOMP
	return (filter_prog != NULL ? 0 : filter_compile());
#else
	return (0);
#endif
}

/**
 * privsep_lockdown(secrets, len):
 * Lock the ${len} bytes at ${secrets} (the channel states) in memory where
 * allowed and, when built with libseccomp, restrict the process to the
 * system calls of the conversation: any other kills it (SIGSYS), but for
 * socket(2) in the local domain, which fails with EACCES (syslog
 * reconnecting).  Returns 0, or -1 with the problem logged.
 */
int
privsep_lockdown(void *secrets, size_t len)
{

	if (len > 0)
		lock_secrets(secrets, len, "the channel states");
#ifdef HAVE_SECCOMP
	if (filter_install())
		return (-1);
	log_debug("session locked down: system call allowlist installed");
#else
	log_debug("built without libseccomp: no system call allowlist");
#endif
	return (0);
}
