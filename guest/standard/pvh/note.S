/* The PVH entry point (Xen public/elfnote.h XEN_ELFNOTE_PHYS32_ENTRY = 18): a 32-bit
 * physical address, entered in protected mode with EBX = hvm_start_info. */
    .section .note.Xen, "a"
    .p2align 2
    .long 4          /* namesz: "Xen\0" */
    .long 4          /* descsz */
    .long 18         /* type */
    .asciz "Xen"
    .p2align 2
    .long _start32

    .section .note.GNU-stack, "", @progbits
