# The Debian package (tools/package.sh; `cpack -G DEB` in a build dir):
#   /usr/bin/vigil                        the executable (stripped)
#   /usr/share/vigil/lexicons/            the shipped lexicons, the learned
#                                         ones and the language model (lm/),
#                                         where vigil finds them by default
#                                         (tools/cli/paths.h)
#   /etc/vigil/vigil.conf                 default config (a conffile)
#   /lib/systemd/system/vigil.service     the hardened unit
#   /usr/share/doc/vigil/                 README, deployment notes, licenses
# Maintainer scripts (deploy/debian/) enable and start the unit on first
# install, restart it after an upgrade (vigil migrates the store on open)
# and never delete the store in /var/lib/vigil, not even on purge.
# Runtime dependencies come from dpkg-shlibdeps. tests/deploy/package_test.sh
# inspects and unpacks the result.

install(TARGETS vigil RUNTIME DESTINATION bin)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/lexicons/ DESTINATION share/vigil/lexicons)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/vigil.conf
        DESTINATION /etc/vigil)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/vigil.service
        DESTINATION /lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/SECURITY.md
        DESTINATION share/doc/vigil)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/README.md
        DESTINATION share/doc/vigil RENAME deploy.md)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vigil)
set(CPACK_PACKAGE_VENDOR vigil)
set(CPACK_PACKAGE_CONTACT "vigil maintainers <vigil@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Vietnamese harmful-content analysis and review service")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The unit's hardening needs systemd 247 or later (Debian 12 has 252).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd (>= 247)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/deploy/debian/conffiles
    ${CMAKE_SOURCE_DIR}/deploy/debian/postinst
    ${CMAKE_SOURCE_DIR}/deploy/debian/prerm
    ${CMAKE_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
