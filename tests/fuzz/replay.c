#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A main() for a fuzz target in builds without libFuzzer: feed each file
 * named on the command line, and each file in each directory named there,
 * to LLVMFuzzerTestOneInput once.  A target that finds a broken invariant
 * aborts; the sanitizers, when built in, report memory errors.  make check
 * replays the seed corpora and the regression inputs this way.
 */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Largest input replayed; the corpora hold inputs of a few KiB. */
#define REPLAY_MAX	(1024 * 1024)

/* Read the file ${path} into a heap buffer of its exact size. */
static uint8_t *
read_input(const char *path, size_t *lenp)
{
	FILE *f;
	uint8_t *buf;
	long len;

	if ((f = fopen(path, "rb")) == NULL)
		goto err0;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    len > REPLAY_MAX || fseek(f, 0, SEEK_SET) != 0)
		goto err1;

	/* Exactly ${len} bytes, so that ASan sees a read past the input. */
	if ((buf = malloc(len > 0 ? (size_t)len : 1)) == NULL)
		goto err1;
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto err2;
	fclose(f);
	*lenp = (size_t)len;
	return (buf);

err2:
	free(buf);
err1:
	fclose(f);
err0:
	fprintf(stderr, "replay: %s: cannot read\n", path);
	return (NULL);
}

/* Run the target on the file ${path}; returns 0, or -1 if unreadable. */
static int
replay_file(const char *path)
{
	uint8_t *buf;
	size_t len;

	if ((buf = read_input(path, &len)) == NULL)
		return (-1);
	(void)LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return (0);
}

/* Run the target on every regular file in ${dir}; add them to ${n}. */
static int
replay_dir(const char *dir, int *n)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char p[PATH_MAX];
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(p) || stat(p, &st) != 0) {
			rc = -1;
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		fprintf(stderr, "replay: %s\n", p);
		if (replay_file(p))
			rc = -1;
		else
			(*n)++;
	}
	closedir(d);
	return (rc);
}

int
main(int argc, char *argv[])
{
	struct stat st;
	int i, n = 0, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file-or-directory ...\n", argv[0]);
		return (64);
	}

	/* Each argument: a directory of inputs, or one input. */
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &n))
				rc = 1;
		} else if (replay_file(argv[i]))
			rc = 1;
		else
			n++;
	}
	printf("%s: %d inputs replayed%s\n", argv[0], n,
	    rc ? ", some unreadable" : "");
	return (rc);
}
