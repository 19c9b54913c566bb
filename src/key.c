#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "key.h"

/*
 * Key files are read whole into a bounded buffer, checked line by line and
 * parsed into locals; only a fully valid key is copied out.  Every buffer
 * that held secret material (file contents, base64 text, decoded bytes) is
 * wiped with sodium_memzero on every path.  Files are written through a
 * temporary file created with its final mode, fsync'd, then moved into
 * place with link(2) (no clobber) or rename(2) (overwrite).
 */

/* Largest key file we read; a valid one is a single short line. */
#define KEY_FILE_MAX	4096

/* Random bytes in a temporary file name (written as hex). */
#define TMP_RAND_LEN	8

/* How often to retry creating a temporary file whose name is taken. */
#define TMP_TRIES	16

/* Modes of the files we write. */
#define SECRET_MODE	0600
#define PUBLIC_MODE	0644

static void seterr(char *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Write a formatted message into ${err} (KEY_ERR_LEN bytes) unless NULL. */
static void
seterr(char *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err, KEY_ERR_LEN, fmt, ap);
	va_end(ap);
}

/* Return the length of the leading run of printable ASCII in ${p}[0..len). */
static size_t
printable_span(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e)
			break;
	}
	return (i);
}

/* Return non-zero if ${c} (NULL meaning none) is a valid comment. */
static int
comment_ok(const char *c)
{
	size_t len;

	if (c == NULL)
		return (1);
	len = strnlen(c, KEY_COMMENT_MAX + 1);
	return (len <= KEY_COMMENT_MAX && printable_span(c, len) == len);
}

/* Allocate a zeroed key pair carrying the valid ${comment}, or NULL. */
static struct key_pair *
pair_alloc(const char *comment)
{
	struct key_pair *kp;

	/* Refuse a comment we could not write back out. */
	if (!comment_ok(comment))
		return (NULL);

	/* Guarded, locked memory for the secret. */
	if ((kp = sodium_malloc(sizeof(struct key_pair))) == NULL)
		return (NULL);
	sodium_memzero(kp, sizeof(struct key_pair));

	/* The comment fits: comment_ok checked its length. */
	if (comment != NULL)
		memcpy(kp->comment, comment, strlen(comment) + 1);
	return (kp);
}

/**
 * key_pair_generate(comment):
 * Create a fresh key pair with the ${comment} (NULL or "" for none).
 * Returns NULL on failure (out of memory or invalid comment).
 */
struct key_pair *
key_pair_generate(const char *comment)
{
	struct key_pair *kp;

	/* Allocate the pair. */
	if ((kp = pair_alloc(comment)) == NULL)
		goto err0;

	/* Draw the secret straight into protected memory; derive the public. */
	randombytes_buf(kp->sec, KEY_LEN);
	if (crypto_scalarmult_base(kp->pub, kp->sec) != 0)
		goto err1;

	/* Success! */
	return (kp);

err1:
	key_pair_free(kp);
err0:
	/* Failure! */
	return (NULL);
}

/**
 * key_pair_from_secret(sec, comment):
 * Build a key pair from the 32-byte secret ${sec}.  Returns NULL on failure.
 */
struct key_pair *
key_pair_from_secret(const uint8_t sec[KEY_LEN], const char *comment)
{
	struct key_pair *kp;

	/* Allocate the pair. */
	if ((kp = pair_alloc(comment)) == NULL)
		goto err0;

	/* Copy the secret and derive the public key. */
	memcpy(kp->sec, sec, KEY_LEN);
	if (crypto_scalarmult_base(kp->pub, kp->sec) != 0)
		goto err1;

	/* Success! */
	return (kp);

err1:
	key_pair_free(kp);
err0:
	/* Failure! */
	return (NULL);
}

/**
 * key_pair_free(kp):
 * Wipe and free ${kp}.  Does nothing if ${kp} is NULL.
 */
void
key_pair_free(struct key_pair *kp)
{

	/* Behave consistently with free(NULL). */
	if (kp == NULL)
		return;

	/* sodium_free wipes the region before releasing it. */
	sodium_free(kp);
}

