#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "key.h"
#include "test.h"

TEST_DEFINE_GLOBALS;

/* RFC 7748 section 6.1: Alice's X25519 key pair, and what we derive. */
#define KAT_SEC_B64	"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define KAT_PUB_B64	"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
#define KAT_FP		"BLAKE2b:epGGnkwRSWQgaXJAOwo9gWA/K9n/XO1ZI/DSNNgIGPQ"
#define KAT_SEC_LINE	KEY_SECRET_TAG " " KAT_SEC_B64
#define KAT_PUB_LINE	KEY_PUBLIC_TAG " " KAT_PUB_B64

static const uint8_t kat_sec[KEY_LEN] = {
	0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d,
	0x3c, 0x16, 0xc1, 0x72, 0x51, 0xb2, 0x66, 0x45,
	0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0, 0x99, 0x2a,
	0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a
};
static const uint8_t kat_pub[KEY_LEN] = {
	0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54,
	0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e, 0xf7, 0x5a,
	0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4,
	0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a
};

/* One byte more than the largest key file key.c reads (4 KiB). */
#define KEY_FILE_TEST_MAX	4097

/* The private temporary directory of this run. */
static char tmpdir[PATH_MAX];

/* Store "${tmpdir}/${name}" in ${out}. */
static const char *
tpath(char out[PATH_MAX], const char *name)
{

	if (snprintf(out, PATH_MAX, "%s/%s", tmpdir, name) >= PATH_MAX)
		abort();
	return (out);
}

/* Write ${len} bytes of ${data} to ${tmpdir}/${name} with mode ${mode}. */
static void
put(const char *name, const char *data, size_t len, mode_t mode)
{
	char p[PATH_MAX];
	int fd;

	tpath(p, name);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd != -1);
	if (fd == -1)
		return;
	CHECK(write(fd, data, len) == (ssize_t)len);
	CHECK(fchmod(fd, mode) == 0);
	close(fd);
}

/* Write the string ${s} to ${tmpdir}/${name} with mode ${mode}. */
static void
puts_file(const char *name, const char *s, mode_t mode)
{

	put(name, s, strlen(s), mode);
}

/* Check ${err} names ${tmpdir}/${name} (with ":${line}:" if non-zero). */
static void
check_err(const char *err, const char *name, int line, const char *what)
{
	char p[PATH_MAX], want[PATH_MAX + 32];

	tpath(p, name);
	if (line)
		snprintf(want, sizeof(want), "%s:%d: ", p, line);
	else
		snprintf(want, sizeof(want), "%s: ", p);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	CHECK(strstr(err, what) != NULL);
	if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, what))
		fprintf(stderr, "  got \"%s\", wanted \"%s...%s\"\n", err,
		    want, what);
}

/* Check loading ${name} as a secret key fails with ${what} on ${line}. */
static void
secret_fails(const char *name, int line, const char *what)
{
	char p[PATH_MAX], err[KEY_ERR_LEN] = "";
	struct key_pair *kp;

	kp = key_load_secret(tpath(p, name), err);
	CHECK(kp == NULL);
	key_pair_free(kp);
	check_err(err, name, line, what);
}

/* Check loading ${name} as a public key fails with ${what} on ${line}. */
static void
public_fails(const char *name, int line, const char *what)
{
	char p[PATH_MAX], err[KEY_ERR_LEN] = "";
	uint8_t pub[KEY_LEN], zero[KEY_LEN] = {0};
	char comment[KEY_COMMENT_MAX + 1] = "untouched";

	memset(pub, 0, sizeof(pub));
	CHECK(key_load_public(tpath(p, name), pub, comment, err) == -1);
	check_err(err, name, line, what);

	/* Nothing half-loaded. */
	CHECK_MEM(pub, zero, KEY_LEN);
	CHECK(strcmp(comment, "untouched") == 0);
}

/* Return the mode bits of ${path}, or -1. */
static int
mode_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return (-1);
	return ((int)(st.st_mode & 07777));
}

/* Return non-zero if two pairs hold the same keys and comment. */
static int
same_pair(const struct key_pair *a, const struct key_pair *b)
{

	return (memcmp(a->pub, b->pub, KEY_LEN) == 0 &&
	    memcmp(a->sec, b->sec, KEY_LEN) == 0 &&
	    strcmp(a->comment, b->comment) == 0);
}

