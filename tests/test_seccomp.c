#include "config.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "privsep.h"
#include "test.h"

TEST_DEFINE_GLOBALS;

#ifdef HAVE_SECCOMP
/*
 * Each case runs in a child that calls privsep_lockdown, as a session
 * does before its conversation, then makes one kind of system call.
 */

/* Calls of the conversation; exits 0 if each works as it should. */
static int
conversation_calls(void)
{
	struct timespec ts;
	char buf[4];
	void *p;
	int fds[2];

	/* Made before the lockdown, like the session's descriptors. */
	if (pipe(fds))
		return (10);
	if (privsep_lockdown(NULL, 0))
		return (11);
	if (write(fds[1], "ok", 2) != 2 || read(fds[0], buf, 2) != 2)
		return (12);
	if (clock_gettime(CLOCK_MONOTONIC, &ts) || getpid() <= 0)
		return (13);

	/* malloc, large enough for mmap, and free. */
	if ((p = malloc(1 << 20)) == NULL)
		return (14);
	memset(p, 1, 1 << 20);
	free(p);

	/* syslog reconnecting: refused, not killed. */
	if (socket(AF_UNIX, SOCK_DGRAM, 0) != -1 || errno != EACCES)
		return (15);
	close(fds[0]);
	close(fds[1]);
	return (0);
}

/* A network socket, the way an attacker would call out. */
static int
forbidden_socket(void)
{

	if (privsep_lockdown(NULL, 0))
		return (11);
	(void)socket(AF_INET, SOCK_STREAM, 0);
	return (1);
}

/* Executable memory. */
static int
forbidden_exec_memory(void)
{

	if (privsep_lockdown(NULL, 0))
		return (11);
	(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return (1);
}

/* Opening a file. */
static int
forbidden_open(void)
{

	if (privsep_lockdown(NULL, 0))
		return (11);
	(void)open("/dev/null", O_RDONLY);
	return (1);
}

/* A new process. */
static int
forbidden_fork(void)
{

	if (privsep_lockdown(NULL, 0))
		return (11);
	if (fork() == 0)
		_exit(0);
	return (1);
}

/* Run ${fn} in a child; return its wait(2) status, or -1. */
static int
run(int (*fn)(void))
{
	struct rlimit rl = { 0, 0 };
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0) {
		/* SIGSYS dumps core by default; a session has no core. */
		(void)setrlimit(RLIMIT_CORE, &rl);
		_exit(fn());
	}
	if (waitpid(pid, &st, 0) != pid)
		return (-1);
	return (st);
}

/* Check that ${fn} ran to its end with status 0. */
static void
expect_exit0(const char *name, int (*fn)(void))
{
	int st = run(fn);

	if (!(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0))
		fprintf(stderr, "%s: wait status %#x\n", name, st);
	CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Check that ${fn} was killed with SIGSYS. */
static void
expect_sigsys(const char *name, int (*fn)(void))
{
	int st = run(fn);

	if (!(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS))
		fprintf(stderr, "%s: wait status %#x\n", name, st);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
}

int
main(void)
{

	expect_exit0("conversation", conversation_calls);
	expect_sigsys("socket", forbidden_socket);
	expect_sigsys("mmap PROT_EXEC", forbidden_exec_memory);
	expect_sigsys("open", forbidden_open);
	expect_sigsys("fork", forbidden_fork);
	return (test_exit("test_seccomp"));
}
#else /* !HAVE_SECCOMP */
int
main(void)
{

	printf("test_seccomp: SKIP: built without libseccomp\n");
	return (77);
}
#endif /* !HAVE_SECCOMP */