/* Return non-zero if ${line}[0..len) starts with ${tag} and a space. */
static int
has_tag(const char *line, size_t len, const char *tag)
{
	size_t tlen = strlen(tag);

	return (len > tlen && memcmp(line, tag, tlen) == 0 &&
	    line[tlen] == ' ');
}

/* Check the tag of ${line}[0..len) is ${tag}; describe problems in ${msg}. */
static int
parse_tag(const char *line, size_t len, const char *tag, char *msg)
{
	int want_sec = (strcmp(tag, KEY_SECRET_TAG) == 0);
	size_t tlen = strlen(tag);

	/* The expected tag, then one space. */
	if (has_tag(line, len, tag))
		return (0);

	/* Name the confusion between the two kinds of files. */
	if (want_sec && has_tag(line, len, KEY_PUBLIC_TAG))
		seterr(msg, "this is a public key (%s), not a secret key",
		    KEY_PUBLIC_TAG);
	else if (!want_sec && has_tag(line, len, KEY_SECRET_TAG))
		seterr(msg, "this is a secret key (%s), not a public key",
		    KEY_SECRET_TAG);
	else if (len == 0)
		seterr(msg, "empty line: expected '%s <base64 key> [comment]'",
		    tag);
	else if (len == tlen && memcmp(line, tag, tlen) == 0)
		seterr(msg, "missing key after '%s'", tag);
	else
		seterr(msg, "not a secchat key line: expected "
		    "'%s <base64 key> [comment]'", tag);
	return (-1);
}

