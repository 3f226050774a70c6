# vmm_host_target(<target>): warnings, -Werror in CI and sanitizers for code that runs on
# the host. Guest images never get these (they are freestanding, see guest/).
function(vmm_host_target target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wnon-virtual-dtor
    -Wcast-align -Wunused -Woverloaded-virtual -Wconversion -Wno-sign-conversion
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
  if(VMM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(VMM_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${VMM_SANITIZE} -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${VMM_SANITIZE})
  endif()
endfunction()
