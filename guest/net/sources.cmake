# The network stack's sources, shared by the guest library (guest/net/CMakeLists.txt) and
# the host builds (tests/net, tests/fuzz/net.cmake), which compile them with GNET_HOST.
set(VMM_NET_DIR ${CMAKE_CURRENT_LIST_DIR})
set(VMM_NET_SOURCES
  ${VMM_NET_DIR}/addr.cpp
  ${VMM_NET_DIR}/arp.cpp
  ${VMM_NET_DIR}/event_loop.cpp
  ${VMM_NET_DIR}/ipv4.cpp
  ${VMM_NET_DIR}/isn.cpp
  ${VMM_NET_DIR}/send_queue.cpp
  ${VMM_NET_DIR}/stack.cpp
  ${VMM_NET_DIR}/tcp_api.cpp
  ${VMM_NET_DIR}/tcp_input.cpp
  ${VMM_NET_DIR}/tcp_output.cpp
  ${VMM_NET_DIR}/tcp_segment.cpp
  ${VMM_NET_DIR}/tcp_table.cpp
  ${VMM_NET_DIR}/tcp_timers.cpp
  ${VMM_NET_DIR}/wire.cpp)
# Headers are included as "net/..." and "drivers/net_device.h".
get_filename_component(VMM_NET_INCLUDE_DIR ${VMM_NET_DIR}/.. ABSOLUTE)
