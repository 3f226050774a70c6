/* Multiboot 0.6.96 header (section 3.1): page-aligned modules and memory information
 * required; with MB_ADDRESSES (flag 16, section 3.1.3) the header's addresses say where
 * the image goes, overriding the ELF program headers. */
    .set MB_MAGIC, 0x1badb002
#ifdef MB_ADDRESSES
    .set MB_FLAGS, 0x00010003
#else
    .set MB_FLAGS, 0x00000003
#endif

    .section .multiboot, "a"
    .p2align 2
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
#ifdef MB_ADDRESSES
    .long mb_header      /* header_addr */
    .long __load_start   /* load_addr */
    .long __load_end     /* load_end_addr: end of the file bytes */
    .long __bss_end      /* bss_end_addr */
    .long _start32       /* entry_addr */
#endif

    .section .note.GNU-stack, "", @progbits
