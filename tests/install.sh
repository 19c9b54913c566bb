# make install into a staging directory (DESTDIR), as a packager does:
# the file list and modes, no key installed, an admin's server.ini never
# overwritten nor removed; then the installed secchatd runs with the
# installed sample config (ports and key paths changed by the test) and the
# installed client talks to it.
. "$top_srcdir/tests/lib.sh"

stage=$TMP/stage
make_install() {
	${MAKE:-make} -s -C "$top_builddir" "$@" DESTDIR="$stage" \
	    >"$TMP/make.log" 2>&1 || fail "make $*: $(cat "$TMP/make.log")"
}
make_install install

# Where things went: the configured prefix and sysconfdir, under $stage.
sbin=$(dirname "$(find "$stage" -path '*/sbin/secchatd')")
etc=$(dirname "$(find "$stage" -path '*/secchat/server.ini.sample')")
man=$(dirname "$(dirname "$(find "$stage" -name secchatd.8)")")
[ -n "$sbin" ] && [ -n "$etc" ] && [ -n "$man" ] || fail "installed files missing"
bin=$(dirname "$sbin")/bin
for f in "$sbin/secchatd" "$bin/secchat" "$bin/secchat-keygen"; do
	[ -x "$f" ] || fail "$f not installed"
done
for f in man1/secchat.1 man1/secchat-keygen.1 man5/secchat-server.ini.5 \
    man8/secchatd.8; do
	[ -f "$man/$f" ] || fail "$man/$f not installed"
	grep -q '@sysconfdir@' "$man/$f" && fail "$f has @sysconfdir@ left"
done
[ "$(stat -c %a "$etc/keys")" = 700 ] || fail "keys directory is not 0700"
[ -z "$(ls -A "$etc/keys")" ] || fail "a key was installed"
cmp -s "$etc/server.ini" "$top_srcdir/etc/server.ini" ||
    fail "server.ini is not the sample"
[ "$(stat -c %a "$etc/server.ini")" = 644 ] || fail "server.ini mode"
unit=$(find "$stage" -name secchatd.service)
if [ -n "$unit" ]; then
	grep -q "^ExecStart=.*/sbin/secchatd -D -f .*/secchat/server.ini$" "$unit" ||
	    fail "secchatd.service does not start the installed secchatd"
	grep -q '@' "$unit" && fail "secchatd.service has an unsubstituted @"
fi
if command -v mandoc > /dev/null; then
	mandoc -T ascii "$man/man8/secchatd.8" | grep -q "secchatd" ||
	    fail "the installed secchatd(8) does not render"
fi

# An admin's edit survives install and uninstall; so do keys.
echo "; edited by the admin" >> "$etc/server.ini"
cp "$etc/server.ini" "$TMP/edited.ini"
make_install install
cmp -s "$etc/server.ini" "$TMP/edited.ini" || fail "install overwrote server.ini"
echo "not a real key" > "$etc/keys/server.key"
make_install uninstall
[ -f "$sbin/secchatd" ] && fail "uninstall left secchatd"
cmp -s "$etc/server.ini" "$TMP/edited.ini" || fail "uninstall removed server.ini"
[ -f "$etc/keys/server.key" ] || fail "uninstall removed a key"
[ -f "$etc/server.ini.sample" ] && fail "uninstall left the sample"

# The installed programs, with the installed sample config.
rm -rf "$stage"
make_install install
mkdir -p "$TMP/home"
HOME=$TMP/home "$bin/secchat" --show-key > "$TMP/client.pub" 2>/dev/null ||
    fail "installed secchat --show-key"
sed -e "s|^[#;]* *port = .*|port = 0|" \
    -e "s|^[#;]* *listen = .*|listen = 127.0.0.1|" \
    -e "s|^[#;]* *data_ports = .*|data_ports = 0|" \
    -e "s|^[#;]* *secret_key = .*|secret_key = $etc/keys/server.key|" \
    -e "s|^[#;]* *public_key = .*|public_key = $etc/keys/server.key.pub|" \
    "$etc/server.ini" > "$TMP/server.ini"
echo "tester = $(cat "$TMP/client.pub")" >> "$TMP/server.ini"
"$sbin/secchatd" -t -f "$TMP/server.ini" > "$TMP/t.out" 2>&1 ||
    fail "installed secchatd -t: $(cat "$TMP/t.out")"
: > "$TMP/server.log"
"$sbin/secchatd" -D -f "$TMP/server.ini" 2>>"$TMP/server.log" &
SERVER_PID=$!
wait_log "listening on"
PORT=$(sed -n 's/.*listening on .* port \([0-9]*\) .*/\1/p' "$TMP/server.log")
echo installed | HOME=$TMP/home timeout 30 "$bin/secchat" -p "$PORT" \
    --server-key "$etc/keys/server.key.pub" 127.0.0.1 > "$TMP/out" \
    2>"$TMP/err" || fail "installed client: $(cat "$TMP/err")"
[ "$(cat "$TMP/out")" = installed ] || fail "installed echo differs"
echo "PASS: staged install (files, modes, no key), config kept, installed programs talk"
