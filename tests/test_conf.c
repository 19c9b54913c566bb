#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "allow.h"
#include "conf.h"
#include "key.h"
#include "log.h"
#include "test.h"

/*
 * Unit tests for conf.c and allow.c.  Every configuration is written to a
 * file in a private temporary directory, which is removed at the end.
 */

TEST_DEFINE_GLOBALS;

/* Files the tests may create in the temporary directory. */
static const char *tmp_files[] = {
	"server.ini", "dump1.ini", "dump2.ini", "sample.ini",
	"sub/server.ini", NULL
};

/* Short enough that paths made from them fit their buffers. */
static char tmpdir[256];		/* the temporary directory */
static char cfg[300];			/* tmpdir/server.ini */

/* Three public keys and their lines, set by make_keys. */
static uint8_t pub[3][KEY_LEN];
static char line[3][KEY_LINE_MAX + 1];

/* Make the test keys and their public lines. */
static void
make_keys(void)
{
	int i;

	for (i = 0; i < 3; i++) {
		randombytes_buf(pub[i], KEY_LEN);
		key_format_public(pub[i], i == 0 ? "alice@laptop" : NULL,
		    line[i]);
	}
}

/* Write ${text} to ${path}; return 0 or -1. */
static int
write_file(const char *path, const char *text)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		return (-1);
	if (fputs(text, f) == EOF) {
		fclose(f);
		return (-1);
	}
	return (fclose(f) == 0 ? 0 : -1);
}

/* Read ${path} into a new string; return NULL on failure. */
static char *
read_file(const char *path)
{
	FILE *f;
	char *s = NULL;
	size_t len = 0;
	size_t n;
	char buf[512];

	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		char *t = realloc(s, len + n + 1);

		if (t == NULL) {
			free(s);
			fclose(f);
			return (NULL);
		}
		s = t;
		memcpy(s + len, buf, n);
		len += n;
		s[len] = '\0';
	}
	fclose(f);
	return (s != NULL ? s : strdup(""));
}

/* Write ${text} as tmpdir/server.ini and load it. */
static struct conf *
load_text(const char *text, char err[CONF_ERR_LEN])
{

	err[0] = '\0';
	if (write_file(cfg, text)) {
		snprintf(err, CONF_ERR_LEN, "cannot write %s", cfg);
		return (NULL);
	}
	return (conf_load(cfg, err));
}

/* Check that ${text} fails at ${lineno} (0: none) with ${what} first. */
static void
check_error_at(const char *text, int lineno, const char *what, int srcline)
{
	char err[CONF_ERR_LEN];
	char want[1024];
	struct conf *c;
	int ok;

	/* Expect "PATH:LINE: what..." or "PATH: what...". */
	if (lineno > 0)
		snprintf(want, sizeof(want), "%s:%d: %s", cfg, lineno, what);
	else
		snprintf(want, sizeof(want), "%s: %s", cfg, what);
	c = load_text(text, err);
	ok = (c == NULL && strncmp(err, want, strlen(want)) == 0);
	CHECK(ok);
	if (!ok)
		fprintf(stderr, "  (test_conf.c:%d) want '%s...'\n  got '%s'\n",
		    srcline, want, c == NULL ? err : "success");
	conf_free(c);
}

/* Check that ${text} loads, reporting ${srcline} if it does not. */
static struct conf *
check_load_at(const char *text, int srcline)
{
	char err[CONF_ERR_LEN];
	struct conf *c;

	c = load_text(text, err);
	CHECK(c != NULL);
	if (c == NULL)
		fprintf(stderr, "  (test_conf.c:%d) %s\n", srcline, err);
	return (c);
}

/* Return the allowlist name of ${pub} in ${a}, or NULL. */
static const char *
find_name(const struct allow *a, const uint8_t *pub)
{
	const struct allow_entry *e = allow_find(a, pub);

	return (e == NULL ? NULL : e->name);
}

/* Add ${pub} under ${name} to ${a} as server.ini would; 0 or -1. */
static int
add_key(struct allow *a, const char *name, const uint8_t *pub, char *err)
{
	char line[KEY_LINE_MAX + 1];
	struct allow_entry e;

	key_format_public(pub, NULL, line);
	if (allow_parse(name, line, &e, err))
		return (-1);
	return (allow_add(a, &e, err));
}

