# SC_CHECK_CFLAG(FLAG)
# -------------------
# Append FLAG to SC_CFLAGS when the C compiler accepts it without a warning.
AC_DEFUN([SC_CHECK_CFLAG], [
	AC_MSG_CHECKING([whether $CC accepts $1])
	sc_saved_CFLAGS=$CFLAGS
	CFLAGS="$CFLAGS -Werror $1"
	AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
	    [AC_MSG_RESULT([yes]); SC_CFLAGS="$SC_CFLAGS $1"],
	    [AC_MSG_RESULT([no])])
	CFLAGS=$sc_saved_CFLAGS
])

# SC_CHECK_LDFLAG(FLAG)
# --------------------
# Append FLAG to SC_LDFLAGS when the linker accepts it.
AC_DEFUN([SC_CHECK_LDFLAG], [
	AC_MSG_CHECKING([whether the linker accepts $1])
	sc_saved_LDFLAGS=$LDFLAGS
	LDFLAGS="$LDFLAGS -Werror $1"
	AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
	    [AC_MSG_RESULT([yes]); SC_LDFLAGS="$SC_LDFLAGS $1"],
	    [AC_MSG_RESULT([no])])
	LDFLAGS=$sc_saved_LDFLAGS
])

# SC_ENABLE_WERROR
# ----------------
# --enable-werror: turn every warning into an error (CI uses it).
AC_DEFUN([SC_ENABLE_WERROR], [
	AC_ARG_ENABLE([werror],
	    [AS_HELP_STRING([--enable-werror], [treat compiler warnings as errors])],
	    [], [enable_werror=no])
	SC_WARN_CFLAGS="-Wall -Wextra"
	AS_IF([test "x$enable_werror" = xyes],
	    [SC_WARN_CFLAGS="$SC_WARN_CFLAGS -Werror"])
	AC_SUBST([SC_WARN_CFLAGS])
])

# SC_ENABLE_SANITIZERS
# --------------------
# --enable-sanitizers: build with AddressSanitizer and UndefinedBehaviorSanitizer.
AC_DEFUN([SC_ENABLE_SANITIZERS], [
	AC_ARG_ENABLE([sanitizers],
	    [AS_HELP_STRING([--enable-sanitizers],
	        [build with AddressSanitizer and UndefinedBehaviorSanitizer])],
	    [], [enable_sanitizers=no])
	SC_SAN_CFLAGS=
	AS_IF([test "x$enable_sanitizers" = xyes], [
		SC_SAN_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	])
	AC_SUBST([SC_SAN_CFLAGS])
	AM_CONDITIONAL([SANITIZERS], [test "x$enable_sanitizers" = xyes])
])

# SC_HARDENING
# ------------
# Hardening flags, on by default (--without-hardening turns them off); each
# one is probed before use.
AC_DEFUN([SC_HARDENING], [
	AC_ARG_WITH([hardening],
	    [AS_HELP_STRING([--without-hardening], [do not add hardening flags])],
	    [], [with_hardening=yes])
	SC_CFLAGS=
	SC_LDFLAGS=
	AS_IF([test "x$with_hardening" = xyes], [
		SC_CHECK_CFLAG([-fstack-protector-strong])
		SC_CHECK_CFLAG([-fstack-clash-protection])
		SC_CHECK_CFLAG([-ftrivial-auto-var-init=zero])
		SC_CHECK_CFLAG([-fzero-call-used-regs=used])
		SC_CHECK_CFLAG([-fPIE])
		SC_CHECK_LDFLAG([-pie])
		SC_CHECK_LDFLAG([-Wl,-z,relro])
		SC_CHECK_LDFLAG([-Wl,-z,now])
		AS_IF([test "x$enable_sanitizers" != xyes],
		    [SC_CFLAGS="$SC_CFLAGS -D_FORTIFY_SOURCE=2"])
	])
	AC_SUBST([SC_CFLAGS])
	AC_SUBST([SC_LDFLAGS])
])