/* Generation, derivation, comments and free(NULL). */
static void
test_generate(void)
{
	struct key_pair *a, * b, * c;
	uint8_t pub[KEY_LEN];
	char longc[KEY_COMMENT_MAX + 2];

	a = key_pair_generate("alice@example");
	b = key_pair_generate(NULL);
	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL)
		goto done;
	CHECK(strcmp(a->comment, "alice@example") == 0);
	CHECK(b->comment[0] == '\0');
	CHECK(memcmp(a->sec, b->sec, KEY_LEN) != 0);

	/* The public key is crypto_scalarmult_base of the secret. */
	CHECK(crypto_scalarmult_base(pub, a->sec) == 0);
	CHECK_MEM(pub, a->pub, KEY_LEN);

	/* From a known secret (RFC 7748). */
	c = key_pair_from_secret(kat_sec, "");
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_MEM(c->pub, kat_pub, KEY_LEN);
	key_pair_free(c);

	/* Comments: at most KEY_COMMENT_MAX printable ASCII bytes. */
	memset(longc, 'x', sizeof(longc));
	longc[KEY_COMMENT_MAX] = '\0';
	c = key_pair_generate(longc);
	CHECK(c != NULL);
	key_pair_free(c);
	longc[KEY_COMMENT_MAX] = 'x';
	longc[KEY_COMMENT_MAX + 1] = '\0';
	CHECK(key_pair_generate(longc) == NULL);
	CHECK(key_pair_generate("tab\there") == NULL);
	CHECK(key_pair_generate("new\nline") == NULL);
	CHECK(key_pair_generate("caf\xc3\xa9") == NULL);
	CHECK(key_pair_from_secret(kat_sec, "bad\x7f") == NULL);

done:
	key_pair_free(a);
	key_pair_free(b);
	key_pair_free(NULL);
}

/* Public line formatting and parsing, with known answers. */
static void
test_public_line(void)
{
	char line[KEY_LINE_MAX + 1], comment[KEY_COMMENT_MAX + 1];
	char err[KEY_ERR_LEN];
	uint8_t pub[KEY_LEN];

	/* Known answers, with and without a comment. */
	key_format_public(kat_pub, NULL, line);
	CHECK(strcmp(line, KAT_PUB_LINE) == 0);
	key_format_public(kat_pub, "", line);
	CHECK(strcmp(line, KAT_PUB_LINE) == 0);
	key_format_public(kat_pub, "a b c", line);
	CHECK(strcmp(line, KAT_PUB_LINE " a b c") == 0);

	/* Round trip, with and without a final newline. */
	CHECK(key_parse_public_line(line, pub, comment, err) == 0);
	CHECK_MEM(pub, kat_pub, KEY_LEN);
	CHECK(strcmp(comment, "a b c") == 0);
	CHECK(key_parse_public_line(KAT_PUB_LINE "\n", pub, NULL, err) == 0);
	CHECK_MEM(pub, kat_pub, KEY_LEN);
	CHECK(key_parse_public_line(KAT_PUB_LINE, pub, comment, err) == 0);
	CHECK(comment[0] == '\0');

	/* Bad lines. */
#define BAD(l, what) do {						\
	err[0] = '\0';							\
	CHECK(key_parse_public_line((l), pub, comment, err) == -1);	\
	CHECK(strstr(err, (what)) != NULL);				\
} while (0)
	BAD("", "empty");
	BAD("\n", "empty");
	BAD(KAT_SEC_LINE, "not a public key");
	BAD(KAT_PUB_LINE "\n\n", "after the key line");
	BAD(KAT_PUB_LINE "\nx", "after the key line");
	BAD(KAT_PUB_LINE "\r\n", "carriage return");
	BAD(KAT_PUB_LINE " ", "trailing space");
	BAD(KAT_PUB_LINE " a\tb", "comment");
	BAD(KEY_PUBLIC_TAG, "missing key");
	BAD(KEY_PUBLIC_TAG " ", "missing key");
	BAD(KEY_PUBLIC_TAG "  " KAT_PUB_B64, "missing key");
	BAD(KEY_PUBLIC_TAG "\t" KAT_PUB_B64, "not a secchat key line");
	BAD("ssh-ed25519 AAAA", "not a secchat key line");
	BAD(KEY_PUBLIC_TAG " hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo",
	    "base64");
	BAD(KEY_PUBLIC_TAG " hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmp=",
	    "base64");
	BAD(KEY_PUBLIC_TAG " hSDw!Ykwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=",
	    "base64");
	BAD(KEY_PUBLIC_TAG " AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
	    "31 bytes");
	BAD(KEY_PUBLIC_TAG " AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "33 bytes");
#undef BAD
}

