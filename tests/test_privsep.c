#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "key.h"
#include "privsep.h"
#include "test.h"

TEST_DEFINE_GLOBALS;

/* What the release function saw of the pair privsep_forget handed it. */
static int released;
static int released_zero;
static uintptr_t released_at;

/*
 * Stand in for key_pair_free as privsep_forget's release: look at every
 * byte of the pair (still allocated, after the wipe), then free it.
 */
static void
observe_release(struct key_pair *kp)
{

	released++;
	released_at = (uintptr_t)kp;
	released_zero = sodium_is_zero((const unsigned char *)kp,
	    sizeof(*kp));
	key_pair_free(kp);
}

/* privsep_forget, as child_main calls it, wipes the pair before the free. */
static void
test_forget(void)
{
	struct key_pair *kp;
	uintptr_t at;

	/* A real pair, in sodium_malloc'd memory, not zero to begin with. */
	kp = key_pair_generate("privsep test");
	CHECK(kp != NULL);
	if (kp == NULL)
		return;
	CHECK(!sodium_is_zero(kp->sec, sizeof(kp->sec)));
	CHECK(!sodium_is_zero(kp->pub, sizeof(kp->pub)));
	at = (uintptr_t)kp;

	released = released_zero = 0;
	privsep_forget(kp, observe_release);
	CHECK(released == 1);
	CHECK(released_at == at);
	CHECK(released_zero == 1);

	/* NULL: nothing to forget, nothing released. */
	released = 0;
	privsep_forget(NULL, observe_release);
	CHECK(released == 0);
}

/* The private temporary directory of this run. */
static char tmpdir[PATH_MAX];

/* Store "${tmpdir}/${name}" in ${out}. */
static char *
tpath(char out[PATH_MAX], const char *name)
{

	if (snprintf(out, PATH_MAX, "%s/%s", tmpdir, name) >= PATH_MAX)
		abort();
	return (out);
}

/* Run privsep_check with ${user} and the chroot ${dir} (NULL: none);
 * return its result, and whether ${want} is in the message if it fails. */
static int
check(const char *user, char *dir, const char *want)
{
	struct conf c;
	char u[64], err[PRIVSEP_ERR_LEN];
	int r;

	memset(&c, 0, sizeof(c));
	snprintf(u, sizeof(u), "%s", user);
	c.user = u;
	c.chroot = dir;
	err[0] = '\0';
	if ((r = privsep_check(&c, err)) == 0)
		return (0);
	if (want != NULL && strstr(err, want) == NULL) {
		fprintf(stderr, "unexpected message: %s\n", err);
		return (-2);
	}
	return (r);
}

/* privsep_check: the user (as root) and the chroot directory. */
static void
test_check(void)
{
	char good[PATH_MAX], open_dir[PATH_MAX], file[PATH_MAX];
	char link[PATH_MAX], missing[PATH_MAX];
	int root = (geteuid() == 0);
	FILE *f;

	CHECK(mkdir(tpath(good, "good"), 0755) == 0);
	CHECK(chmod(good, 0755) == 0);
	CHECK(mkdir(tpath(open_dir, "open"), 0755) == 0);
	CHECK(chmod(open_dir, 0757) == 0);
	CHECK((f = fopen(tpath(file, "file"), "w")) != NULL);
	if (f != NULL)
		fclose(f);
	CHECK(symlink(good, tpath(link, "link")) == 0);
	tpath(missing, "missing");

	/* No chroot: only the user matters, and only as root. */
	CHECK(check("nobody", NULL, NULL) == 0);
	CHECK(check("no-such-user-secchat", NULL, "no such user") ==
	    (root ? -1 : 0));
	CHECK(check("root", NULL, "may not run as root") == (root ? -1 : 0));

	/* A root-owned directory that only root may write is the one. */
	if (root)
		CHECK(check("nobody", good, NULL) == 0);
	else
		CHECK(check("nobody", good, "not owned by root") == -1);
	CHECK(check("nobody", open_dir, root ? "writable by group or others" :
	    "not owned by root") == -1);
	CHECK(check("nobody", file, "Not a directory") == -1);
	CHECK(check("nobody", link, "is a symbolic link") == -1);
	CHECK(check("nobody", missing, "No such file") == -1);

	/* Group-writable is refused as well. */
	CHECK(chmod(open_dir, 0775) == 0);
	if (root)
		CHECK(check("nobody", open_dir, "writable by group") == -1);

	unlink(link);
	unlink(file);
	rmdir(open_dir);
	rmdir(good);
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	if (sodium_init() < 0)
		return (99);
	snprintf(tmpdir, sizeof(tmpdir), "%s/secchat-privsep.XXXXXX",
	    t != NULL ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return (99);
	test_forget();
	test_check();
	rmdir(tmpdir);
	return (test_exit("test_privsep"));
}