/* Return 1 if the strings ${a} and ${b} are equal or both NULL, else 0. */
static int
same_str(const char *a, const char *b)
{

	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* Return 1 if ${a} and ${b} listen on the same addresses, else 0. */
static int
same_listen(const struct conf *a, const struct conf *b)
{
	int i;

	if (a->nlisten != b->nlisten)
		return (0);
	for (i = 0; i < a->nlisten; i++) {
		if (strcmp(a->listen[i], b->listen[i]) != 0)
			return (0);
	}
	return (1);
}

/* Return 1 if ${a} and ${b} hold the same [server] values, else 0. */
static int
same_server(const struct conf *a, const struct conf *b)
{

	return (same_listen(a, b) && a->port == b->port &&
	    a->data_port_min == b->data_port_min &&
	    a->data_port_max == b->data_port_max &&
	    strcmp(a->secret_key, b->secret_key) == 0 &&
	    strcmp(a->public_key, b->public_key) == 0 && a->mode == b->mode &&
	    a->handshake_timeout == b->handshake_timeout &&
	    a->data_accept_timeout == b->data_accept_timeout &&
	    a->idle_timeout == b->idle_timeout &&
	    a->max_startups == b->max_startups &&
	    a->per_source_startups == b->per_source_startups &&
	    a->max_sessions == b->max_sessions &&
	    a->penalty_failures == b->penalty_failures &&
	    a->penalty_duration == b->penalty_duration &&
	    same_str(a->user, b->user) && same_str(a->chroot, b->chroot) &&
	    same_str(a->pid_file, b->pid_file) &&
	    a->log_level == b->log_level && a->log_facility == b->log_facility);
}

/* Return 1 if the entries ${a} and ${b} are the same, else 0. */
static int
same_entry(const struct allow_entry *a, const struct allow_entry *b)
{
	int i;

	if (strcmp(a->name, b->name) != 0 ||
	    memcmp(a->pub, b->pub, sizeof(a->pub)) != 0 ||
	    strcmp(a->comment, b->comment) != 0 || a->expires != b->expires ||
	    a->nfrom != b->nfrom || a->max_sessions != b->max_sessions)
		return (0);
	for (i = 0; i < a->nfrom; i++) {
		if (a->from[i].family != b->from[i].family ||
		    a->from[i].bits != b->from[i].bits ||
		    memcmp(a->from[i].addr, b->from[i].addr, 16) != 0)
			return (0);
	}
	return (1);
}

/* Check the built-in defaults of ${c}, given the key path ${sk}. */
static void
check_defaults(const struct conf *c, const char *sk)
{
	char pk[PATH_MAX];

	snprintf(pk, sizeof(pk), "%s.pub", sk);
	CHECK(c->nlisten == 1 && strcmp(c->listen[0], "127.0.0.1") == 0);
	CHECK(c->port == 7070);
	CHECK(c->data_port_min == 40000);
	CHECK(c->data_port_max == 40999);
	CHECK(strcmp(c->secret_key, sk) == 0);
	CHECK(strcmp(c->public_key, pk) == 0);
	CHECK(c->mode == CONF_MODE_ECHO);
	CHECK(c->handshake_timeout == 10);
	CHECK(c->data_accept_timeout == 10);
	CHECK(c->idle_timeout == 600);
	CHECK(c->max_startups == 64);
	CHECK(c->per_source_startups == 8);
	CHECK(c->max_sessions == 128);
	CHECK(c->penalty_failures == 5);
	CHECK(c->penalty_duration == 30);
	CHECK(same_str(c->user, "nobody"));
	CHECK(c->log_level == LOG_LEVEL_INFO);
	CHECK(c->log_facility == LOG_DAEMON);
}

/* The built-in defaults, from an empty file and an empty [server]. */
static void
test_defaults(void)
{
	const char *sk = SYSCONFDIR "/secchat/keys/server.key";
	struct conf *c;

	if ((c = check_load_at("", __LINE__)) != NULL) {
		check_defaults(c, sk);
		CHECK(c->chroot == NULL && c->pid_file == NULL);
		CHECK(strcmp(c->path, cfg) == 0);
		CHECK(allow_count(c->allow) == 0);
		conf_free(c);
	}
	if ((c = check_load_at("[server]\n[allow]\n", __LINE__)) != NULL) {
		check_defaults(c, sk);
		CHECK(c->chroot == NULL && c->pid_file == NULL);
		CHECK(allow_count(c->allow) == 0);
		conf_free(c);
	}
}

/* Copy ${text} uncommenting the "#key = value" lines into a new string. */
static char *
uncomment(const char *text)
{
	char *out;
	char *o;
	const char *s;

	if ((out = malloc(strlen(text) + 1)) == NULL)
		return (NULL);
	for (s = text, o = out; *s != '\0'; s++) {
		/* Skip a '#' at the start of a line, before a letter. */
		if (*s == '#' && (s == text || s[-1] == '\n') &&
		    islower((unsigned char)s[1]))
			continue;
		*o++ = *s;
	}
	*o = '\0';
	return (out);
}

/* The sample loads, and its commented values are the defaults. */
static void
test_sample(void)
{
	char path[PATH_MAX];
	char err[CONF_ERR_LEN];
	char out[300];
	const struct allow_entry *e;
	const char *top;
	struct conf *c, *u;
	char *text, *text2;

	/* The sample as installed. */
	if ((top = getenv("top_srcdir")) == NULL)
		top = ".";
	snprintf(path, sizeof(path), "%s/etc/server.ini", top);
	c = conf_load(path, err);
	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	check_defaults(c, SYSCONFDIR "/secchat/keys/server.key");
	CHECK(c->chroot == NULL && c->pid_file == NULL);
	CHECK(allow_count(c->allow) == 0);

	/*
	 * With every "#key = value" line uncommented: the defaults, examples
	 * for the keys that have none, and two allowed keys, the second with
	 * every option.
	 */
	text = read_file(path);
	CHECK(text != NULL);
	text2 = (text != NULL) ? uncomment(text) : NULL;
	snprintf(out, sizeof(out), "%s/sample.ini", tmpdir);
	CHECK(text2 != NULL && write_file(out, text2) == 0);
	u = conf_load(out, err);
	CHECK(u != NULL);
	if (u != NULL) {
		check_defaults(u, "/etc/secchat/keys/server.key");
		CHECK(same_str(u->chroot, "/var/empty"));
		CHECK(same_str(u->pid_file, "/run/secchatd.pid"));
		CHECK(allow_count(u->allow) == 2);
		e = allow_count(u->allow) == 2 ? allow_get(u->allow, 1) : NULL;
		CHECK(e != NULL && e->expires != 0 && e->nfrom == 2 &&
		    e->max_sessions == 2);
	} else
		fprintf(stderr, "  %s\n", err);
	conf_free(u);
	free(text2);
	free(text);
	conf_free(c);
}

/* Every field parsed. */
static void
test_fields(void)
{
	char text[2048];
	char want[PATH_MAX];
	struct conf *c;

	snprintf(text, sizeof(text), "; a comment\n# another\n[server]\n"
	    "listen = ::1\nport = 0\ndata_ports = 0\n"
	    "secret_key = /srv/k/s.key ; inline comment\n"
	    "public_key = p.pub\nmode = echo\nhandshake_timeout = 1\n"
	    "data_accept_timeout = 3600\nidle_timeout = 86400\n"
	    "max_startups = 1\nmax_sessions = 100000\n"
	    "[allow]\nalice = %s\nbob.b-2@x_y=%s\n", line[0], line[1]);
	if ((c = check_load_at(text, __LINE__)) == NULL)
		return;
	snprintf(want, sizeof(want), "%s/p.pub", tmpdir);
	CHECK(strcmp(c->listen[0], "::1") == 0);
	CHECK(c->port == 0);
	CHECK(c->data_port_min == 0 && c->data_port_max == 0);
	CHECK(strcmp(c->secret_key, "/srv/k/s.key") == 0);
	CHECK(strcmp(c->public_key, want) == 0);
	CHECK(c->mode == CONF_MODE_ECHO);
	CHECK(c->handshake_timeout == 1);
	CHECK(c->data_accept_timeout == 3600);
	CHECK(c->idle_timeout == 86400);
	CHECK(c->max_startups == 1);
	CHECK(c->max_sessions == 100000);
	CHECK(allow_count(c->allow) == 2);
	CHECK(find_name(c->allow, pub[0]) != NULL &&
	    strcmp(find_name(c->allow, pub[0]), "alice") == 0);
	CHECK(find_name(c->allow, pub[1]) != NULL &&
	    strcmp(find_name(c->allow, pub[1]), "bob.b-2@x_y") == 0);
	CHECK(find_name(c->allow, pub[2]) == NULL);
	conf_free(c);
}

/* Port ranges, an IPv4 address, leading zeros. */
static void
test_fields_ports(void)
{
	struct conf *c;

	c = check_load_at("[server]\nlisten = 0.0.0.0\nport = 1023\n"
	    "data_ports = 1024-65535\nidle_timeout = 0600\n", __LINE__);
	if (c == NULL)
		return;
	CHECK(strcmp(c->listen[0], "0.0.0.0") == 0);
	CHECK(c->port == 1023);
	CHECK(c->data_port_min == 1024 && c->data_port_max == 65535);
	CHECK(c->idle_timeout == 600);
	conf_free(c);

	/* A one-port range; a port outside a range. */
	c = check_load_at("[server]\ndata_ports = 5000-5000\nport = 4999\n",
	    __LINE__);
	if (c != NULL)
		CHECK(c->data_port_min == 5000 && c->data_port_max == 5000);
	conf_free(c);
}

#define check_error(text, lineno, what) \
	check_error_at(text, lineno, what, __LINE__)

/* The operational keys of [server]: limits, penalties, user, paths, logs. */
static void
test_fields_more(void)
{
	char want[PATH_MAX];
	struct conf *c;

	c = check_load_at("[server]\nper_source_startups = 1\n"
	    "penalty_failures = 0\npenalty_duration = 86400\n"
	    "user = _secchat\nchroot = empty\npid_file = /run/s.pid\n"
	    "log_level = debug\nlog_facility = local7\n", __LINE__);
	if (c == NULL)
		return;
	CHECK(c->per_source_startups == 1);
	CHECK(c->penalty_failures == 0);
	CHECK(c->penalty_duration == 86400);
	CHECK(same_str(c->user, "_secchat"));
	snprintf(want, sizeof(want), "%s/empty", tmpdir);
	CHECK(same_str(c->chroot, want));
	CHECK(same_str(c->pid_file, "/run/s.pid"));
	CHECK(c->log_level == LOG_LEVEL_DEBUG);
	CHECK(c->log_facility == LOG_LOCAL7);
	conf_free(c);

	/* The other ends of the ranges; the paths the other way round. */
	c = check_load_at("[server]\nper_source_startups = 100000\n"
	    "penalty_failures = 1000\npenalty_duration = 1\n"
	    "chroot = /var/empty\npid_file = run/secchatd.pid\n", __LINE__);
	if (c == NULL)
		return;
	CHECK(c->per_source_startups == 100000);
	CHECK(c->penalty_failures == 1000);
	CHECK(c->penalty_duration == 1);
	CHECK(same_str(c->chroot, "/var/empty"));
	snprintf(want, sizeof(want), "%s/run/secchatd.pid", tmpdir);
	CHECK(same_str(c->pid_file, want));
	conf_free(c);
}

/* Set ${key} to each name of ${names} and check the ${values} read. */
static void
check_names(const char *key, const char *const *names, const int *values)
{
	char text[256];
	struct conf *c;
	int i, got;

	for (i = 0; names[i] != NULL; i++) {
		snprintf(text, sizeof(text), "[server]\n%s = %s\n", key,
		    names[i]);
		if ((c = check_load_at(text, __LINE__)) == NULL)
			continue;
		got = strcmp(key, "log_level") == 0 ? c->log_level :
		    c->log_facility;
		CHECK(got == values[i]);
		if (got != values[i])
			fprintf(stderr, "  %s = %s read as %d\n", key, names[i],
			    got);
		conf_free(c);
	}
}

/* Every name of log_level and log_facility. */
static void
test_log_names(void)
{
	static const char *const levels[] = { "error", "warn", "info",
	    "debug", NULL };
	static const int level_values[] = { LOG_LEVEL_ERROR, LOG_LEVEL_WARN,
	    LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
	static const char *const facilities[] = { "daemon", "auth",
	    "authpriv", "user", "local0", "local1", "local2", "local3",
	    "local4", "local5", "local6", "local7", NULL };
	static const int facility_values[] = { LOG_DAEMON, LOG_AUTH,
	    LOG_AUTHPRIV, LOG_USER, LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2,
	    LOG_LOCAL3, LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7 };

	check_names("log_level", levels, level_values);
	check_names("log_facility", facilities, facility_values);
}

/* Several listen addresses, IPv4 and IPv6, in order, spaces trimmed. */
static void
test_listen(void)
{
	char text[512];
	char want[64];
	struct conf *c;
	int i;

	c = check_load_at("[server]\nlisten = 0.0.0.0,::\n", __LINE__);
	if (c != NULL) {
		CHECK(c->nlisten == 2);
		CHECK(strcmp(c->listen[0], "0.0.0.0") == 0);
		CHECK(c->nlisten == 2 && strcmp(c->listen[1], "::") == 0);
	}
	conf_free(c);
	c = check_load_at("[server]\nlisten = 127.0.0.1 ,  ::1,\t192.0.2.7 "
	    ", fe80::1\n", __LINE__);
	if (c != NULL && c->nlisten == 4) {
		CHECK(strcmp(c->listen[0], "127.0.0.1") == 0);
		CHECK(strcmp(c->listen[1], "::1") == 0);
		CHECK(strcmp(c->listen[2], "192.0.2.7") == 0);
		CHECK(strcmp(c->listen[3], "fe80::1") == 0);
	} else
		CHECK(c != NULL && c->nlisten == 4);
	conf_free(c);

	/* CONF_LISTEN_MAX addresses, and one more. */
	snprintf(text, sizeof(text), "[server]\nlisten = 127.0.0.1");
	for (i = 2; i <= CONF_LISTEN_MAX; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    ", 127.0.0.%d", i);
	c = check_load_at(text, __LINE__);
	if (c != NULL) {
		snprintf(want, sizeof(want), "127.0.0.%d", CONF_LISTEN_MAX);
		CHECK(c->nlisten == CONF_LISTEN_MAX &&
		    strcmp(c->listen[CONF_LISTEN_MAX - 1], want) == 0);
	}
	conf_free(c);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), ", ::1\n");
	snprintf(want, sizeof(want), "listen: more than %d addresses",
	    CONF_LISTEN_MAX);
	check_error(text, 2, want);

	/* Not a list of addresses. */
	check_error("[server]\n\nlisten = ,\n", 3, "listen: no address");
	check_error("[server]\nlisten = 127.0.0.1 ::1\n", 2,
	    "listen: '127.0.0.1 ::1' is not an IPv4 or IPv6 address");
	check_error("[server]\nlisten = ::1, localhost\n", 2,
	    "listen: 'localhost' is not an IPv4 or IPv6 address");
	check_error("[server]\nlisten = [::1]\n", 2,
	    "listen: '[::1]' is not an IPv4 or IPv6 address");
	check_error("[server]\nlisten = 10.0.0.0/8\n", 2,
	    "listen: '10.0.0.0/8' is not an IPv4 or IPv6 address");
	check_error("[server]\nlisten = ::1\nport = 1\nlisten = ::\n", 4,
	    "duplicate key 'listen' in [server]");
}