/* Fingerprints: known answer, deterministic, distinct. */
static void
test_fingerprint(void)
{
	char fp1[KEY_FP_LEN], fp2[KEY_FP_LEN];
	struct key_pair *a, * b;

	key_fingerprint(kat_pub, fp1);
	CHECK(strcmp(fp1, KAT_FP) == 0);
	CHECK(strlen(fp1) == KEY_FP_LEN - 1);

	a = key_pair_generate(NULL);
	b = key_pair_generate(NULL);
	CHECK(a != NULL && b != NULL);
	if (a != NULL && b != NULL) {
		key_fingerprint(a->pub, fp1);
		key_fingerprint(a->pub, fp2);
		CHECK(strcmp(fp1, fp2) == 0);
		key_fingerprint(b->pub, fp2);
		CHECK(strcmp(fp1, fp2) != 0);
		CHECK(strncmp(fp2, "BLAKE2b:", 8) == 0);
	}
	key_pair_free(a);
	key_pair_free(b);
}

/* Save, then load both files back. */
static void
test_roundtrip(void)
{
	char p[PATH_MAX], pp[PATH_MAX], err[KEY_ERR_LEN];
	char comment[KEY_COMMENT_MAX + 1];
	struct key_pair *a, * b;
	uint8_t pub[KEY_LEN];

	a = key_pair_generate("round trip");
	CHECK(a != NULL);
	if (a == NULL)
		return;
	tpath(p, "rt.key");
	tpath(pp, "rt.key.pub");
	CHECK(key_save(a, p, NULL, 0, err) == 0);
	CHECK(mode_of(p) == 0600);
	CHECK(mode_of(pp) == 0644);

	/* The secret file gives back the same pair. */
	b = key_load_secret(p, err);
	CHECK(b != NULL);
	if (b != NULL)
		CHECK(same_pair(a, b));
	key_pair_free(b);

	/* The public file gives the public key and comment. */
	CHECK(key_load_public(pp, pub, comment, err) == 0);
	CHECK_MEM(pub, a->pub, KEY_LEN);
	CHECK(strcmp(comment, "round trip") == 0);
	CHECK(key_load_public(pp, pub, NULL, err) == 0);

	/* A public file name of our choice; no comment. */
	key_pair_free(a);
	a = key_pair_generate(NULL);
	tpath(p, "rt2.key");
	tpath(pp, "rt2-public");
	CHECK(a != NULL && key_save(a, p, pp, 0, err) == 0);
	CHECK(key_load_public(pp, pub, comment, err) == 0);
	CHECK(a != NULL && memcmp(pub, a->pub, KEY_LEN) == 0);
	CHECK(comment[0] == '\0');
	tpath(pp, "rt2.key.pub");
	CHECK(mode_of(pp) == -1);
	key_pair_free(a);
}

/* Hand-written files in the documented format load; the known answer. */
static void
test_good_files(void)
{
	char p[PATH_MAX], err[KEY_ERR_LEN], comment[KEY_COMMENT_MAX + 1];
	struct key_pair *kp;
	uint8_t pub[KEY_LEN];

	/* No final newline is fine too. */
	puts_file("kat.key", KAT_SEC_LINE " kat", 0600);
	kp = key_load_secret(tpath(p, "kat.key"), err);
	CHECK(kp != NULL);
	if (kp != NULL) {
		CHECK_MEM(kp->sec, kat_sec, KEY_LEN);
		CHECK_MEM(kp->pub, kat_pub, KEY_LEN);
		CHECK(strcmp(kp->comment, "kat") == 0);
	}
	key_pair_free(kp);

	/* Read-only for the owner is fine. */
	puts_file("kat2.key", KAT_SEC_LINE "\n", 0400);
	kp = key_load_secret(tpath(p, "kat2.key"), err);
	CHECK(kp != NULL);
	key_pair_free(kp);

	puts_file("kat.pub", KAT_PUB_LINE " x y\n", 0644);
	CHECK(key_load_public(tpath(p, "kat.pub"), pub, comment, err) == 0);
	CHECK_MEM(pub, kat_pub, KEY_LEN);
	CHECK(strcmp(comment, "x y") == 0);
}

