# libFuzzer targets of the virtio layer (clang: -fsanitize=fuzzer,address,undefined).
# Included by tests/fuzz/CMakeLists.txt (VMM_BUILD_FUZZERS=ON, clang), which defines
# vmm_add_fuzzer(). The code under test is compiled here with coverage and sanitizers, so the
# targets do not depend on how libvmm itself was built. Run each for a bounded time:
#   build/tests/fuzz/fuzz_virtio_queue -max_total_time=60 -rss_limit_mb=1024
find_package(Threads REQUIRED)
set(VMM_VIRTIO_FUZZ_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
  -fno-omit-frame-pointer -g -O1)
add_library(vmm_virtio_fuzz_core STATIC
  ${PROJECT_SOURCE_DIR}/libvmm/core/error.cpp
  ${PROJECT_SOURCE_DIR}/libvmm/core/unique_fd.cpp
  ${PROJECT_SOURCE_DIR}/libvmm/memory/guest_memory.cpp
  ${PROJECT_SOURCE_DIR}/libvmm/virtio/blk_request.cpp
  ${PROJECT_SOURCE_DIR}/libvmm/virtio/chain_io.cpp
  ${PROJECT_SOURCE_DIR}/libvmm/virtio/mmio_transport.cpp
  ${PROJECT_SOURCE_DIR}/libvmm/virtio/virtio_device.cpp
  ${PROJECT_SOURCE_DIR}/libvmm/virtio/virtqueue.cpp)
target_include_directories(vmm_virtio_fuzz_core PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/libvmm)
target_compile_options(vmm_virtio_fuzz_core PRIVATE ${VMM_VIRTIO_FUZZ_FLAGS})
target_link_libraries(vmm_virtio_fuzz_core PUBLIC fmt::fmt Threads::Threads)

foreach(target queue blk mmio)
  vmm_add_fuzzer(fuzz_virtio_${target} SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_virtio_${target}.cpp
    LIBS vmm_virtio_fuzz_core)
endforeach()