/* Problems with the values of the operational keys. */
static void
test_errors_more(void)
{

	check_error("[server]\nper_source_startups = 0\n", 2,
	    "per_source_startups: '0' is not a number in 1..100000");
	check_error("[server]\nper_source_startups = 100001\n", 2,
	    "per_source_startups: '100001' is not a number in 1..100000");
	check_error("[server]\n\n\npenalty_failures = 1001\n", 4,
	    "penalty_failures: '1001' is not a number in 0..1000");
	check_error("[server]\npenalty_failures = -1\n", 2,
	    "penalty_failures: '-1' is not a number in 0..1000");
	check_error("[server]\npenalty_failures = off\n", 2,
	    "penalty_failures: 'off' is not a number in 0..1000");
	check_error("[server]\npenalty_duration = 0\n", 2,
	    "penalty_duration: '0' is not a number in 1..86400");
	check_error("[server]\npenalty_duration = 86401\n", 2,
	    "penalty_duration: '86401' is not a number in 1..86400");
	check_error("[server]\npenalty_duration = 30s\n", 2,
	    "penalty_duration: '30s' is not a number in 1..86400");
	check_error("[server]\nuser =\n", 2, "user: empty value");
	check_error("[server]\nuser = a\nuser = b\n", 3,
	    "duplicate key 'user' in [server]");
	check_error("[server]\nchroot =\n", 2, "chroot: empty path");
	check_error("[server]\nport = 1\npid_file =\n", 3,
	    "pid_file: empty path");
	check_error("[server]\nlog_level = warning\n", 2,
	    "log_level: unknown value 'warning'");
	check_error("[server]\nlog_level = DEBUG\n", 2,
	    "log_level: unknown value 'DEBUG'");
	check_error("[server]\nlog_level =\n", 2,
	    "log_level: unknown value ''");
	check_error("[server]\nlog_facility = kern\n", 2,
	    "log_facility: unknown value 'kern'");
	check_error("[server]\nlog_facility = local8\n", 2,
	    "log_facility: unknown value 'local8'");
	check_error("[server]\nlog_facility = Daemon\n", 2,
	    "log_facility: unknown value 'Daemon'");
	check_error("[server]\nlog_facility = daemon\nlog_facility = auth\n",
	    3, "duplicate key 'log_facility' in [server]");
}

