# libFuzzer targets of the guest network stack and httpd, run on the host (included by
# tests/fuzz/CMakeLists.txt, which provides vmm_add_fuzzer):
#   fuzz_http_parser  the request-head parser and target resolution
#   fuzz_tcp_input    programs of frames, clock jumps and application calls into a whole
#                     stack (fake device, fake clock) with httpd on it
# The stack's sources are compiled into each fuzzer so they get its instrumentation.
# Run e.g.: fuzz_tcp_input -max_total_time=60 -max_len=4000 corpus/
get_filename_component(_net_root ${CMAKE_CURRENT_LIST_DIR}/../.. ABSOLUTE)
include(${_net_root}/guest/net/sources.cmake)
include(${_net_root}/guest/apps/httpd/sources.cmake)

vmm_add_fuzzer(fuzz_http_parser SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_http_parser.cpp ${HTTPD_SOURCES}
  ${VMM_NET_SOURCES})
vmm_add_fuzzer(fuzz_tcp_input SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_tcp_input.cpp ${HTTPD_SOURCES}
  ${VMM_NET_SOURCES} ${_net_root}/tests/net/support/fake_device.cpp ${_net_root}/tests/net/support/packets.cpp)
foreach(fuzzer fuzz_http_parser fuzz_tcp_input)
  target_compile_definitions(${fuzzer} PRIVATE GNET_HOST)
  target_include_directories(${fuzzer} PRIVATE ${VMM_NET_INCLUDE_DIR} ${HTTPD_DIR} ${_net_root}/tests/net/support)
endforeach()
