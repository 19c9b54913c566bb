/*
 * valgrind_shim: preloaded into secchatd and secchat by make
 * check-valgrind, and only there.  A session child's containment
 * (src/privsep.c) does two things that cannot run under valgrind: it
 * lowers the hard limit of descriptors, which valgrind refuses (EPERM: it
 * keeps descriptors of its own above the limit), and it loads a seccomp
 * filter, which valgrind cannot build (it does not know the seccomp(2)
 * call) and which would kill valgrind's own system calls.  Here the first
 * keeps the hard limit as it is (the soft one still drops), and the filter
 * libseccomp builds is empty: exported, it is a program that allows every
 * call (loaded, it changes nothing); each is said on standard error, and
 * all else runs as it does.
 */

#define _GNU_SOURCE

#include <sys/resource.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

/* Say ${msg} on standard error (no stdio: nothing it would allocate). */
static void
say(const char *msg)
{

	if (write(STDERR_FILENO, msg, strlen(msg)) == -1) {
		/* Nothing to do. */
	}
}

/* setrlimit(2), keeping the hard limit of descriptors. */
int
setrlimit(__rlimit_resource_t res, const struct rlimit *rl)
{
	int (*real)(__rlimit_resource_t, const struct rlimit *);
	struct rlimit r = *rl, now;

	*(void **)&real = dlsym(RTLD_NEXT, "setrlimit");
	if (res == RLIMIT_NOFILE && getrlimit(RLIMIT_NOFILE, &now) == 0 &&
	    r.rlim_max != now.rlim_max) {
		say("valgrind_shim: RLIMIT_NOFILE: the hard limit stays\n");
		r.rlim_max = now.rlim_max;
	}
	return (real(res, &r));
}

/* libseccomp's seccomp_init(3): a filter that is nothing. */
void *
seccomp_init(unsigned int action)
{
	static char nothing;

	(void)action;
	say("valgrind_shim: no seccomp filter\n");
	return (&nothing);
}

/* seccomp_rule_add_array(3): add nothing. */
int
seccomp_rule_add_array(void *ctx, unsigned int action, int syscall,
    unsigned int n, const void *cmp)
{

	(void)ctx;
	(void)action;
	(void)syscall;
	(void)n;
	(void)cmp;
	return (0);
}

/* seccomp_load(3): load nothing. */
int
seccomp_load(void *ctx)
{

	(void)ctx;
	return (0);
}

/* seccomp_export_bpf(3): a program that allows every call. */
int
seccomp_export_bpf(const void *ctx, int fd)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ALLOW);

	(void)ctx;
	return (write(fd, &allow, sizeof(allow)) == (ssize_t)sizeof(allow) ?
	    0 : -1);
}

/* seccomp_release(3): nothing to free. */
void
seccomp_release(void *ctx)
{

	(void)ctx;
}