/* Problems with [server] values. */
static void
test_errors_server(void)
{

	/* An unknown section is named at its header, empty or not. */
	check_error("[server]\nport = 1\n[bogus]\nx = 1\n", 3,
	    "unknown section [bogus]");
	check_error("[server]\nport = 1\n[bogus]\n", 3,
	    "unknown section [bogus]");
	check_error("port = 1\n", 1, "'port' is outside any section");
	check_error("[server]\nlisten = ::1\nprot = 7070\n", 3,
	    "unknown key 'prot' in [server]");
	check_error("[server]\nPort = 7070\n", 2,
	    "unknown key 'Port' in [server]");
	check_error("[server]\n\nport = 70x70\n", 3,
	    "port: '70x70' is not a number in 0..65535");
	check_error("[server]\nport = 65536\n", 2,
	    "port: '65536' is not a number in 0..65535");
	check_error("[server]\nport = -1\n", 2,
	    "port: '-1' is not a number in 0..65535");
	check_error("[server]\nport = +1\n", 2, "port: '+1' is not a number");
	check_error("[server]\nport =\n", 2, "port: '' is not a number");
	check_error("[server]\nport = 99999999999999999999\n", 2,
	    "port: '99999999999999999999' is not a number");
	check_error("[server]\nhandshake_timeout = 0\n", 2,
	    "handshake_timeout: '0' is not a number in 1..3600");
	check_error("[server]\ndata_accept_timeout = 3601\n", 2,
	    "data_accept_timeout: '3601' is not a number in 1..3600");
	check_error("[server]\nidle_timeout = 86401\n", 2,
	    "idle_timeout: '86401' is not a number in 1..86400");
	check_error("[server]\nmax_startups = 0\n", 2,
	    "max_startups: '0' is not a number in 1..100000");
	check_error("[server]\nmax_sessions = 100001\n", 2,
	    "max_sessions: '100001' is not a number in 1..100000");
	check_error("[server]\nlisten = localhost\n", 2,
	    "listen: 'localhost' is not an IPv4 or IPv6 address");
	check_error("[server]\nlisten =\n", 2, "listen: no address");
	check_error("[server]\nmode = room\n", 2, "mode: unknown mode 'room'");
	check_error("[server]\nsecret_key =\n", 2, "secret_key: empty path");
	check_error("[server]\nport = 1\nlisten = ::1\nport = 2\n", 4,
	    "duplicate key 'port' in [server]");
	check_error("[server]\nmode = echo\n[allow]\n[server]\nmode = echo\n",
	    5, "duplicate key 'mode' in [server]");
	check_error("[server]\nport = 1\n  2\n", 3,
	    "duplicate key 'port' in [server]");
}

/* Problems with data_ports, alone and against port. */
static void
test_errors_ports(void)
{
	const char *bad[] = { "5-3", "abc", "80-90", "3000-2000", "2000-",
	    "-2000", "2000", "2000-70000", "1023-2000", "2000--3000",
	    "2000 - 3000", "00", "", NULL };
	char text[256];
	char what[256];
	int i;

	for (i = 0; bad[i] != NULL; i++) {
		snprintf(text, sizeof(text), "[server]\n\ndata_ports = %s\n",
		    bad[i]);
		snprintf(what, sizeof(what), "data_ports: '%s' is not LOW-HIGH"
		    " with 1024 <= LOW <= HIGH <= 65535, or 0", bad[i]);
		check_error(text, 3, what);
	}
	check_error("[server]\nport = 40500\n", 0,
	    "data_ports 40000-40999 contains port 40500");
	check_error("[server]\nport = 2000\ndata_ports = 2000-2000\n", 0,
	    "data_ports 2000-2000 contains port 2000");
	check_error("[server]\ndata_ports = 7000-8000\n", 0,
	    "data_ports 7000-8000 contains port 7070");
	check_error("[server]\nsecret_key = /k\npublic_key = /k\n", 0,
	    "secret_key and public_key are the same file");
}

/* Problems with [allow], syntax, and which error comes first. */
static void
test_errors_allow(void)
{
	char text[2048];
	char longline[400];

	snprintf(text, sizeof(text), "[allow]\nalice = %s\nbob = %s\n"
	    "alice = %s\n", line[0], line[1], line[2]);
	check_error(text, 4, "[allow] alice: name already in the allowlist");
	snprintf(text, sizeof(text), "[allow]\nalice = %s\n\nbob = %s\n",
	    line[0], line[0]);
	check_error(text, 4,
	    "[allow] bob: key already in the allowlist as 'alice'");
	check_error("[allow]\nbob = secchat-public-v1 notbase64\n", 2,
	    "[allow] bob: bad public key: ");
	check_error("[allow]\nbob = \n", 2, "[allow] bob: bad public key: ");
	snprintf(text, sizeof(text), "[allow]\nbob = secchat-secret-v1%s\n",
	    line[1] + strlen(KEY_PUBLIC_TAG));
	check_error(text, 2, "[allow] bob: bad public key: ");
	snprintf(text, sizeof(text), "[allow]\nbad/name = %s\n", line[1]);
	check_error(text, 2, "[allow] bad/name: bad name");
	snprintf(text, sizeof(text), "[allow]\n"
	    "a1234567890123456789012345678901234567890123456789012345678901234"
	    " = %s\n", line[1]);
	check_error(text, 2, "[allow] a123");

	/* Syntax errors that inih finds itself. */
	check_error("[server]\nport = 1\nno equals sign here\n", 3,
	    "syntax error");
	check_error("[server\nport = 1\n", 1, "syntax error");

	/* The first error wins, whoever found it. */
	check_error("[server]\ngarbage\nprot = 1\n", 2, "syntax error");
	check_error("[server]\nprot = 1\ngarbage\n", 2, "unknown key 'prot'");
	check_error("[server]\nprot = 1\nport = x\n", 2, "unknown key 'prot'");

	/* A line too long for inih's buffer, and the lines after it. */
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	snprintf(text, sizeof(text), "[server]\n;%s\nport = 1\n", longline);
	check_error(text, 2, "line too long");
	snprintf(text, sizeof(text), "[server]\nprot = 1\n;%s\n", longline);
	check_error(text, 2, "unknown key 'prot'");
	snprintf(text, sizeof(text), "[server]\n;%s\nport = x\n", longline);
	check_error(text, 2, "line too long");
}

/* A file that is missing, or is not a file. */
static void
test_missing(void)
{
	char path[300];
	char want[1024];
	char err[CONF_ERR_LEN];
	struct conf *c;

	snprintf(path, sizeof(path), "%s/missing.ini", tmpdir);
	snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
	c = conf_load(path, err);
	CHECK(c == NULL && strcmp(err, want) == 0);
	conf_free(c);

	snprintf(want, sizeof(want), "%s: ", tmpdir);
	c = conf_load(tmpdir, err);
	CHECK(c == NULL && strncmp(err, want, strlen(want)) == 0);
	conf_free(c);
}

/* Relative key paths are taken from the directory of the file. */
static void
test_paths(void)
{
	char sub[300];
	char path[400];
	char want[PATH_MAX];
	char err[CONF_ERR_LEN];
	char cwd[PATH_MAX];
	char *real;
	struct conf *c;

	/* An absolute config path: its directory as written. */
	snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	CHECK(mkdir(sub, 0700) == 0);
	snprintf(path, sizeof(path), "%s/server.ini", sub);
	CHECK(write_file(path, "[server]\nsecret_key = keys/s.key\n") == 0);
	if ((c = conf_load(path, err)) != NULL) {
		snprintf(want, sizeof(want), "%s/keys/s.key", sub);
		CHECK(strcmp(c->secret_key, want) == 0);
		snprintf(want, sizeof(want), "%s/keys/s.key.pub", sub);
		CHECK(strcmp(c->public_key, want) == 0);
	} else
		CHECK(0);
	conf_free(c);

	/* A relative config path: taken from the working directory. */
	real = realpath(tmpdir, NULL);
	CHECK(real != NULL);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK(chdir(tmpdir) == 0);
	if ((c = conf_load("sub/server.ini", err)) != NULL) {
		snprintf(want, sizeof(want), "%s/sub/keys/s.key", real);
		CHECK(strcmp(c->secret_key, want) == 0);
		CHECK(strcmp(c->path, "sub/server.ini") == 0);
	} else
		CHECK(0);
	conf_free(c);
	CHECK(write_file("server.ini", "[server]\npublic_key = p\n") == 0);
	if ((c = conf_load("server.ini", err)) != NULL) {
		snprintf(want, sizeof(want), "%s/p", real);
		CHECK(strcmp(c->public_key, want) == 0);
	} else
		CHECK(0);
	conf_free(c);
	CHECK(chdir(cwd) == 0);
	free(real);
}