/* Malformed contents: each fails with the path and the line. */
static void
test_bad_contents(void)
{
	char big[KEY_FILE_TEST_MAX];

	puts_file("empty", "", 0600);
	secret_fails("empty", 0, "empty");
	public_fails("empty", 0, "empty");
	puts_file("nl", "\n", 0600);
	secret_fails("nl", 1, "empty line");
	puts_file("b64", KEY_SECRET_TAG " dwdtCnMYpX08FsFyUbJmRd9ML4frwJ!q"
	    "sXf7pR25LCo=\n", 0600);
	secret_fails("b64", 1, "base64");
	puts_file("nocanon", KEY_SECRET_TAG " dwdtCnMYpX08FsFyUbJmRd9ML4fr"
	    "wJkqsXf7pR25LCp=\n", 0600);
	secret_fails("nocanon", 1, "base64");
	puts_file("short", KEY_SECRET_TAG " AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAA==\n", 0600);
	secret_fails("short", 1, "wrong key length");
	puts_file("long", KEY_SECRET_TAG " AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAA\n", 0600);
	secret_fails("long", 1, "wrong key length");
	puts_file("comment", KAT_SEC_LINE " bad\x01\n", 0600);
	secret_fails("comment", 1, "bad comment");
	puts_file("space", KAT_SEC_LINE " \n", 0600);
	secret_fails("space", 1, "trailing space");
	puts_file("crlf", KAT_SEC_LINE "\r\n", 0600);
	secret_fails("crlf", 1, "carriage return");
	puts_file("garbage", KAT_SEC_LINE "\nmore\n", 0600);
	secret_fails("garbage", 2, "after the key line");
	puts_file("twonl", KAT_SEC_LINE "\n\n", 0600);
	secret_fails("twonl", 2, "after the key line");
	puts_file("pgarbage", KAT_PUB_LINE "\n" KAT_PUB_LINE "\n", 0644);
	public_fails("pgarbage", 2, "after the key line");
	puts_file("ssh", "ssh-ed25519 AAAAC3Nza foo\n", 0600);
	secret_fails("ssh", 1, "not a secchat key line");

	/* NUL bytes, reported on their line. */
	put("nul1", KAT_SEC_LINE "\0\n", sizeof(KAT_SEC_LINE) + 1, 0600);
	secret_fails("nul1", 1, "NUL");
	put("nul2", KAT_PUB_LINE "\n\0", sizeof(KAT_PUB_LINE) + 1, 0644);
	public_fails("nul2", 2, "NUL");

	/* Over-long line; over-large file. */
	memset(big, 'A', sizeof(big));
	put("longline", big, KEY_LINE_MAX + 1, 0600);
	secret_fails("longline", 1, "too long");
	put("bigfile", big, sizeof(big), 0600);
	secret_fails("bigfile", 0, "too large");
	public_fails("bigfile", 0, "too large");
}

/* A public file where a secret one is expected, and the reverse. */
static void
test_wrong_type(void)
{

	/* A public file is named as such, whatever its mode. */
	puts_file("type.pub", KAT_PUB_LINE "\n", 0644);
	secret_fails("type.pub", 1, "not a secret key");
	puts_file("type600.pub", KAT_PUB_LINE "\n", 0600);
	secret_fails("type600.pub", 1, "not a secret key");
	puts_file("type.key", KAT_SEC_LINE "\n", 0600);
	public_fails("type.key", 1, "not a public key");
}

/* Secret files open to group or others are refused, as ssh does. */
static void
test_permissions(void)
{
	static const mode_t bad[] = { 0640, 0604, 0620, 0602, 0644, 0660 };
	char name[32], what[32];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "perm%04o", (unsigned)bad[i]);
		puts_file(name, KAT_SEC_LINE "\n", bad[i]);
		snprintf(what, sizeof(what), "bad permissions %04o",
		    (unsigned)bad[i]);
		secret_fails(name, 0, what);
		secret_fails(name, 0, "chmod 600");
	}
}

