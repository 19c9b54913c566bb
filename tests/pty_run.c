/* For posix_openpt(3), grantpt(3), unlockpt(3), ptsname(3). */
#define _XOPEN_SOURCE 700

#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/*
 * pty_run: run a command on a new pseudo-terminal (its controlling
 * terminal, 80x24) and drive it with a script, as expect(1) would:
 *
 *	pty_run [-t seconds] [-o transcript] script command [argument ...]
 *
 * Each line of the script is a step:
 *	expect TEXT	wait until TEXT appears in the output after the last
 *			match (at most -t seconds, default 10)
 *	send TEXT	type TEXT
 *	sleep MS	wait MS milliseconds (at most -t seconds), as a slow
 *			typist would
 *	exit N		wait (at most -t seconds) for the command to exit
 *			with status N
 * TEXT may hold \n, \r, \t, \\ and \xHH.  Lines that are empty or start
 * with '#' are skipped.  Everything the command printed goes to the
 * transcript file.  Exits 0 if every step passed, 1 otherwise, 2 on a
 * usage or system error; the command is killed if still running.
 */

#define OUT_MAX		(4 * 1024 * 1024)	/* transcript kept */
#define LINE_MAX_LEN	4096			/* script line */
#define KILL_GRACE_MS	2000
#define TAIL_LEN	2000			/* shown on failure */

/* The command and what it has printed. */
struct run {
	int master;		/* the terminal's master side */
	pid_t pid;		/* the command, or -1 once reaped */
	int status;		/* its wait status, once reaped */
	char *out;		/* its output */
	size_t out_len;
	size_t mark;		/* end of the last match */
	int eof;		/* the terminal was hung up */
	int timeout_ms;
};

/* Return the monotonic clock in milliseconds. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Decode the escapes of ${s} in place; return the decoded length. */
static size_t
unescape(char *s)
{
	size_t i, o = 0;
	unsigned int x;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] != '\\' || s[i + 1] == '\0') {
			s[o++] = s[i];
			continue;
		}
		switch (s[++i]) {
		case 'n':
			s[o++] = '\n';
			break;
		case 'r':
			s[o++] = '\r';
			break;
		case 't':
			s[o++] = '\t';
			break;
		case 'x':
			if (sscanf(s + i + 1, "%2x", &x) == 1) {
				s[o++] = (char)x;
				i += 2;
				break;
			}
			/* FALLTHROUGH */
		default:
			s[o++] = s[i];
		}
	}
	s[o] = '\0';
	return (o);
}

/* Start ${argv} on a new terminal; 0, or -1 with a message printed. */
static int
start(struct run *r, char *argv[])
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char *slave;
	int fd;

	if ((r->master = posix_openpt(O_RDWR | O_NOCTTY)) == -1 ||
	    grantpt(r->master) != 0 || unlockpt(r->master) != 0 ||
	    (slave = ptsname(r->master)) == NULL) {
		perror("pty_run: pseudo-terminal");
		return (-1);
	}
	(void)ioctl(r->master, TIOCSWINSZ, &ws);
	if ((r->pid = fork()) == -1) {
		perror("pty_run: fork");
		return (-1);
	}
	if (r->pid == 0) {
		/* A new session whose controlling terminal is the slave. */
		if (setsid() == -1 || (fd = open(slave, O_RDWR)) == -1 ||
		    ioctl(fd, TIOCSCTTY, 0) == -1 || dup2(fd, 0) == -1 ||
		    dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
			_exit(127);
		close(r->master);
		if (fd > 2)
			close(fd);
		execvp(argv[0], argv);
		_exit(127);
	}
	return (fcntl(r->master, F_SETFL, O_NONBLOCK));
}

/* Wait up to ${ms} for output and read it; -1 on error. */
static int
pump(struct run *r, int ms)
{
	struct pollfd pfd = { .fd = r->master, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (r->eof)
		return (0);
	if (poll(&pfd, 1, ms < 0 ? 0 : ms) == -1)
		return (errno == EINTR ? 0 : -1);
	while ((n = read(r->master, buf, sizeof(buf))) > 0) {
		if (r->out_len + (size_t)n > OUT_MAX)
			n = (ssize_t)(OUT_MAX - r->out_len);
		memcpy(r->out + r->out_len, buf, (size_t)n);
		r->out_len += (size_t)n;
	}
	/* Linux says EIO once every slave descriptor is closed. */
	if (n == 0 || (n == -1 && errno == EIO))
		r->eof = 1;
	return (0);
}

/* Return where ${text} of ${len} bytes is after the mark, or NULL. */
static const char *
find(const struct run *r, const char *text, size_t len)
{
	size_t i;

	for (i = r->mark; i + len <= r->out_len; i++) {
		if (memcmp(r->out + i, text, len) == 0)
			return (r->out + i);
	}
	return (NULL);
}

/* Wait until ${text} (${len} bytes) is printed; 0, or -1 on timeout. */
static int
expect(struct run *r, const char *text, size_t len)
{
	long long deadline = now_ms() + r->timeout_ms;
	const char *at;

	while ((at = find(r, text, len)) == NULL) {
		if (now_ms() >= deadline || r->eof)
			return (-1);
		if (pump(r, (int)(deadline - now_ms())) != 0)
			return (-1);
	}
	r->mark = (size_t)(at - r->out) + len;
	return (0);
}

/* Type ${len} bytes of ${text}, reading output meanwhile; 0 or -1. */
static int
send_text(struct run *r, const char *text, size_t len)
{
	long long deadline = now_ms() + r->timeout_ms;
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		if ((n = write(r->master, text + off, len - off)) > 0)
			off += (size_t)n;
		else if (n == -1 && errno != EAGAIN && errno != EINTR)
			return (-1);
		if (now_ms() >= deadline || pump(r, off < len ? 10 : 0) != 0)
			return (-1);
	}
	return (0);
}