/* Decode the base64 key ${p}[0..len) into ${key}; describe errors in ${msg}. */
static int
parse_b64(const char *p, size_t len, uint8_t key[KEY_LEN], char *msg)
{
	uint8_t bin[KEY_LINE_MAX];
	char b64[KEY_B64_LEN + 1];
	size_t binlen;
	int rc = -1;

	/* Exactly one space separates the tag and the key. */
	if (len == 0) {
		seterr(msg, "missing key: expected one space, then the key");
		goto done;
	}

	/* Strict decoding: whole field, canonical, padded. */
	if (sodium_base642bin(bin, sizeof(bin), p, len, NULL, &binlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0) {
		seterr(msg, "bad base64 in the key");
		goto done;
	}
	if (binlen != KEY_LEN) {
		seterr(msg, "wrong key length: %zu bytes, expected %d",
		    binlen, KEY_LEN);
		goto done;
	}

	/*
	 * libsodium 1.0.18 decodes every byte above 0x7f as '/' (found by
	 * tests/fuzz/fuzz_keyfile): accept only the text that encodes the key,
	 * so that one key has one text.  Compared in constant time.
	 */
	sodium_bin2base64(b64, sizeof(b64), bin, KEY_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
	if (len != KEY_B64_LEN || sodium_memcmp(b64, p, KEY_B64_LEN) != 0) {
		seterr(msg, "bad base64 in the key");
		goto done;
	}

	/* Success! */
	memcpy(key, bin, KEY_LEN);
	rc = 0;

done:
	/* The decoded bytes and their text may be a secret. */
	sodium_memzero(bin, sizeof(bin));
	sodium_memzero(b64, sizeof(b64));
	return (rc);
}

/* Check the comment ${p}[0..len), copy it to ${comment}; errors in ${msg}. */
static int
parse_comment(const char *p, size_t len, char *comment, char *msg)
{
	size_t span;

	/* A separating space must be followed by a comment. */
	if (len == 0) {
		seterr(msg, "trailing space after the key");
		return (-1);
	}
	if (len > KEY_COMMENT_MAX) {
		seterr(msg, "comment too long: %zu bytes, at most %d",
		    len, KEY_COMMENT_MAX);
		return (-1);
	}
	if ((span = printable_span(p, len)) != len) {
		seterr(msg, "bad comment: byte 0x%02x is not printable ASCII",
		    (unsigned int)(unsigned char)p[span]);
		return (-1);
	}

	/* Copy it out. */
	memcpy(comment, p, len);
	comment[len] = '\0';
	return (0);
}

/*
 * Parse the key line ${line}[0..len) (no newline) of kind ${tag} into
 * ${key} and ${comment}; describe any problem in ${msg} (no file name).
 */
static int
parse_line(const char *line, size_t len, const char *tag,
    uint8_t key[KEY_LEN], char comment[KEY_COMMENT_MAX + 1], char *msg)
{
	const char *p, * end = line + len, * sp;

	/* A DOS line ending is a common, fixable mistake: name it. */
	if (memchr(line, '\r', len) != NULL) {
		seterr(msg, "carriage return in the line (DOS line ending?)");
		return (-1);
	}

	/* Tag. */
	if (parse_tag(line, len, tag, msg))
		return (-1);
	p = line + strlen(tag) + 1;

	/* The key runs to the next space or the end of the line. */
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL)
		sp = end;
	if (parse_b64(p, (size_t)(sp - p), key, msg))
		return (-1);

	/* An optional comment after one space. */
	comment[0] = '\0';
	if (sp != end &&
	    parse_comment(sp + 1, (size_t)(end - sp - 1), comment, msg)) {
		sodium_memzero(key, KEY_LEN);
		return (-1);
	}
	return (0);
}

/* Describe the failure (errno) to open ${path}; set *${missing} if absent. */
static void
open_error(const char *path, int *missing, char *err)
{
	int e = errno;
	struct stat st;

	/* Only a file that is not there may be created by the caller. */
	if (e == ENOENT)
		*missing = 1;

	/* O_NOFOLLOW reports a symbolic link as ELOOP. */
	if (e == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		seterr(err, "%s: is a symbolic link; refusing to follow it",
		    path);
	else
		seterr(err, "%s: %s", path, strerror(e));
}

/* Open ${path} for reading and check it is a small regular file. */
static int
open_key(const char *path, mode_t *modep, int *missing, char *err)
{
	struct stat st;
	int fd;

	/* No symlinks; O_NONBLOCK so a FIFO cannot stall us before fstat. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		open_error(path, missing, err);
		goto err0;
	}

	/* Check what we opened, not what the name points to now. */
	if (fstat(fd, &st) != 0) {
		seterr(err, "%s: fstat: %s", path, strerror(errno));
		goto err1;
	}
	if (S_ISDIR(st.st_mode)) {
		seterr(err, "%s: is a directory, not a key file", path);
		goto err1;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, "%s: not a regular file", path);
		goto err1;
	}
	if (st.st_size > KEY_FILE_MAX) {
		seterr(err, "%s: file too large (%lld bytes; a key file is one "
		    "line)", path, (long long)st.st_size);
		goto err1;
	}

	/* Success! */
	*modep = st.st_mode;
	return (fd);

err1:
	close(fd);
err0:
	/* Failure! */
	return (-1);
}

/* Read up to ${max} bytes from ${fd} into ${buf}; store the count. */
static int
read_all(int fd, char *buf, size_t max, size_t *lenp)
{
	ssize_t r;

	*lenp = 0;
	while (*lenp < max) {
		if ((r = read(fd, buf + *lenp, max - *lenp)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (r == 0)
			break;
		*lenp += (size_t)r;
	}
	return (0);
}

/*
 * Read the key file ${path} into ${buf} (KEY_FILE_MAX + 1 bytes); store
 * its length in ${lenp} and mode in ${modep}; set *${missing} to 1 if the
 * file does not exist (else 0).
 */
static int
read_file(const char *path, char *buf, size_t *lenp, mode_t *modep,
    int *missing, char *err)
{
	int fd;

	/* Open and check. */
	*missing = 0;
	if ((fd = open_key(path, modep, missing, err)) == -1)
		goto err0;

	/* Read one byte more than allowed, to notice a file that grew. */
	if (read_all(fd, buf, KEY_FILE_MAX + 1, lenp)) {
		seterr(err, "%s: read: %s", path, strerror(errno));
		goto err1;
	}
	if (*lenp > KEY_FILE_MAX) {
		seterr(err, "%s: file too large (a key file is one line)",
		    path);
		goto err1;
	}

	/* Success! */
	close(fd);
	return (0);

err1:
	close(fd);
err0:
	/* Failure! */
	return (-1);
}

/*
 * Check ${buf}[0..len) is not empty, has no NUL and a first line of at most
 * KEY_LINE_MAX bytes; store its length in ${linelen}, and in ${more}
 * whether anything but a final newline follows it.
 */
static int
split_line(const char *path, const char *buf, size_t len, size_t *linelen,
    int *more, char *err)
{
	const char *nl, * nul;
	size_t i, lineno = 1;

	/* Something to parse. */
	if (len == 0) {
		seterr(err, "%s: file is empty: expected one key line", path);
		return (-1);
	}

	/* No NUL bytes anywhere: report the line holding the first one. */
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		for (i = 0; buf + i < nul; i++)
			lineno += (buf[i] == '\n');
		seterr(err, "%s:%zu: NUL byte in the line", path, lineno);
		return (-1);
	}

	/* The key line, within bounds. */
	nl = memchr(buf, '\n', len);
	*linelen = (nl != NULL) ? (size_t)(nl - buf) : len;
	if (*linelen > KEY_LINE_MAX) {
		seterr(err, "%s:1: line too long (more than %d bytes)", path,
		    KEY_LINE_MAX);
		return (-1);
	}

	/* Whether more than one final newline follows. */
	*more = (nl != NULL && (size_t)(nl - buf) + 1 < len);
	return (0);
}

/* Parse the key file contents ${buf}[0..len) of kind ${tag}. */
static int
parse_file(const char *path, const char *buf, size_t len, const char *tag,
    uint8_t key[KEY_LEN], char comment[KEY_COMMENT_MAX + 1], char *err)
{
	char msg[KEY_ERR_LEN];
	size_t linelen;
	int more;

	/* Find the key line and parse it. */
	if (split_line(path, buf, len, &linelen, &more, err))
		return (-1);
	if (parse_line(buf, linelen, tag, key, comment, msg)) {
		seterr(err, "%s:1: %s", path, msg);
		return (-1);
	}

	/* A key file holds one line. */
	if (more) {
		sodium_memzero(key, KEY_LEN);
		seterr(err, "%s:2: unexpected data after the key line "
		    "(a key file holds one line)", path);
		return (-1);
	}
	return (0);
}

/* Refuse a secret key file ${path} of mode ${mode} open to group or others. */
static int
check_perm(const char *path, mode_t mode, char *err)
{

	if ((mode & 077) == 0)
		return (0);
	seterr(err, "%s: bad permissions %04o: the secret key must not be "
	    "accessible by others; run 'chmod 600 %s'", path,
	    (unsigned int)(mode & 07777), path);
	return (-1);
}

/* Load the secret key file ${path}; set *${missing} if it does not exist. */
static struct key_pair *
load_secret(const char *path, int *missing, char *err)
{
	char buf[KEY_FILE_MAX + 1];
	uint8_t sec[KEY_LEN];
	char comment[KEY_COMMENT_MAX + 1];
	struct key_pair *kp = NULL;
	size_t len;
	mode_t mode;

	/* Read the file. */
	if (read_file(path, buf, &len, &mode, missing, err))
		goto done;

	/* Check the mode, unless this is a public key file (named below). */
	if (!has_tag(buf, len, KEY_PUBLIC_TAG) && check_perm(path, mode, err))
		goto done;

	/* Parse, then build the pair. */
	if (parse_file(path, buf, len, KEY_SECRET_TAG, sec, comment, err))
		goto done;
	if ((kp = key_pair_from_secret(sec, comment)) == NULL)
		seterr(err, "%s: out of memory", path);

done:
	/* Wipe every copy of the secret. */
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(sec, sizeof(sec));
	return (kp);
}

/**
 * key_load_secret(path, err):
 * Load the secret key file ${path}.  Refuses a file readable or writable by
 * group or others, a file that is not a regular file, a public key file,
 * bad base64, a wrong length and anything after the key line.  On failure
 * returns NULL and writes "PATH[:LINE]: problem" (with the fix where there
 * is one, such as "chmod 600 PATH") into ${err} (KEY_ERR_LEN bytes).
 */
struct key_pair *
key_load_secret(const char *path, char err[KEY_ERR_LEN])
{
	int missing;

	return (load_secret(path, &missing, err));
}

/* Load the public key file ${path}; set *${missing} if it does not exist. */
static int
load_public(const char *path, uint8_t pub[KEY_LEN], char *comment,
    int *missing, char *err)
{
	char buf[KEY_FILE_MAX + 1];
	uint8_t key[KEY_LEN];
	char cbuf[KEY_COMMENT_MAX + 1];
	size_t len;
	mode_t mode;
	int rc = -1;

	/* Read and parse into locals. */
	if (read_file(path, buf, &len, &mode, missing, err))
		goto done;
	if (parse_file(path, buf, len, KEY_PUBLIC_TAG, key, cbuf, err))
		goto done;

	/* Success: copy out. */
	memcpy(pub, key, KEY_LEN);
	if (comment != NULL)
		memcpy(comment, cbuf, strlen(cbuf) + 1);
	rc = 0;

done:
	/* The file may have been a secret key file given by mistake. */
	sodium_memzero(buf, sizeof(buf));
	return (rc);
}

/**
 * key_load_public(path, pub, comment, err):
 * Load the public key file ${path} into ${pub}, and its comment into
 * ${comment} (KEY_COMMENT_MAX + 1 bytes) unless NULL.  Returns 0, or -1
 * with a message in ${err} as for key_load_secret.
 */
int
key_load_public(const char *path, uint8_t pub[KEY_LEN], char *comment,
    char err[KEY_ERR_LEN])
{
	int missing;

	return (load_public(path, pub, comment, &missing, err));
}

/**
 * key_parse_public_line(line, pub, comment, err):
 * Parse a public key line (as key_format_public prints it; a trailing
 * newline is allowed) into ${pub} and the comment into ${comment} unless
 * NULL.  Returns 0, or -1 with the problem in ${err} (no file name).
 */
int
key_parse_public_line(const char *line, uint8_t pub[KEY_LEN], char *comment,
    char err[KEY_ERR_LEN])
{
	uint8_t key[KEY_LEN];
	char cbuf[KEY_COMMENT_MAX + 1];
	size_t len;

	/* Bounded length, less one final newline. */
	len = strnlen(line, KEY_LINE_MAX + 2);
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > KEY_LINE_MAX) {
		seterr(err, "line too long (more than %d bytes)", KEY_LINE_MAX);
		return (-1);
	}
	if (memchr(line, '\n', len) != NULL) {
		seterr(err, "unexpected data after the key line");
		return (-1);
	}

	/* Parse into locals, then copy out. */
	if (parse_line(line, len, KEY_PUBLIC_TAG, key, cbuf, err))
		return (-1);
	memcpy(pub, key, KEY_LEN);
	if (comment != NULL)
		memcpy(comment, cbuf, strlen(cbuf) + 1);
	return (0);
}

/**
 * key_format_public(pub, comment, out):
 * Write the public key line for ${pub} with the ${comment} (NULL or "" for
 * none) into ${out} (KEY_LINE_MAX + 1 bytes), without a newline.
 */
void
key_format_public(const uint8_t pub[KEY_LEN], const char *comment,
    char out[KEY_LINE_MAX + 1])
{
	char b64[KEY_B64_LEN + 1];

	/* An invalid comment cannot be parsed back: leave it out. */
	if (comment == NULL || !comment_ok(comment))
		comment = "";

	/* Tag, key and the comment if any; the length fits (see key.h). */
	sodium_bin2base64(b64, sizeof(b64), pub, KEY_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, KEY_LINE_MAX + 1, "%s %s%s%s", KEY_PUBLIC_TAG, b64,
	    comment[0] != '\0' ? " " : "", comment);
}

/**
 * key_fingerprint(pub, out):
 * Write the fingerprint of ${pub}, "BLAKE2b:" and the unpadded base64 of
 * the BLAKE2b-256 hash of the key, into ${out} (KEY_FP_LEN bytes).
 */
void
key_fingerprint(const uint8_t pub[KEY_LEN], char out[KEY_FP_LEN])
{
	static const char prefix[] = "BLAKE2b:";
	uint8_t h[32];

	/* Hash the key. */
	crypto_generichash(h, sizeof(h), pub, KEY_LEN, NULL, 0);

	/* Prefix, then the unpadded base64 of the hash. */
	memcpy(out, prefix, sizeof(prefix) - 1);
	sodium_bin2base64(out + sizeof(prefix) - 1,
	    KEY_FP_LEN - (sizeof(prefix) - 1), h, sizeof(h),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

/* Store in ${dir} (PATH_MAX bytes) the directory holding ${path}. */
static int
parent_dir(const char *path, char dir[PATH_MAX], char *err)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	/* No slash: the current directory; a leading one only: the root. */
	if (slash == NULL)
		len = 0;
	else if (slash == path)
		len = 1;
	else
		len = (size_t)(slash - path);
	if (len >= PATH_MAX) {
		seterr(err, "%s: path too long", path);
		return (-1);
	}
	if (len == 0)
		memcpy(dir, ".", 2);
	else {
		memcpy(dir, path, len);
		dir[len] = '\0';
	}
	return (0);
}

/* Flush the directory entry of ${path} to disk (best effort). */
static void
sync_dir(const char *path)
{
	char dir[PATH_MAX];
	int fd;

	if (parent_dir(path, dir, NULL))
		return;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	(void)fsync(fd);
	close(fd);
}

/* Create a temporary file of mode ${mode} next to ${path}; name in ${tmp}. */
static int
tmp_create(const char *path, mode_t mode, char tmp[PATH_MAX], char *err)
{
	uint8_t rnd[TMP_RAND_LEN];
	char hex[TMP_RAND_LEN * 2 + 1];
	int fd = -1, i;

	/* A fresh random name each try; never follow or reuse an entry. */
	for (i = 0; i < TMP_TRIES && fd == -1; i++) {
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
		if (snprintf(tmp, PATH_MAX, "%s.tmp.%s", path, hex) >=
		    PATH_MAX) {
			seterr(err, "%s: path too long", path);
			return (-1);
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC | O_NOCTTY, mode);
		if (fd == -1 && errno != EEXIST) {
			seterr(err, "%s: %s", tmp, strerror(errno));
			return (-1);
		}
	}
	if (fd == -1) {
		seterr(err, "%s: no free temporary file name", path);
		return (-1);
	}

	/* Exactly ${mode}: the umask may have narrowed 0644. */
	if (fchmod(fd, mode) != 0) {
		seterr(err, "%s: fchmod: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return (-1);
	}
	return (fd);
}

/* Write ${len} bytes of ${data} to ${fd}. */
static int
write_all(int fd, const char *data, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		data += w;
		len -= (size_t)w;
	}
	return (0);
}

/* Return non-zero if link(2) failing with ${e} means "not supported here". */
static int
link_unsupported(int e)
{

	return (e == EPERM || e == EOPNOTSUPP || e == ENOTSUP || e == ENOSYS);
}

/* Move ${tmp} to ${path}; replace an existing ${path} only if ${overwrite}. */
static int
install(const char *tmp, const char *path, int overwrite, char *err)
{
	struct stat st;

	/* link(2) never replaces an existing entry: atomic no-clobber. */
	if (!overwrite) {
		if (link(tmp, path) == 0) {
			unlink(tmp);
			return (0);
		}
		if (errno == EEXIST)
			goto exists;
		if (!link_unsupported(errno))
			goto fail;

		/* No hard links on this file system: check, then rename. */
		if (lstat(path, &st) == 0)
			goto exists;
		if (errno != ENOENT)
			goto fail;
	}

	/* rename(2) replaces atomically. */
	if (rename(tmp, path) != 0)
		goto fail;
	return (0);

exists:
	seterr(err, "%s: already exists; not overwriting it", path);
	return (-1);
fail:
	seterr(err, "%s: %s", path, strerror(errno));
	return (-1);
}

/* Write ${data}[0..len) to ${path} with mode ${mode}, atomically. */
static int
write_file(const char *path, const char *data, size_t len, mode_t mode,
    int overwrite, char *err)
{
	char tmp[PATH_MAX];
	int fd;

	/* A temporary file with its final mode from creation on. */
	if ((fd = tmp_create(path, mode, tmp, err)) == -1)
		goto err0;

	/* The data reaches the disk before the file takes its name. */
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		seterr(err, "%s: write: %s", tmp, strerror(errno));
		goto err2;
	}
	if (close(fd) != 0) {
		seterr(err, "%s: close: %s", tmp, strerror(errno));
		goto err1;
	}

	/* Give it its name and make that durable. */
	if (install(tmp, path, overwrite, err))
		goto err1;
	sync_dir(path);

	/* Success! */
	return (0);

err2:
	close(fd);
err1:
	unlink(tmp);
err0:
	/* Failure! */
	return (-1);
}

/* Write the secret key file for ${kp} to ${path}. */
static int
save_secret(const struct key_pair *kp, const char *path, int overwrite,
    char *err)
{
	char b64[KEY_B64_LEN + 1];
	char line[KEY_LINE_MAX + 2];
	int len, rc;

	/* Format "tag base64 [comment]\n"; the length fits (see key.h). */
	sodium_bin2base64(b64, sizeof(b64), kp->sec, KEY_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
	len = snprintf(line, sizeof(line), "%s %s%s%s\n", KEY_SECRET_TAG, b64,
	    kp->comment[0] != '\0' ? " " : "", kp->comment);

	/* Write it, then wipe both copies of the secret. */
	rc = write_file(path, line, (size_t)len, SECRET_MODE, overwrite, err);
	sodium_memzero(b64, sizeof(b64));
	sodium_memzero(line, sizeof(line));
	return (rc);
}

/* Write the public key file for ${kp} to ${path}. */
static int
save_public(const struct key_pair *kp, const char *path, int overwrite,
    char *err)
{
	char line[KEY_LINE_MAX + 2];
	size_t len;

	/* The public line and a newline. */
	key_format_public(kp->pub, kp->comment, line);
	len = strlen(line);
	line[len++] = '\n';
	return (write_file(path, line, len, PUBLIC_MODE, overwrite, err));
}

/* Return ${pubpath}, or ${path}.pub built in ${buf} if ${pubpath} is NULL. */
static const char *
pub_path(const char *path, const char *pubpath, char buf[PATH_MAX],
    char *err)
{

	if (pubpath != NULL)
		return (pubpath);
	if (snprintf(buf, PATH_MAX, "%s.pub", path) >= PATH_MAX) {
		seterr(err, "%s: path too long", path);
		return (NULL);
	}
	return (buf);
}

/* Fail with a message if ${path} exists (or cannot be checked). */
static int
refuse_existing(const char *path, char *err)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		seterr(err, "%s: already exists; not overwriting it", path);
		return (-1);
	}
	if (errno != ENOENT) {
		seterr(err, "%s: %s", path, strerror(errno));
		return (-1);
	}
	return (0);
}