/* Symlinks, directories, FIFOs and missing files. */
static void
test_special_files(void)
{
	char p[PATH_MAX], t[PATH_MAX];

	/* A symlink to a good key is still refused. */
	puts_file("target.key", KAT_SEC_LINE "\n", 0600);
	puts_file("target.pub", KAT_PUB_LINE "\n", 0644);
	CHECK(symlink(tpath(t, "target.key"), tpath(p, "link.key")) == 0);
	secret_fails("link.key", 0, "symbolic link");
	CHECK(symlink(tpath(t, "target.pub"), tpath(p, "link.pub")) == 0);
	public_fails("link.pub", 0, "symbolic link");

	/* A directory. */
	CHECK(mkdir(tpath(p, "dir.key"), 0700) == 0);
	secret_fails("dir.key", 0, "directory");
	public_fails("dir.key", 0, "directory");

	/* A FIFO: refused without blocking. */
	CHECK(mkfifo(tpath(p, "fifo.key"), 0600) == 0);
	secret_fails("fifo.key", 0, "not a regular file");

	/* Missing. */
	secret_fails("missing.key", 0, strerror(ENOENT));
	public_fails("missing.pub", 0, strerror(ENOENT));
}

/* No overwrite without the flag; overwrite with it. */
static void
test_overwrite(void)
{
	char p[PATH_MAX], pp[PATH_MAX], err[KEY_ERR_LEN];
	struct key_pair *a, * b, * c;

	a = key_pair_generate("first");
	b = key_pair_generate("second");
	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL)
		goto done;
	tpath(p, "ow.key");
	tpath(pp, "ow.key.pub");
	CHECK(key_save(a, p, NULL, 0, err) == 0);

	/* Refused; both files unchanged. */
	err[0] = '\0';
	CHECK(key_save(b, p, NULL, 0, err) == -1);
	CHECK(strstr(err, p) != NULL && strstr(err, "exists") != NULL);
	c = key_load_secret(p, err);
	CHECK(c != NULL && same_pair(a, c));
	key_pair_free(c);

	/* Also when only the public file is in the way. */
	CHECK(unlink(p) == 0);
	CHECK(key_save(b, p, NULL, 0, err) == -1);
	CHECK(strstr(err, pp) != NULL);
	CHECK(mode_of(p) == -1);
	CHECK(key_save(a, p, NULL, 1, err) == 0);

	/* Replaced with the flag; modes as for new files. */
	CHECK(key_save(b, p, NULL, 1, err) == 0);
	c = key_load_secret(p, err);
	CHECK(c != NULL && same_pair(b, c));
	key_pair_free(c);
	CHECK(mode_of(p) == 0600 && mode_of(pp) == 0644);

	/* The same name for both files. */
	CHECK(key_save(b, p, p, 1, err) == -1);

	/* A directory in the way, with and without overwrite. */
	CHECK(key_save(a, tmpdir, NULL, 0, err) == -1);
	CHECK(strstr(err, tmpdir) != NULL);
	CHECK(mkdir(tpath(p, "owdir.key"), 0700) == 0);
	CHECK(key_save(a, p, NULL, 1, err) == -1);
	CHECK(strstr(err, p) != NULL);

done:
	key_pair_free(a);
	key_pair_free(b);
}

/* Create on first use, reuse after, repair or refuse the public file. */
static void
test_load_or_create(void)
{
	char d[PATH_MAX], p[PATH_MAX], pp[PATH_MAX], err[KEY_ERR_LEN];
	struct key_pair *a, * b;
	int created = -1;

	tpath(d, "keys");
	tpath(p, "keys/server.key");
	tpath(pp, "keys/server.key.pub");

	/* First start: directory and pair created. */
	a = key_load_or_create(p, NULL, "server", &created, err);
	CHECK(a != NULL && created == 1);
	CHECK(mode_of(d) == 0700);
	CHECK(mode_of(p) == 0600 && mode_of(pp) == 0644);

	/* Next start: the same pair. */
	b = key_load_or_create(p, NULL, "ignored", &created, err);
	CHECK(b != NULL && created == 0);
	CHECK(a != NULL && b != NULL && same_pair(a, b));
	key_pair_free(b);

	/* A missing public file is recreated. */
	CHECK(unlink(pp) == 0);
	b = key_load_or_create(p, NULL, NULL, &created, err);
	CHECK(b != NULL && created == 0);
	key_pair_free(b);
	CHECK(mode_of(pp) == 0644);
	b = key_load_secret(p, err);
	CHECK(a != NULL && b != NULL && same_pair(a, b));
	key_pair_free(b);

	key_pair_free(a);
}

