#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "allow.h"
#include "conf.h"
#include "key.h"
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

/* Return 1 if ${a} and ${b} hold the same [server] values, else 0. */
static int
same_server(const struct conf *a, const struct conf *b)
{

	return (a->nlisten == b->nlisten && strcmp(a->listen[0], b->listen[0]) == 0 && a->port == b->port &&
	    a->data_port_min == b->data_port_min &&
	    a->data_port_max == b->data_port_max &&
	    strcmp(a->secret_key, b->secret_key) == 0 &&
	    strcmp(a->public_key, b->public_key) == 0 && a->mode == b->mode &&
	    a->handshake_timeout == b->handshake_timeout &&
	    a->data_accept_timeout == b->data_accept_timeout &&
	    a->idle_timeout == b->idle_timeout &&
	    a->max_startups == b->max_startups &&
	    a->max_sessions == b->max_sessions);
}

/* Check the built-in defaults of ${c}, given the key path ${sk}. */
static void
check_defaults(const struct conf *c, const char *sk)
{
	char pk[PATH_MAX];

	snprintf(pk, sizeof(pk), "%s.pub", sk);
	CHECK(strcmp(c->listen[0], "127.0.0.1") == 0);
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
	CHECK(c->max_sessions == 128);
}

/* The built-in defaults, from an empty file and an empty [server]. */
static void
test_defaults(void)
{
	const char *sk = SYSCONFDIR "/secchat/keys/server.key";
	struct conf *c;

	if ((c = check_load_at("", __LINE__)) != NULL) {
		check_defaults(c, sk);
		CHECK(strcmp(c->path, cfg) == 0);
		CHECK(allow_count(c->allow) == 0);
		conf_free(c);
	}
	if ((c = check_load_at("[server]\n[allow]\n", __LINE__)) != NULL) {
		check_defaults(c, sk);
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
	CHECK(allow_count(c->allow) == 0);

	/* With every example line uncommented: defaults, one allowed key. */
	text = read_file(path);
	CHECK(text != NULL);
	text2 = (text != NULL) ? uncomment(text) : NULL;
	snprintf(out, sizeof(out), "%s/sample.ini", tmpdir);
	CHECK(text2 != NULL && write_file(out, text2) == 0);
	u = conf_load(out, err);
	CHECK(u != NULL);
	if (u != NULL) {
		check_defaults(u, "/etc/secchat/keys/server.key");
		CHECK(allow_count(u->allow) == 1);
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
	char name[41];
	char comment[95];
	struct conf *c, *c2 = NULL;
	char *t1, *t2 = NULL;

	/* The third entry's comment fits only without " = " around '='. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(comment, 'c', sizeof(comment) - 1);
	comment[sizeof(comment) - 1] = '\0';
	snprintf(text, sizeof(text), "[allow]\nalice = %s\nbob=%s  ;x\n"
	    "%s=%s %s\n[server]\nlisten = ::\nport = 0\ndata_ports = 0\n"
	    "public_key = p.pub\nmax_sessions = 7\n", line[0], line[1], name,
	    line[2], comment);
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
	CHECK(c2 != NULL && find_name(c2->allow, pub[2]) != NULL &&
	    strcmp(find_name(c2->allow, pub[2]), name) == 0);
	CHECK(t1 != NULL && strstr(t1, "alice@laptop") != NULL);
	CHECK(t1 != NULL && strstr(t1, comment) == NULL);
	CHECK(t1 != NULL && strstr(t1, "data_ports = 0\n") != NULL);
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
	CHECK(t1 != NULL && strstr(t1, "data_ports = 40000-40999\n") != NULL);
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
	test_sample();
	test_defaults();
	test_fields();
	test_fields_ports();
	test_errors_server();
	test_errors_ports();
	test_errors_allow();
	test_missing();
	test_paths();
	test_dump();
	test_dump_defaults();

	remove_tmpdir();
	return (test_exit("test_conf"));
}