/* Dump ${c} into ${path} and return the text, or NULL. */
static char *
dump_to(const struct conf *c, const char *path)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		return (NULL);
	conf_dump(c, f);
	if (fclose(f))
		return (NULL);
	return (read_file(path));
}

/* Dump, parse the dump, dump again: same text, same values. */
static void
test_dump(void)
{
	char text[2048];
	char d1[300], d2[300];
	char err[CONF_ERR_LEN];
	char want[PATH_MAX];
	char name[41];
	char comment[95];
	struct allow_entry e;
	struct conf *c, *c2 = NULL;
	char *t1, *t2 = NULL;
	size_t i;

	/* The third entry's comment fits only without " = " around '='. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(comment, 'c', sizeof(comment) - 1);
	comment[sizeof(comment) - 1] = '\0';
	snprintf(text, sizeof(text), "[allow]\nalice = %s\nbob=%s "
	    "max_sessions=2 from=192.0.2.0/24,2001:db8::/48 bob@desk "
	    "expires=2030-01-01T12:30 ;x\n%s=%s %s\n[server]\n"
	    "listen = ::, 127.0.0.1\nport = 0\ndata_ports = 0\n"
	    "public_key = p.pub\nmax_sessions = 7\nper_source_startups = 3\n"
	    "penalty_failures = 0\npenalty_duration = 99\nuser = _sc\n"
	    "chroot = jail\npid_file = /run/s.pid\nlog_level = warn\n"
	    "log_facility = authpriv\n", line[0], line[1], name, line[2],
	    comment);
	if ((c = check_load_at(text, __LINE__)) == NULL)
		return;
	snprintf(d1, sizeof(d1), "%s/dump1.ini", tmpdir);
	snprintf(d2, sizeof(d2), "%s/dump2.ini", tmpdir);
	t1 = dump_to(c, d1);
	CHECK(t1 != NULL);
	if (t1 != NULL && (c2 = conf_load(d1, err)) == NULL)
		fprintf(stderr, "  %s\n", err);
	CHECK(c2 != NULL);
	if (c2 != NULL)
		t2 = dump_to(c2, d2);
	CHECK(t1 != NULL && t2 != NULL && strcmp(t1, t2) == 0);
	CHECK(c2 != NULL && same_server(c, c2));
	CHECK(c2 != NULL && allow_count(c2->allow) == 3);
	for (i = 0; c2 != NULL && i < allow_count(c->allow) &&
	    i < allow_count(c2->allow); i++) {
		e = *allow_get(c->allow, i);
		if (i == 2)
			e.comment[0] = '\0';	/* too long to keep */
		CHECK(same_entry(&e, allow_get(c2->allow, i)));
	}
	CHECK(c2 != NULL && find_name(c2->allow, pub[2]) != NULL &&
	    strcmp(find_name(c2->allow, pub[2]), name) == 0);
	CHECK(t1 != NULL && strstr(t1, "alice@laptop") != NULL);
	CHECK(t1 != NULL && strstr(t1, comment) == NULL);
	CHECK(t1 != NULL && strstr(t1, "data_ports = 0\n") != NULL);

	/* The new keys, as server.ini writes them. */
	CHECK(t1 != NULL && strstr(t1, "listen = ::, 127.0.0.1\n") != NULL);
	CHECK(t1 != NULL && strstr(t1, "penalty_failures = 0\n") != NULL);
	CHECK(t1 != NULL && strstr(t1, "user = _sc\n") != NULL);
	snprintf(want, sizeof(want), "chroot = %s/jail\n", tmpdir);
	CHECK(t1 != NULL && strstr(t1, want) != NULL);
	CHECK(t1 != NULL && strstr(t1, "pid_file = /run/s.pid\n") != NULL);
	CHECK(t1 != NULL && strstr(t1, "log_level = warn\n") != NULL);
	CHECK(t1 != NULL && strstr(t1, "log_facility = authpriv\n") != NULL);
	snprintf(want, sizeof(want), "bob = %s expires=2030-01-01T12:30 "
	    "from=192.0.2.0/24,2001:db8::/48 max_sessions=2 bob@desk\n",
	    line[1]);
	CHECK(t1 != NULL && strstr(t1, want) != NULL);
	free(t2);
	free(t1);
	conf_free(c2);
	conf_free(c);
}

/* The dump of the defaults parses to the defaults. */
static void
test_dump_defaults(void)
{
	char d1[300];
	char err[CONF_ERR_LEN];
	struct conf *c, *c2;
	char *t1;

	if ((c = check_load_at("", __LINE__)) == NULL)
		return;
	snprintf(d1, sizeof(d1), "%s/dump1.ini", tmpdir);
	t1 = dump_to(c, d1);
	c2 = conf_load(d1, err);
	CHECK(c2 != NULL && same_server(c, c2));
	CHECK(c2 != NULL && c2->chroot == NULL && c2->pid_file == NULL);
	CHECK(t1 != NULL && strstr(t1, "data_ports = 40000-40999\n") != NULL);
	CHECK(t1 != NULL && strstr(t1, "listen = 127.0.0.1\n") != NULL);
	CHECK(t1 != NULL && strstr(t1, "per_source_startups = 8\n") != NULL);
	CHECK(t1 != NULL && strstr(t1, "penalty_failures = 5\n") != NULL);
	CHECK(t1 != NULL && strstr(t1, "penalty_duration = 30\n") != NULL);
	CHECK(t1 != NULL && strstr(t1, "user = nobody\n") != NULL);
	CHECK(t1 != NULL && strstr(t1, "log_level = info\n") != NULL);
	CHECK(t1 != NULL && strstr(t1, "log_facility = daemon\n") != NULL);

	/* An unset path is left out rather than printed empty. */
	CHECK(t1 != NULL && strstr(t1, "chroot") == NULL &&
	    strstr(t1, "pid_file") == NULL);
	free(t1);
	conf_free(c2);
	conf_free(c);
}

/* The allowlist ${a} holding pub[0] and pub[1] refuses what it should. */
static void
test_allow_refuse(struct allow *a)
{
	char err[ALLOW_ERR_LEN];
	char name[ALLOW_NAME_MAX + 2];

	/* Bad names, a name or a key already there. */
	CHECK(add_key(a, "", pub[2], err) == -1 && strstr(err, "bad name"));
	CHECK(add_key(a, "a b", pub[2], err) == -1);
	CHECK(add_key(a, "a/b", pub[2], err) == -1);
	CHECK(add_key(a, "a=b", pub[2], err) == -1);
	CHECK(add_key(a, "caf\xc3\xa9", pub[2], err) == -1);
	memset(name, 'x', ALLOW_NAME_MAX + 1);
	name[ALLOW_NAME_MAX + 1] = '\0';
	CHECK(add_key(a, name, pub[2], err) == -1);
	CHECK(add_key(a, "alice", pub[2], err) == -1 &&
	    strstr(err, "name already") != NULL);
	CHECK(add_key(a, "carol", pub[0], err) == -1 &&
	    strstr(err, "'alice'") != NULL);
	CHECK(allow_count(a) == 2);
}