/**
 * key_save(kp, path, pubpath, overwrite, err):
 * Write the secret key of ${kp} to ${path} (mode 0600 from creation) and
 * its public key to ${pubpath}, or ${path}.pub if ${pubpath} is NULL (mode
 * 0644), each atomically through a
 * temporary file and rename(2).  Refuses to replace an existing file unless
 * ${overwrite} is non-zero.  Returns 0, or -1 with a message in ${err}.
 */
int
key_save(const struct key_pair *kp, const char *path, const char *pubpath,
    int overwrite, char err[KEY_ERR_LEN])
{
	char pbuf[PATH_MAX];

	/* Find the public key file; it must not be the secret one. */
	if ((pubpath = pub_path(path, pubpath, pbuf, err)) == NULL)
		goto err0;
	if (strcmp(path, pubpath) == 0) {
		seterr(err, "%s: secret and public key files must differ",
		    path);
		goto err0;
	}

	/* Without overwrite, refuse before writing anything. */
	if (!overwrite && (refuse_existing(path, err) ||
	    refuse_existing(pubpath, err)))
		goto err0;

	/* The secret key, then the public key. */
	if (save_secret(kp, path, overwrite, err))
		goto err0;
	if (save_public(kp, pubpath, overwrite, err))
		goto err1;

	/* Success! */
	return (0);

err1:
	/* Leave no half pair behind (a replaced file cannot come back). */
	if (!overwrite)
		unlink(path);
err0:
	/* Failure! */
	return (-1);
}

