# httpd's portable sources (everything but the guest entry point and NIC hook), shared by
# the guest images (CMakeLists.txt here) and the host builds (tests/net, tests/fuzz).
set(HTTPD_DIR ${CMAKE_CURRENT_LIST_DIR})
set(HTTPD_SOURCES
  ${HTTPD_DIR}/docroot.cpp
  ${HTTPD_DIR}/http_parser.cpp
  ${HTTPD_DIR}/http_response.cpp
  ${HTTPD_DIR}/options.cpp
  ${HTTPD_DIR}/server.cpp)