/* The allowlist on its own. */
static void
test_allow(void)
{
	char err[ALLOW_ERR_LEN];
	char name[ALLOW_NAME_MAX + 2];
	uint8_t k[KEY_LEN];
	struct allow *a;
	int i;

	allow_free(NULL);
	if ((a = allow_new()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(allow_count(a) == 0);
	CHECK(find_name(a, pub[0]) == NULL);

	/* Add, find, do not find. */
	CHECK(add_key(a, "alice", pub[0], err) == 0);
	CHECK(add_key(a, "B.o-b_2@host", pub[1], err) == 0);
	CHECK(allow_count(a) == 2);
	CHECK(find_name(a, pub[0]) != NULL &&
	    strcmp(find_name(a, pub[0]), "alice") == 0);
	CHECK(find_name(a, pub[1]) != NULL &&
	    strcmp(find_name(a, pub[1]), "B.o-b_2@host") == 0);
	CHECK(find_name(a, pub[2]) == NULL);
	test_allow_refuse(a);

	/* The longest name; then enough entries to grow the array. */
	memset(name, 'x', ALLOW_NAME_MAX);
	name[ALLOW_NAME_MAX] = '\0';
	CHECK(add_key(a, name, pub[2], err) == 0);
	for (i = 0; i < 100; i++) {
		randombytes_buf(k, sizeof(k));
		snprintf(name, sizeof(name), "user%d", i);
		CHECK(add_key(a, name, k, err) == 0);
	}
	CHECK(allow_count(a) == 103);
	CHECK(find_name(a, k) != NULL &&
	    strcmp(find_name(a, k), "user99") == 0);
	CHECK(find_name(a, pub[1]) != NULL &&
	    strcmp(find_name(a, pub[1]), "B.o-b_2@host") == 0);
	allow_free(a);
}

/* Parse "KEY ${opts}", KEY being pub[1]'s line, as the entry "alice". */
static int
parse_opts(const char *opts, struct allow_entry *e, char err[ALLOW_ERR_LEN])
{
	char value[ALLOW_VALUE_MAX + 100];

	snprintf(value, sizeof(value), "%s %s", line[1], opts);
	err[0] = '\0';
	return (allow_parse("alice", value, e, err));
}

/* Check that "KEY ${opts}" parses, reporting ${srcline} if not; 0 or -1. */
static int
check_opts_at(const char *opts, struct allow_entry *e, int srcline)
{
	char err[ALLOW_ERR_LEN];
	int r;

	r = parse_opts(opts, e, err);
	CHECK(r == 0);
	if (r != 0)
		fprintf(stderr, "  (test_conf.c:%d) '%s': %s\n", srcline, opts,
		    err);
	return (r);
}

/* Check that "KEY ${opts}" is refused with a message starting ${what}. */
static void
check_opts_error_at(const char *opts, const char *what, int srcline)
{
	struct allow_entry e;
	char err[ALLOW_ERR_LEN];
	int ok;

	ok = (parse_opts(opts, &e, err) == -1 &&
	    strncmp(err, what, strlen(what)) == 0);
	CHECK(ok);
	if (!ok)
		fprintf(stderr, "  (test_conf.c:%d) '%s': want '%s...'\n"
		    "  got '%s'\n", srcline, opts, what, err);
}

#define check_opts(opts, e) check_opts_at(opts, e, __LINE__)
#define check_opts_error(opts, what) check_opts_error_at(opts, what, __LINE__)

/* expires=: the Unix time of a few dates, and dates that do not exist. */
static void
test_allow_expires(void)
{
	static const struct {
		const char *date;
		int64_t t;
	} good[] = {
		{ "2026-01-01", 1767225600 },
		{ "2000-02-29", 951782400 },
		{ "2028-02-29T23:59", 1835481540 },
		{ "2038-01-19T03:14", 2147483640 },
		{ "2100-12-31T23:59", 4133980740 },
		{ "1970-01-01T00:01", 60 },
		{ "2026-11-25T19:15", 1795634100 }
	};
	static const char *const bad[] = { "2026-02-30", "2027-02-29",
	    "2100-02-29", "2026-13-01", "2026-00-10", "2026-01-00",
	    "2026-01-32", "2026-01-01T25:00", "2026-01-01T24:00",
	    "2026-01-01T23:60", "2026-01-01T", "2026-01-01T10",
	    "2026-01-01T10:00Z", "2026-01-01x", "20260101", "2026/01/01",
	    "garbage", "", "1970-01-01", "1969-12-31", NULL };
	struct allow_entry e;
	char opts[64], what[128];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(opts, sizeof(opts), "expires=%s", good[i].date);
		if (check_opts(opts, &e) != 0)
			continue;
		CHECK(e.expires == good[i].t);
		if (e.expires != good[i].t)
			fprintf(stderr, "  %s: %lld, want %lld\n", good[i].date,
			    (long long)e.expires, (long long)good[i].t);
	}
	for (i = 0; bad[i] != NULL; i++) {
		snprintf(opts, sizeof(opts), "expires=%s", bad[i]);
		snprintf(what, sizeof(what), "expires: '%s' is not YYYY-MM-DD "
		    "or YYYY-MM-DDTHH:MM", bad[i]);
		check_opts_error(opts, what);
	}

	/* No expires= is no expiry. */
	if (check_opts("", &e) == 0)
		CHECK(e.expires == 0 && e.nfrom == 0 && e.max_sessions == 0);
}

/* Return 1 if ${c} is the network ${addr}/${bits}, else 0. */
static int
is_cidr(const struct allow_cidr *c, const char *addr, int bits)
{
	uint8_t buf[16];

	memset(buf, 0, sizeof(buf));
	if (inet_pton(c->family, addr, buf) != 1)
		return (0);
	return (c->bits == bits &&
	    memcmp(c->addr, buf, c->family == AF_INET ? 4 : 16) == 0);
}

/* from=: networks and plain addresses, IPv4 and IPv6, and bad ones. */
static void
test_allow_from(void)
{
	static const char *const bad[] = { "10.0.0.0/33", "::/129",
	    "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8x",
	    "10.0.0.0/8/8", "10.0.0/8", "10.0.0.256", "host.example",
	    "[::1]", "2001:db8::/0x40", NULL };
	struct allow_entry e;
	char opts[512], what[128];
	int i;

	if (check_opts("from=10.0.0.0/8", &e) == 0) {
		CHECK(e.nfrom == 1 && e.from[0].family == AF_INET);
		CHECK(e.nfrom == 1 && is_cidr(&e.from[0], "10.0.0.0", 8));
	}
	if (check_opts("from=2001:db8::/32,::1,192.0.2.1,0.0.0.0/0,::/0",
	    &e) == 0) {
		CHECK(e.nfrom == 5);
		CHECK(e.from[0].family == AF_INET6 &&
		    is_cidr(&e.from[0], "2001:db8::", 32));
		CHECK(e.from[1].family == AF_INET6 &&
		    is_cidr(&e.from[1], "::1", 128));
		CHECK(e.from[2].family == AF_INET &&
		    is_cidr(&e.from[2], "192.0.2.1", 32));
		CHECK(e.from[3].family == AF_INET &&
		    is_cidr(&e.from[3], "0.0.0.0", 0));
		CHECK(e.from[4].family == AF_INET6 &&
		    is_cidr(&e.from[4], "::", 0));
	}

	/* Each bad network, alone and after a good one, named whole. */
	for (i = 0; bad[i] != NULL; i++) {
		snprintf(what, sizeof(what), "from: '%s' is not an address or "
		    "ADDRESS/BITS", bad[i]);
		snprintf(opts, sizeof(opts), "from=%s", bad[i]);
		check_opts_error(opts, what);
		snprintf(opts, sizeof(opts), "from=10.0.0.0/8,%s", bad[i]);
		check_opts_error(opts, what);
	}
	check_opts_error("from=", "from: no network");
	check_opts_error("from=,", "from: no network");

	/* A misspelt option is an error, never a comment. */
	check_opts_error("Expires=2026-01-01", "unknown or repeated option "
	    "'Expires='");
	check_opts_error("max-sessions=2", "unknown or repeated option "
	    "'max-sessions='");
	check_opts_error("from = 10.0.0.0/8", "unknown or repeated option '='");
	check_opts_error("x=y", "unknown or repeated option 'x='");

	/* Dates in their exact shape only. */
	check_opts_error("expires=2026-1-01", "expires: '2026-1-01'");
	check_opts_error("expires=2026-01-+1", "expires: '2026-01-+1'");
	check_opts_error("expires=2026-01-01T1:05", "expires: '2026-01-01T1:05'");

	/* ALLOW_FROM_MAX networks, and one more. */
	snprintf(opts, sizeof(opts), "from=10.0.0.1");
	for (i = 2; i <= ALLOW_FROM_MAX; i++)
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts),
		    ",10.0.0.%d", i);
	if (check_opts(opts, &e) == 0)
		CHECK(e.nfrom == ALLOW_FROM_MAX &&
		    is_cidr(&e.from[ALLOW_FROM_MAX - 1], "10.0.0.16", 32));
	snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), ",::1");
	snprintf(what, sizeof(what), "from: more than %d networks",
	    ALLOW_FROM_MAX);
	check_opts_error(opts, what);
}