/* Check the public key file ${pubpath} matches ${kp}; write it if absent. */
static int
check_public(const struct key_pair *kp, const char *path,
    const char *pubpath, char *err)
{
	uint8_t pub[KEY_LEN];
	int missing;

	/* Recreate a missing public key file from the secret key. */
	if (load_public(pubpath, pub, NULL, &missing, err)) {
		if (!missing)
			return (-1);
		return (save_public(kp, pubpath, 0, err));
	}

	/* An existing one must be ours. */
	if (crypto_verify_32(pub, kp->pub) != 0) {
		seterr(err, "%s: public key does not match the secret key in "
		    "%s; remove %s to have it recreated", pubpath, path,
		    pubpath);
		return (-1);
	}
	return (0);
}

/* Create the directory holding ${path}, and its missing parents, 0700. */
static int
make_parent(const char *path, char *err)
{
	char dir[PATH_MAX];
	char *p, c;

	if (parent_dir(path, dir, err))
		return (-1);

	/* Each prefix of ${dir} in turn, as mkdir -p does. */
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			seterr(err, "%s: cannot create directory: %s", dir,
			    strerror(errno));
			return (-1);
		}
		*p = c;
		if (c == '\0')
			break;
	}
	return (0);
}

/* Generate a pair with ${comment} and save it to ${path} and ${pubpath}. */
static struct key_pair *
create_pair(const char *path, const char *pubpath, const char *comment,
    char *err)
{
	struct key_pair *kp;
	struct stat st;

	/* A lone public key means the secret was lost: do not paper over it. */
	if (lstat(pubpath, &st) == 0) {
		seterr(err, "%s: missing, but %s exists: restore the secret "
		    "key, or remove %s to create a new pair", path, pubpath,
		    pubpath);
		goto err0;
	}
	if (!comment_ok(comment)) {
		seterr(err, "%s: invalid comment (printable ASCII, at most %d "
		    "bytes)", path, KEY_COMMENT_MAX);
		goto err0;
	}

	/* Directory, pair, files. */
	if (make_parent(path, err))
		goto err0;
	if ((kp = key_pair_generate(comment)) == NULL) {
		seterr(err, "%s: out of memory", path);
		goto err0;
	}
	if (key_save(kp, path, pubpath, 0, err))
		goto err1;

	/* Success! */
	return (kp);

err1:
	key_pair_free(kp);
err0:
	/* Failure! */
	return (NULL);
}