/* Mismatched, lone or unreadable files are refused, never replaced. */
static void
test_load_or_create_errors(void)
{
	char d[PATH_MAX], p[PATH_MAX], pp[PATH_MAX], err[KEY_ERR_LEN];
	struct key_pair *b, * other;
	int created = -1;

	tpath(p, "keys/server.key");
	tpath(pp, "keys/server.key.pub");

	/* A public file of another key is an error naming both files. */
	other = key_pair_generate("other");
	CHECK(other != NULL);
	CHECK(unlink(pp) == 0);
	tpath(d, "other.key");
	CHECK(other != NULL && key_save(other, d, pp, 0, err) == 0);
	err[0] = '\0';
	b = key_load_or_create(p, NULL, NULL, &created, err);
	CHECK(b == NULL);
	CHECK(strstr(err, p) != NULL && strstr(err, pp) != NULL);
	CHECK(strstr(err, "does not match") != NULL);

	/* A lone public file: the secret was lost; refuse. */
	CHECK(unlink(p) == 0);
	b = key_load_or_create(p, NULL, NULL, &created, err);
	CHECK(b == NULL && created == 0);
	CHECK(mode_of(p) == -1);

	/* An unreadable secret is not replaced. */
	CHECK(unlink(pp) == 0);
	puts_file("keys/server.key", KAT_SEC_LINE "\n", 0644);
	b = key_load_or_create(p, NULL, NULL, &created, err);
	CHECK(b == NULL && strstr(err, "chmod 600") != NULL);
	CHECK(mode_of(pp) == -1);

	/* An explicit public path. */
	CHECK(unlink(p) == 0);
	tpath(pp, "keys/explicit.pub");
	b = key_load_or_create(p, pp, NULL, &created, err);
	CHECK(b != NULL && created == 1 && mode_of(pp) == 0644);
	key_pair_free(b);
	key_pair_free(other);

	/* Missing directories are created, every level, mode 0700. */
	tpath(p, "no/such/server.key");
	b = key_load_or_create(p, NULL, NULL, &created, err);
	CHECK(b != NULL && created == 1 && mode_of(p) == 0600);
	key_pair_free(b);
	tpath(p, "no/such");
	CHECK(mode_of(p) == 0700);
	tpath(p, "no");
	CHECK(mode_of(p) == 0700);

	/* A parent that cannot be created is a clear error. */
	tpath(p, "keys/explicit.pub/sub/server.key");
	CHECK(key_load_or_create(p, NULL, NULL, &created, err) == NULL);
	CHECK(strstr(err, "explicit.pub/sub") != NULL);
}

/* Return the number of temporary files left in ${dir}, recursively. */
static int
count_tmp(const char *dir)
{
	char sub[PATH_MAX];
	struct dirent *de;
	DIR *dp;
	int n = 0;

	if ((dp = opendir(dir)) == NULL)
		return (0);
	while ((de = readdir(dp)) != NULL) {
		if (strstr(de->d_name, ".tmp.") != NULL)
			n++;
		if (strcmp(de->d_name, "keys") == 0) {
			snprintf(sub, sizeof(sub), "%s/keys", dir);
			n += count_tmp(sub);
		}
	}
	closedir(dp);
	return (n);
}

/* Remove ${path} and, if it is a directory, everything under it. */
static int
rm_tree(const char *path)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *dp;
	int rc = 0;

	if (lstat(path, &st) != 0)
		return (-1);
	if (!S_ISDIR(st.st_mode))
		return (unlink(path));
	if ((dp = opendir(path)) == NULL)
		return (-1);
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (rm_tree(sub) != 0)
			rc = -1;
	}
	closedir(dp);
	if (rmdir(path) != 0)
		rc = -1;
	return (rc);
}

int
main(void)
{
	const char *base;

	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return (1);
	}

	/* A private directory, unique to this run. */
	if ((base = getenv("TMPDIR")) == NULL || base[0] == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_key.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL) {
		perror(tmpdir);
		return (1);
	}

	test_generate();
	test_public_line();
	test_fingerprint();
	test_roundtrip();
	test_good_files();
	test_bad_contents();
	test_wrong_type();
	test_permissions();
	test_special_files();
	test_overwrite();
	test_load_or_create();
	test_load_or_create_errors();

	/* No temporary file left behind on any path. */
	CHECK(count_tmp(tmpdir) == 0);

	/* Clean up. */
	CHECK(rm_tree(tmpdir) == 0);
	return (test_exit("test_key"));
}