/* max_sessions=, repeated and unknown options, options and comment. */
static void
test_allow_options(void)
{
	static const char *const bad_max[] = { "0", "100001", "-1", "+1",
	    "x", "1x", "", "1.5", "99999999999999999999", NULL };
	struct allow_entry e;
	char opts[64], what[128];
	char value[ALLOW_VALUE_MAX], err[ALLOW_ERR_LEN];
	int i;

	if (check_opts("max_sessions=1", &e) == 0)
		CHECK(e.max_sessions == 1);
	if (check_opts("max_sessions=100000", &e) == 0)
		CHECK(e.max_sessions == 100000);
	for (i = 0; bad_max[i] != NULL; i++) {
		snprintf(opts, sizeof(opts), "max_sessions=%s", bad_max[i]);
		snprintf(what, sizeof(what), "max_sessions: '%s' is not a "
		    "number in 1..100000", bad_max[i]);
		check_opts_error(opts, what);
	}

	/* Each option once; a name=value word that is no option is a typo. */
	check_opts_error("expires=2026-01-01 expires=2027-01-01",
	    "unknown or repeated option 'expires='");
	check_opts_error("from=::1 x from=::2", "unknown or repeated option "
	    "'from='");
	check_opts_error("max_sessions=1 max_sessions=1",
	    "unknown or repeated option 'max_sessions='");
	check_opts_error("foo=bar", "unknown or repeated option 'foo='");
	check_opts_error("alice@laptop expire=2026-01-01",
	    "unknown or repeated option 'expire='");
	check_opts_error("max_session=2", "unknown or repeated option "
	    "'max_session='");

	/* Other words are the comment, in order, wherever the options are. */
	if (check_opts("alice@laptop", &e) == 0)
		CHECK(strcmp(e.comment, "alice@laptop") == 0);
	if (check_opts("max_sessions=2 alice@laptop", &e) == 0)
		CHECK(strcmp(e.comment, "alice@laptop") == 0 &&
		    e.max_sessions == 2);
	if (check_opts("alice@laptop max_sessions=2", &e) == 0)
		CHECK(strcmp(e.comment, "alice@laptop") == 0 &&
		    e.max_sessions == 2);
	if (check_opts("my  old\tlaptop from=::1 (2019) expires=2030-06-01",
	    &e) == 0) {
		CHECK(strcmp(e.comment, "my old laptop (2019)") == 0);
		CHECK(e.nfrom == 1 && e.expires != 0);
	}

	/* Options come after the key, not before it. */
	snprintf(value, sizeof(value), "max_sessions=2 %s", line[1]);
	CHECK(allow_parse("alice", value, &e, err) == -1 &&
	    strncmp(err, "bad public key", 14) == 0);
}

/* allow_format writes what allow_parse reads back as the same entry. */
static void
test_allow_format(void)
{
	static const char *const opts[] = { "", "alice@laptop",
	    "expires=2026-01-01", "expires=2038-01-19T03:14 max_sessions=7",
	    "from=10.1.2.3/8,2001:db8::1,0.0.0.0/0 x",
	    "a from=::/0 b max_sessions=100000 c expires=2100-12-31T23:59",
	    NULL };
	struct allow_entry e, e2;
	char value[ALLOW_VALUE_MAX], value2[ALLOW_VALUE_MAX];
	char want[ALLOW_VALUE_MAX], err[ALLOW_ERR_LEN];
	int i;

	/* The options in a fixed order, then the comment. */
	if (check_opts("from=10.0.0.0/8,2001:db8::/32 bob@desk "
	    "max_sessions=3 expires=2026-01-01", &e) == 0) {
		allow_format(&e, value);
		snprintf(want, sizeof(want), "%s expires=2026-01-01 "
		    "from=10.0.0.0/8,2001:db8::/32 max_sessions=3 bob@desk",
		    line[1]);
		CHECK(strcmp(value, want) == 0);
		if (strcmp(value, want) != 0)
			fprintf(stderr, "  got  '%s'\n  want '%s'\n", value,
			    want);
	}

	/* Parse, format, parse again: the same entry, the same text. */
	for (i = 0; opts[i] != NULL; i++) {
		if (check_opts(opts[i], &e) != 0)
			continue;
		allow_format(&e, value);
		CHECK(allow_parse(e.name, value, &e2, err) == 0);
		CHECK(same_entry(&e, &e2));
		allow_format(&e2, value2);
		CHECK(strcmp(value, value2) == 0);
		if (!same_entry(&e, &e2) || strcmp(value, value2) != 0)
			fprintf(stderr, "  '%s' formats as '%s', then '%s'\n",
			    opts[i], value, value2);
	}
}

/* Fill ${ss} with the address ${addr} and return it as a sockaddr. */
static const struct sockaddr *
sockaddr_of(const char *addr, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(40000);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(40000);
	} else
		fprintf(stderr, "  test data: '%s' is no address\n", addr);
	return ((const struct sockaddr *)ss);
}

/* allow_from_ok on sources in and out of from= networks. */
static void
test_allow_from_ok(void)
{
	static const struct {
		const char *from;
		const char *source;
		int ok;
	} cases[] = {
		{ "10.0.0.0/8", "10.0.0.0", 1 },
		{ "10.0.0.0/8", "10.255.255.255", 1 },
		{ "10.0.0.0/8", "11.0.0.0", 0 },
		{ "10.0.0.0/8", "9.255.255.255", 0 },
		{ "10.0.0.0/8", "::ffff:10.0.0.1", 0 },
		{ "10.1.2.3/8", "10.200.0.1", 1 },
		{ "0.0.0.0/0", "203.0.113.9", 1 },
		{ "0.0.0.0/0", "2001:db8::1", 0 },
		{ "::/0", "2001:db8::1", 1 },
		{ "::/0", "::1", 1 },
		{ "::/0", "192.0.2.1", 0 },
		{ "192.0.2.1/32", "192.0.2.1", 1 },
		{ "192.0.2.1/32", "192.0.2.0", 0 },
		{ "192.0.2.1/32", "192.0.2.129", 0 },
		{ "192.0.2.1", "192.0.2.1", 1 },
		{ "192.0.2.1", "192.0.2.3", 0 },
		{ "192.0.2.0/23", "192.0.2.0", 1 },
		{ "192.0.2.0/23", "192.0.3.255", 1 },
		{ "192.0.2.0/23", "192.0.4.0", 0 },
		{ "192.0.2.0/23", "192.0.1.255", 0 },
		{ "2001:db8::1/128", "2001:db8::1", 1 },
		{ "2001:db8::1/128", "2001:db8::", 0 },
		{ "2001:db8::1/128", "2001:db8::3", 0 },
		{ "2001:db8::1/128", "2001:db8:8000::1", 0 },
		{ "::1", "::1", 1 },
		{ "::1", "127.0.0.1", 0 },
		{ "2001:db8:0:80::/57", "2001:db8:0:80::", 1 },
		{ "2001:db8:0:80::/57", "2001:db8:0:ff:ffff:ffff:ffff:fff", 1 },
		{ "2001:db8:0:80::/57", "2001:db8:0:7f::1", 0 },
		{ "2001:db8:0:80::/57", "2001:db8:0:100::", 0 },
		{ "2001:db8:0:80::/57", "2001:db8:1:80::", 0 },
		{ "10.0.0.0/8,2001:db8::/32", "2001:db8:ffff::1", 1 },
		{ "10.0.0.0/8,2001:db8::/32", "10.9.8.7", 1 },
		{ "10.0.0.0/8,2001:db8::/32", "192.0.2.1", 0 },
		{ "10.0.0.0/8,2001:db8::/32", "2001:db9::", 0 }
	};
	struct sockaddr_storage ss;
	struct sockaddr unix_sa;
	struct allow_entry e;
	char opts[128];
	size_t i;
	int ok;

	/* Without from=, any source, even one that is not IP. */
	memset(&unix_sa, 0, sizeof(unix_sa));
	unix_sa.sa_family = AF_UNIX;
	if (check_opts("", &e) == 0) {
		CHECK(allow_from_ok(&e, sockaddr_of("192.0.2.1", &ss)));
		CHECK(allow_from_ok(&e, sockaddr_of("2001:db8::1", &ss)));
		CHECK(allow_from_ok(&e, &unix_sa));
	}
	if (check_opts("from=0.0.0.0/0,::/0", &e) == 0)
		CHECK(!allow_from_ok(&e, &unix_sa));

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(opts, sizeof(opts), "from=%s", cases[i].from);
		if (check_opts(opts, &e) != 0)
			continue;
		ok = allow_from_ok(&e, sockaddr_of(cases[i].source, &ss));
		CHECK(!ok == !cases[i].ok);
		if (!ok != !cases[i].ok)
			fprintf(stderr, "  from=%s, source %s: %s\n",
			    cases[i].from, cases[i].source,
			    ok ? "allowed" : "refused");
	}
}

