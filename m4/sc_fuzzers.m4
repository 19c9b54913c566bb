# SC_ENABLE_FUZZERS
# -----------------
# --enable-fuzzers: build the libFuzzer targets of tests/fuzz/ and "make
# fuzz".  Every object is then compiled with clang's coverage
# instrumentation, AddressSanitizer and UndefinedBehaviorSanitizer, so that
# the fuzzers see inside the library; the fuzz programs alone link with
# libFuzzer's main().  _FORTIFY_SOURCE is undefined again (the hardening
# macro may set it): its checked copies hide memory errors from ASan.
# Stop when $CC is not clang or cannot link a libFuzzer program.
AC_DEFUN([SC_ENABLE_FUZZERS], [
	AC_ARG_ENABLE([fuzzers],
	    [AS_HELP_STRING([--enable-fuzzers],
	        [build the libFuzzer targets (needs clang and its runtime)])],
	    [], [enable_fuzzers=no])
	SC_FUZZ_CFLAGS=
	SC_FUZZ_LDFLAGS=
	AS_IF([test "x$enable_fuzzers" = xyes], [
		SC_CHECK_FUZZER_CC
		SC_FUZZ_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined"
		SC_FUZZ_CFLAGS="$SC_FUZZ_CFLAGS -fno-sanitize-recover=all"
		SC_FUZZ_CFLAGS="$SC_FUZZ_CFLAGS -fno-omit-frame-pointer"
		SC_FUZZ_CFLAGS="$SC_FUZZ_CFLAGS -U_FORTIFY_SOURCE"
		SC_FUZZ_LDFLAGS="-fsanitize=address,undefined"
	])
	AC_SUBST([SC_FUZZ_CFLAGS])
	AC_SUBST([SC_FUZZ_LDFLAGS])
	AM_CONDITIONAL([FUZZERS], [test "x$enable_fuzzers" = xyes])
])

# SC_CHECK_FUZZER_CC
# ------------------
# Check that $CC is clang and links a program with -fsanitize=fuzzer; stop
# with the Debian packages to install otherwise.
AC_DEFUN([SC_CHECK_FUZZER_CC], [
	sc_fuzz_fix="install the Debian packages clang and libclang-rt-14-dev"
	sc_fuzz_fix="$sc_fuzz_fix (apt-get install clang libclang-rt-14-dev)"
	sc_fuzz_fix="$sc_fuzz_fix and run configure with CC=clang"
	AC_MSG_CHECKING([whether $CC is clang])
	AC_COMPILE_IFELSE([AC_LANG_SOURCE([[
#ifndef __clang__
#error not clang
#endif
int sc_fuzz_dummy;
]])],
	    [AC_MSG_RESULT([yes])],
	    [AC_MSG_RESULT([no])
	     AC_MSG_ERROR([--enable-fuzzers needs clang, not $CC: $sc_fuzz_fix])])
	AC_MSG_CHECKING([whether $CC links libFuzzer programs])
	sc_saved_CFLAGS=$CFLAGS
	CFLAGS="$CFLAGS -fsanitize=fuzzer,address,undefined"
	AC_LINK_IFELSE([AC_LANG_SOURCE([[
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (size > 0 && data[0] == 0);
}
]])],
	    [AC_MSG_RESULT([yes])],
	    [AC_MSG_RESULT([no])
	     AC_MSG_ERROR([libFuzzer is missing for $CC: $sc_fuzz_fix])])
	CFLAGS=$sc_saved_CFLAGS
])