/* Wait ${ms} milliseconds (at most the timeout), reading output. */
static int
pause_ms(struct run *r, int ms)
{
	long long deadline = now_ms() + (ms < r->timeout_ms ? ms :
	    r->timeout_ms);

	while (now_ms() < deadline) {
		if (pump(r, (int)(deadline - now_ms())) != 0)
			return (-1);
		if (r->eof)
			usleep(10000);
	}
	return (0);
}

/* Reap the command if it has exited; 1 if it has. */
static int
reap(struct run *r)
{

	if (r->pid == -1)
		return (1);
	if (waitpid(r->pid, &r->status, WNOHANG) != r->pid)
		return (0);
	r->pid = -1;
	return (1);
}

/* Wait for the command to exit with ${want}; 0, or -1. */
static int
wait_exit(struct run *r, int want)
{
	long long deadline = now_ms() + r->timeout_ms;

	while (!reap(r)) {
		if (now_ms() >= deadline)
			return (-1);
		if (pump(r, r->eof ? 0 : 50) != 0)
			return (-1);
		if (r->eof)
			usleep(10000);
	}
	(void)pump(r, 0);
	if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == want)
		return (0);
	fprintf(stderr, "pty_run: the command exited with status %d (%s), "
	    "not %d\n", WIFEXITED(r->status) ? WEXITSTATUS(r->status) :
	    WTERMSIG(r->status), WIFEXITED(r->status) ? "exit" : "signal",
	    want);
	return (-1);
}

/* Stop the command if it still runs: SIGTERM, then SIGKILL. */
static void
stop(struct run *r)
{
	long long deadline = now_ms() + KILL_GRACE_MS;

	if (reap(r))
		return;
	kill(r->pid, SIGTERM);
	while (!reap(r) && now_ms() < deadline)
		usleep(10000);
	if (r->pid != -1) {
		kill(r->pid, SIGKILL);
		(void)waitpid(r->pid, &r->status, 0);
		r->pid = -1;
	}
}

/* Run the step ${line} (line ${lineno} of the script); 0 or -1. */
static int
step(struct run *r, char *line, int lineno)
{
	size_t len;

	line[strcspn(line, "\n")] = '\0';
	if (line[0] == '\0' || line[0] == '#')
		return (0);
	if (strncmp(line, "expect ", 7) == 0) {
		len = unescape(line + 7);
		if (expect(r, line + 7, len) == 0)
			return (0);
		fprintf(stderr, "pty_run: script line %d: no '%s' within %d "
		    "ms\n", lineno, line + 7, r->timeout_ms);
		return (-1);
	}
	if (strncmp(line, "send ", 5) == 0) {
		len = unescape(line + 5);
		if (send_text(r, line + 5, len) == 0)
			return (0);
		fprintf(stderr, "pty_run: script line %d: cannot send\n",
		    lineno);
		return (-1);
	}
	if (strncmp(line, "sleep ", 6) == 0)
		return (pause_ms(r, atoi(line + 6)));
	if (strncmp(line, "exit ", 5) == 0)
		return (wait_exit(r, atoi(line + 5)));
	fprintf(stderr, "pty_run: script line %d: unknown step: %s\n", lineno,
	    line);
	return (-1);
}

/* Run every step of the script ${f}; 0, or -1 at the first failure. */
static int
run_script(struct run *r, FILE *f)
{
	char *line;
	int lineno = 0, rc = 0;

	if ((line = malloc(LINE_MAX_LEN)) == NULL)
		return (-1);
	while (rc == 0 && fgets(line, LINE_MAX_LEN, f) != NULL)
		rc = step(r, line, ++lineno);
	free(line);
	return (rc);
}

/* Write the transcript to ${path}. */
static void
save(const struct run *r, const char *path)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return;
	}
	fwrite(r->out, 1, r->out_len, f);
	fclose(f);
}

/* Show the end of the transcript on stderr. */
static void
show_tail(const struct run *r)
{
	size_t from = (r->out_len > TAIL_LEN) ? r->out_len - TAIL_LEN : 0;

	fprintf(stderr, "pty_run: --- the last %zu bytes printed\n",
	    r->out_len - from);
	fwrite(r->out + from, 1, r->out_len - from, stderr);
	fputs("\npty_run: --- end\n", stderr);
}

int
main(int argc, char *argv[])
{
	struct run r = { .master = -1, .pid = -1, .timeout_ms = 10000 };
	const char *transcript = NULL;
	FILE *script;
	int ch, rc;

	while ((ch = getopt(argc, argv, "+o:t:")) != -1) {
		if (ch == 'o')
			transcript = optarg;
		else if (ch == 't' && atoi(optarg) > 0)
			r.timeout_ms = 1000 * atoi(optarg);
		else
			goto usage;
	}
	if (argc - optind < 2)
		goto usage;
	if ((script = fopen(argv[optind], "r")) == NULL) {
		perror(argv[optind]);
		return (2);
	}
	if ((r.out = malloc(OUT_MAX)) == NULL || start(&r, argv + optind + 1))
		return (2);
	rc = run_script(&r, script);
	fclose(script);
	stop(&r);
	(void)pump(&r, 0);
	if (transcript != NULL)
		save(&r, transcript);
	if (rc != 0)
		show_tail(&r);
	free(r.out);
	return (rc == 0 ? 0 : 1);

usage:
	fprintf(stderr, "usage: pty_run [-t seconds] [-o transcript] script "
	    "command [argument ...]\n");
	return (2);
}
