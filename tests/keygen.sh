#!/bin/sh
#
# Tests of secchat-keygen(1): key creation and modes, refusal to overwrite,
# -y and -l, usage errors and the permission check.  Run by "make check"
# with top_builddir exported; exits 0 on success, 1 on the first failure.

set -u

: "${top_builddir:=.}"
KEYGEN=${KEYGEN:-$top_builddir/src/secchat-keygen}

if [ ! -x "$KEYGEN" ]; then
	echo "keygen.sh: $KEYGEN not found or not executable" >&2
	exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/keygen.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT TERM

# Report a failed check and stop.
fail() {
	echo "keygen.sh: FAIL: $*" >&2
	if [ -s "$dir/err" ]; then
		echo "keygen.sh: stderr was:" >&2
		cat "$dir/err" >&2
	fi
	exit 1
}

# Print the permission bits of a file, such as 600 (ls is portable; stat
# options differ between systems).
mode() {
	# shellcheck disable=SC2012
	ls -ld "$1" | awk '{
		m = 0; s = substr($1, 2, 9)
		for (i = 0; i < 9; i++) {
			m *= 2
			if (substr(s, i + 1, 1) != "-")
				m++
		}
		printf "%o\n", m
	}'
}

# Run secchat-keygen, keeping stdout and stderr; set $rc.
run() {
	"$KEYGEN" "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
}

key=$dir/id
pub=$dir/id.pub

# 1. -f creates FILE (0600) and FILE.pub (0644), and prints both.
run -C "test key" -f "$key"
[ "$rc" -eq 0 ] || fail "-f exited $rc"
[ -f "$key" ] || fail "-f did not create $key"
[ -f "$pub" ] || fail "-f did not create $pub"
[ "$(mode "$key")" = 600 ] || fail "secret key mode $(mode "$key"), not 600"
[ "$(mode "$pub")" = 644 ] || fail "public key mode $(mode "$pub"), not 644"
publine=$(cat "$pub")
case $publine in
"secchat-public-v1 "*" test key") ;;
*) fail "unexpected public line: $publine" ;;
esac
grep -q '^BLAKE2b:.* test key$' "$dir/out" || fail "no fingerprint printed"
grep -qxF "$publine" "$dir/out" || fail "public line not printed"
grep -q '^secchat-secret-v1 ' "$key" || fail "secret key file has no tag"

# 2. No overwrite: exit 1, -F suggested, both files unchanged.
cp "$key" "$dir/key.orig"
cp "$pub" "$dir/pub.orig"
run -f "$key"
[ "$rc" -eq 1 ] || fail "overwrite without -F exited $rc, not 1"
grep -q -- '-F' "$dir/err" || fail "refusal does not mention -F"
cmp -s "$key" "$dir/key.orig" || fail "secret key changed without -F"
cmp -s "$pub" "$dir/pub.orig" || fail "public key changed without -F"

# 3. -F overwrites with a new key, modes kept.
run -F -q -C other -f "$key"
[ "$rc" -eq 0 ] || fail "-F exited $rc"
[ -s "$dir/out" ] && fail "-q still printed"
cmp -s "$key" "$dir/key.orig" && fail "-F did not replace the secret key"
cmp -s "$pub" "$dir/pub.orig" && fail "-F did not replace the public key"
[ "$(mode "$key")" = 600 ] || fail "mode after -F $(mode "$key"), not 600"
[ "$(mode "$pub")" = 644 ] || fail "mode after -F $(mode "$pub"), not 644"
publine=$(cat "$pub")

# 4. -y prints the line of the .pub file, comment included.
run -y -f "$key"
[ "$rc" -eq 0 ] || fail "-y exited $rc"
[ "$(cat "$dir/out")" = "$publine" ] || fail "-y output differs from .pub"
case $publine in
*" other") ;;
*) fail "-C comment missing from: $publine" ;;
esac

# 5. -l gives the same fingerprint for both files.
run -l -f "$key"
[ "$rc" -eq 0 ] || fail "-l on the secret key exited $rc"
fp1=$(cat "$dir/out")
run -l -f "$pub"
[ "$rc" -eq 0 ] || fail "-l on the public key exited $rc"
fp2=$(cat "$dir/out")
[ "$fp1" = "$fp2" ] || fail "-l fingerprints differ: $fp1 / $fp2"
case $fp1 in
"BLAKE2b:"*" other") ;;
*) fail "unexpected fingerprint line: $fp1" ;;
esac

# 6. Wrong files are refused with exit 1.
run -y -f "$pub"
[ "$rc" -eq 1 ] || fail "-y on a public key exited $rc, not 1"
grep -q 'not a secret key' "$dir/err" || fail "-y on .pub: unclear error"
printf 'not a key\n' >"$dir/junk"
run -l -f "$dir/junk"
[ "$rc" -eq 1 ] || fail "-l on junk exited $rc, not 1"
grep -q "^secchat-keygen: $dir/junk:1: " "$dir/err" ||
    fail "-l on junk: no file and line in the error"
run -y -f "$dir/missing"
[ "$rc" -eq 1 ] || fail "-y on a missing file exited $rc, not 1"

# 7. Usage errors exit 64 with the usage on stderr.
for args in "" "-x" "-y" "-f" "-y -l -f $key" "-y -F -f $key" \
    "-l -C c -f $key" "-f $key extra"; do
	# shellcheck disable=SC2086
	run $args
	[ "$rc" -eq 64 ] || fail "'secchat-keygen $args' exited $rc, not 64"
	grep -q '^usage: ' "$dir/err" || fail "'$args': no usage on stderr"
done
run -C "$(printf 'a\tb')" -f "$dir/badcomment"
[ "$rc" -eq 64 ] || fail "bad comment exited $rc, not 64"
[ -e "$dir/badcomment" ] && fail "bad comment created a file"

# 8. -h and -V exit 0.
run -h
[ "$rc" -eq 0 ] || fail "-h exited $rc, not 0"
grep -q '^usage: ' "$dir/out" || fail "-h printed no usage on stdout"
run -V
[ "$rc" -eq 0 ] || fail "-V exited $rc, not 0"
grep -q '^secchat-keygen ' "$dir/out" || fail "-V printed no version"

# 9. A secret key open to others is refused with the fix (even for root).
chmod 644 "$key"
run -y -f "$key"
[ "$rc" -eq 1 ] || fail "-y on a 0644 secret key exited $rc, not 1"
grep -q 'chmod 600' "$dir/err" || fail "no 'chmod 600' in the refusal"
chmod 600 "$key"
run -y -f "$key"
[ "$rc" -eq 0 ] || fail "-y after chmod 600 exited $rc"

# 10. A symlink is refused.
ln -s "$key" "$dir/link"
run -y -f "$dir/link"
[ "$rc" -eq 1 ] || fail "-y on a symlink exited $rc, not 1"

echo "keygen.sh: all checks passed"
exit 0