/**
 * key_load_or_create(path, pubpath, comment, created, err):
 * Load the secret key ${path}; if it does not exist, generate a pair with
 * ${comment} and save it (secret at ${path}, public at ${pubpath}, or
 * ${path}.pub if ${pubpath} is NULL), creating missing parent directories
 * with mode 0700, and set *${created} to 1 (else 0).  When the public
 * file exists it must match the secret key.  Returns the pair, or NULL
 * with a message in ${err}.
 */
struct key_pair *
key_load_or_create(const char *path, const char *pubpath,
    const char *comment, int *created, char err[KEY_ERR_LEN])
{
	char pbuf[PATH_MAX];
	struct key_pair *kp;
	int missing;

	/* Nothing created yet. */
	if (created != NULL)
		*created = 0;
	if ((pubpath = pub_path(path, pubpath, pbuf, err)) == NULL)
		goto err0;

	/* Only a secret key file that does not exist is created. */
	if ((kp = load_secret(path, &missing, err)) == NULL) {
		if (!missing)
			goto err0;
		if ((kp = create_pair(path, pubpath, comment, err)) == NULL)
			goto err0;
		if (created != NULL)
			*created = 1;
		return (kp);
	}

	/* An existing pair: the public key file must agree. */
	if (check_public(kp, path, pubpath, err))
		goto err1;

	/* Success! */
	return (kp);

err1:
	key_pair_free(kp);
err0:
	/* Failure! */
	return (NULL);
}

/**
 * key_write_file(path, data, len, mode, err):
 * Write the ${len} bytes of ${data} to ${path} with the permission bits
 * ${mode}, atomically through a temporary file, fsync(2) and rename(2),
 * replacing ${path} if it exists; missing parent directories are created
 * with mode 0700.  For files of public keys, such as a client's
 * known_hosts.  Returns 0, or -1 with a message in ${err}.
 */
int
key_write_file(const char *path, const void *data, size_t len,
    unsigned int mode, char err[KEY_ERR_LEN])
{

	if (make_parent(path, err))
		return (-1);
	return (write_file(path, data, len, (mode_t)mode, 1, err));
}
