/* ELF note announcing the lean ABI (include/vmm/guest_abi.h: VMM_NOTE_*). */
    .section .note.libvmm, "a", @note
    .p2align 2
    .long 2f - 1f          /* namesz */
    .long 4f - 3f          /* descsz */
    .long 0x4c454e31       /* VMM_NOTE_TYPE_ABI */
1:  .asciz "libvmm"
2:  .p2align 2
3:  .long 1                /* abi_version */
    .long 0                /* flags */
4:  .p2align 2

    .section .note.GNU-stack, "", @progbits
