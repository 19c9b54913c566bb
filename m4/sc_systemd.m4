# SC_WITH_SYSTEMD
# ---------------
# --with-systemdsystemunitdir=DIR: where to install secchatd.service; by
# default systemd's own directory (pkg-config systemd), and no unit when
# systemd is not there or with --without-systemdsystemunitdir.
AC_DEFUN([SC_WITH_SYSTEMD], [
	AC_ARG_WITH([systemdsystemunitdir],
	    [AS_HELP_STRING([--with-systemdsystemunitdir=DIR],
	        [install secchatd.service in DIR (default: systemd's)])],
	    [], [with_systemdsystemunitdir=auto])
	AS_IF([test "x$with_systemdsystemunitdir" = xyes ||
	    test "x$with_systemdsystemunitdir" = xauto], [
		sc_unitdir=`$PKG_CONFIG --variable=systemdsystemunitdir systemd 2>/dev/null`
		AS_IF([test "x$sc_unitdir" = x], [
			AS_IF([test "x$with_systemdsystemunitdir" = xyes],
			    [AC_MSG_ERROR([systemd's unit directory not found: install systemd, or name it with --with-systemdsystemunitdir=DIR])])
			with_systemdsystemunitdir=no
		], [with_systemdsystemunitdir=$sc_unitdir])
	])
	AC_MSG_CHECKING([where to install secchatd.service])
	AC_MSG_RESULT([$with_systemdsystemunitdir])
	AS_IF([test "x$with_systemdsystemunitdir" != xno],
	    [AC_SUBST([systemdsystemunitdir], [$with_systemdsystemunitdir])])
	AM_CONDITIONAL([HAVE_SYSTEMD], [test "x$with_systemdsystemunitdir" != xno])
])
