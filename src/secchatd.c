/*
 * secchatd: the secchat server.  main() reads the configuration and the
 * server's key pair (creating it on first start), binds the handshake
 * port, detaches unless -D, and hands over to master_run().
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "allow.h"
#include "conf.h"
#include "key.h"
#include "log.h"
#include "master.h"
#include "net.h"
#include "privsep.h"

#define DEFAULT_CONFIG	SYSCONFDIR "/secchat/server.ini"

/* Print the usage message to ${f}. */
static void
usage(FILE *f)
{

	fprintf(f, "usage: secchatd [-DTtv] [-f config]\n"
	    "  -f config  configuration file (default %s)\n"
	    "  -D         stay in the foreground and log to stderr\n"
	    "  -t         check the configuration and keys, then exit\n"
	    "  -T         print the effective configuration, then exit\n"
	    "  -v         verbose logging (debug level)\n"
	    "  -h         this help;  -V  version\n", DEFAULT_CONFIG);
}

/* Check the key files named by ${c} without creating any; 0 if usable. */
static int
check_keys(const struct conf *c)
{
	struct key_pair *kp;
	uint8_t pub[KEY_LEN];
	char err[KEY_ERR_LEN];
	int bad = 0;

	if (access(c->secret_key, F_OK) == -1 && errno == ENOENT) {
		fprintf(stderr, "%s: does not exist yet; secchatd creates it "
		    "on first start\n", c->secret_key);
		return (0);
	}
	if ((kp = key_load_secret(c->secret_key, err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return (-1);
	}
	if (access(c->public_key, F_OK) == 0) {
		if (key_load_public(c->public_key, pub, NULL, err)) {
			fprintf(stderr, "%s\n", err);
			bad = -1;
		} else if (sodium_memcmp(pub, kp->pub, KEY_LEN) != 0) {
			fprintf(stderr, "%s: does not match the secret key %s\n",
			    c->public_key, c->secret_key);
			bad = -1;
		}
	}
	key_pair_free(kp);
	return (bad);
}

/* Check that the sessions' user and chroot can be applied; 0 if so. */
static int
check_containment(const struct conf *c)
{
	char err[PRIVSEP_ERR_LEN];

	if (privsep_check(c, err) == 0)
		return (0);
	fprintf(stderr, "secchatd: %s: %s\n", c->path, err);
	return (-1);
}

/* Detach from the terminal: fork, setsid, chdir /, std fds on /dev/null. */
static int
daemonize(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) == -1)
		return (-1);
	if (pid != 0)
		_exit(0);
	if (setsid() == -1 || chdir("/") == -1)
		return (-1);
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		return (-1);
	if (dup2(fd, 0) == -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
		return (-1);
	if (fd > 2)
		close(fd);
	return (0);
}

/* Load or create the server's key pair, logging a creation. */
static struct key_pair *
server_key(const struct conf *c)
{
	struct key_pair *kp;
	char err[KEY_ERR_LEN], comment[KEY_COMMENT_MAX + 1];
	char host[64] = "localhost", fp[KEY_FP_LEN];
	int created;

	(void)gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(comment, sizeof(comment), "secchatd@%s", host);
	kp = key_load_or_create(c->secret_key, c->public_key, comment,
	    &created, err);
	if (kp == NULL) {
		log_error("%s", err);
		return (NULL);
	}
	key_fingerprint(kp->pub, fp);
	log_info("server key %s (%s)%s", fp, c->public_key,
	    created ? ": created now" : "");
	return (kp);
}

/* Write our process ID to ${path}; 0, or -1 with a log line. */
static int
write_pid_file(const char *path)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL ||
	    fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
		log_error("cannot write the pid file %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/*
 * Listen on every address of ${c}; with port 0 the first address takes
 * the kernel's choice and the others the same port.  Stores the sockets in
 * ${lfds} and returns their number, or -1 with a log line.
 */
static int
listen_all(const struct conf *c, int lfds[CONF_LISTEN_MAX])
{
	char err[NET_ERR_LEN];
	int i, port = c->port;

	for (i = 0; i < c->nlisten; i++) {
		if ((lfds[i] = net_listen(c->listen[i], port, 128, err)) == -1) {
			log_error("%s", err);
			while (i-- > 0)
				close(lfds[i]);
			return (-1);
		}
		port = net_local_port(lfds[i]);
		log_info("listening on %s port %d (%zu allowed keys, mode "
		    "echo)", c->listen[i], port, allow_count(c->allow));
	}
	return (c->nlisten);
}

int
main(int argc, char *argv[])
{
	const char *path = DEFAULT_CONFIG;
	int foreground = 0, test = 0, dump = 0, verbose = 0;
	char err[CONF_ERR_LEN > NET_ERR_LEN ? CONF_ERR_LEN : NET_ERR_LEN];
	char abspath[PATH_MAX];
	struct key_pair *id;
	struct conf *c;
	char *pid_file = NULL;
	int ch, status, level, nlfd, lfds[CONF_LISTEN_MAX];

	while ((ch = getopt(argc, argv, "Df:hTtVv")) != -1) {
		switch (ch) {
		case 'D':
			foreground = 1;
			break;
		case 'f':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'T':
			dump = 1;
			break;
		case 't':
			test = 1;
			break;
		case 'V':
			printf("secchatd %s\n", PACKAGE_VERSION);
			exit(0);
		case 'v':
			verbose = 1;
			break;
		default:
			usage(stderr);
			exit(64);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(64);
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "secchatd: cannot initialise libsodium\n");
		exit(1);
	}

	/* The configuration, by absolute path for SIGHUP after chdir("/"). */
	if (realpath(path, abspath) != NULL)
		path = abspath;
	if ((c = conf_load(path, err)) == NULL) {
		fprintf(stderr, "secchatd: %s\n", err);
		exit(1);
	}
	if (test || dump) {
		status = (check_keys(c) || check_containment(c)) ? 1 : 0;
		if (dump)
			conf_dump(c, stdout);
		else if (status == 0)
			printf("%s: configuration OK\n", path);
		conf_free(c);
		exit(status);
	}

	/* Keys and the ports first, so that errors reach the terminal. */
	if (verbose)
		log_force_debug();
	level = c->log_level;
	log_open("secchatd", 1, level, c->log_facility);
	if (check_containment(c) || privsep_prepare() ||
	    (id = server_key(c)) == NULL)
		exit(1);
	if ((nlfd = listen_all(c, lfds)) == -1)
		exit(1);
	if (allow_count(c->allow) == 0)
		log_warn("the allowlist in %s is empty: every client will be "
		    "refused", path);

	if (!foreground) {
		if (daemonize()) {
			log_error("cannot detach: %s", strerror(errno));
			exit(1);
		}
		log_open("secchatd", 0, level, c->log_facility);
	}
	if (c->pid_file != NULL && (pid_file = strdup(c->pid_file)) != NULL &&
	    write_pid_file(pid_file))
		exit(1);
	status = master_run(c, id, lfds, nlfd);
	key_pair_free(id);
	if (pid_file != NULL) {
		(void)unlink(pid_file);
		free(pid_file);
	}
	return (status);
}