/*
 * Check allow_from_ok for the network ${addr}/BITS, every BITS from 0 to
 * the address's length, against sources that differ from ${addr} in one
 * bit: allowed exactly when that bit is past the prefix.
 */
static void
check_prefixes(const char *addr)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct allow_entry e;
	uint8_t *bytes;
	char opts[128];
	int bits, bit, max, ok, wrong;

	for (bits = 0, max = 128; bits <= max; bits++) {
		snprintf(opts, sizeof(opts), "from=%s/%d", addr, bits);
		if (check_opts(opts, &e) != 0)
			break;
		sockaddr_of(addr, &ss);
		max = (ss.ss_family == AF_INET) ? 32 : 128;
		bytes = (ss.ss_family == AF_INET) ?
		    (uint8_t *)&sin->sin_addr : (uint8_t *)&sin6->sin6_addr;
		wrong = !allow_from_ok(&e, (struct sockaddr *)&ss);
		for (bit = 0; bit < max; bit++) {
			bytes[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
			ok = allow_from_ok(&e, (struct sockaddr *)&ss) != 0;
			wrong += (ok != (bit >= bits));
			bytes[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
		}
		CHECK(wrong == 0);
		if (wrong != 0)
			fprintf(stderr, "  %s: %d wrong answers\n", opts,
			    wrong);
	}
	CHECK(bits == max + 1);
}

/* allow_find returns the entry, options included, or NULL. */
static void
test_allow_find(void)
{
	const struct allow_entry *found;
	struct allow_entry e;
	char err[ALLOW_ERR_LEN];
	struct allow *a;

	if ((a = allow_new()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(allow_find(a, pub[1]) == NULL);
	CHECK(add_key(a, "alice", pub[0], err) == 0);
	if (check_opts("from=192.0.2.0/24 max_sessions=2 expires=2030-01-01 "
	    "bob@desk", &e) == 0) {
		memcpy(e.name, "bob", 4);
		CHECK(allow_add(a, &e, err) == 0);
	}
	found = allow_find(a, pub[1]);
	CHECK(found != NULL && found == allow_get(a, 1));
	CHECK(found != NULL && same_entry(found, &e));
	CHECK(found != NULL && strcmp(found->name, "bob") == 0);
	found = allow_find(a, pub[0]);
	CHECK(found != NULL && found == allow_get(a, 0) &&
	    found->nfrom == 0 && found->expires == 0 &&
	    found->max_sessions == 0);
	CHECK(allow_find(a, pub[2]) == NULL);
	allow_free(a);
}

/* Entries with options in server.ini: kept, and errors by line. */
static void
test_allow_conf(void)
{
	const struct allow_entry *found;
	char text[2048];
	struct conf *c;

	snprintf(text, sizeof(text), "[allow]\nalice = %s\n"
	    "bob = %s max_sessions=2 from=192.0.2.0/24,2001:db8::/48 "
	    "expires=2030-01-01T12:30\n", line[0], line[1]);
	if ((c = check_load_at(text, __LINE__)) != NULL) {
		found = allow_find(c->allow, pub[1]);
		CHECK(found != NULL && found->max_sessions == 2 &&
		    found->nfrom == 2 && found->expires == 1893501000);
		found = allow_find(c->allow, pub[0]);
		CHECK(found != NULL && strcmp(found->comment,
		    "alice@laptop") == 0 && found->max_sessions == 0);
		conf_free(c);
	}

	snprintf(text, sizeof(text), "[server]\n\n[allow]\nalice = %s\n"
	    "bob = %s max_sessions=0\n", line[0], line[1]);
	check_error(text, 5, "[allow] bob: max_sessions: '0' is not a number");
	snprintf(text, sizeof(text), "[allow]\nbob = %s expires=2026-02-30\n",
	    line[1]);
	check_error(text, 2, "[allow] bob: expires: '2026-02-30' is not");
	snprintf(text, sizeof(text), "[allow]\n\nbob = %s from=10.0.0.0/33\n",
	    line[1]);
	check_error(text, 3, "[allow] bob: from: '10.0.0.0/33' is not");
	snprintf(text, sizeof(text), "[allow]\nbob = %s bob@desk foo=bar\n",
	    line[1]);
	check_error(text, 2, "[allow] bob: unknown or repeated option 'foo='");
}

/* Make the temporary directory and the config path in it. */
static int
make_tmpdir(void)
{
	const char *base;

	if ((base = getenv("TMPDIR")) == NULL || base[0] == '\0')
		base = "/tmp";
	if (snprintf(tmpdir, sizeof(tmpdir), "%s/test_conf.XXXXXX", base) >=
	    (int)sizeof(tmpdir)) {
		fprintf(stderr, "TMPDIR is too long: %s\n", base);
		return (-1);
	}
	if (mkdtemp(tmpdir) == NULL) {
		fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
		return (-1);
	}
	snprintf(cfg, sizeof(cfg), "%s/server.ini", tmpdir);
	return (0);
}

/* Remove the temporary directory and what the tests put in it. */
static void
remove_tmpdir(void)
{
	char path[300];
	int i;

	for (i = 0; tmp_files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, tmp_files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	rmdir(path);
	CHECK(rmdir(tmpdir) == 0);
}

int
main(void)
{

	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return (1);
	}
	if (make_tmpdir())
		return (1);
	make_keys();

	test_allow();
	test_allow_expires();
	test_allow_from();
	test_allow_options();
	test_allow_format();
	test_allow_from_ok();
	check_prefixes("203.0.113.77");
	check_prefixes("2001:db8:1234:5678:9abc:def0:1357:2468");
	test_allow_find();
	test_allow_conf();
	test_sample();
	test_defaults();
	test_fields();
	test_fields_ports();
	test_fields_more();
	test_log_names();
	test_listen();
	test_errors_server();
	test_errors_more();
	test_errors_ports();
	test_errors_allow();
	test_missing();
	test_paths();
	test_dump();
	test_dump_defaults();

	remove_tmpdir();
	return (test_exit("test_conf"));
}
