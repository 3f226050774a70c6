/* PVH entry (Xen "x86/HVM direct boot ABI", XEN_ELFNOTE_PHYS32_ENTRY): how QEMU microvm,
 * Firecracker and Cloud Hypervisor boot an ELF. The VMM enters here in 32-bit protected
 * mode, paging off, interrupts off, EBX = physical address of struct hvm_start_info.
 *
 * The stub identity-maps the first 4 GiB (user-accessible, so the runtime can run at
 * CPL3 as under libvmm), enables SSE, enters long mode and calls pvh_boot() (CPL0 C++),
 * which builds a vmm_boot_info and drops to CPL3 at vmm_runtime_start. Kept short: on
 * hosts where CPL0 is emulated every instruction costs a microsecond. */

#define PTE_BITS 0x67        /* present, writable, user, accessed, dirty */
#define PTE_LARGE 0x80

    .section .note.Xen, "a", @note
    .p2align 2
    .long 4                  /* namesz: "Xen\0" */
    .long 4                  /* descsz */
    .long 18                 /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .long pvh_start32        /* 32-bit physical entry point */

    .section .text.pvh, "ax"
    .code32
    .globl pvh_start32
pvh_start32:
    cli
    cld
    movl %ebx, %esi                      /* hvm_start_info, kept for pvh_boot */
    movl $pvh_stack_top, %esp

    /* CR4: PAE, OSFXSR, OSXMMEXCPT. */
    movl %cr4, %eax
    orl $((1 << 5) | (1 << 9) | (1 << 10)), %eax
    movl %eax, %cr4

    /* PML4[0] -> PDPT. Each of the 4 PDPT entries maps 1 GiB: as a 1 GiB page when
     * CPUID.80000001H:EDX.Page1GB says so, else through a page directory of 2 MiB pages. */
    movl $pvh_pdpt, %eax
    orl $PTE_BITS, %eax
    movl %eax, pvh_pml4
    movl $0x80000001, %eax
    cpuid
    testl $(1 << 26), %edx
    jz 2f
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $30, %eax
    orl $(PTE_BITS | PTE_LARGE), %eax
    movl %eax, pvh_pdpt(, %ecx, 8)
    incl %ecx
    cmpl $4, %ecx
    jb 1b
    jmp 4f
2:  xorl %ecx, %ecx                      /* 2048 PD entries of 2 MiB (high dwords stay 0) */
3:  movl %ecx, %eax
    shll $21, %eax
    orl $(PTE_BITS | PTE_LARGE), %eax
    movl %eax, pvh_pd(, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jb 3b
    xorl %ecx, %ecx
5:  movl %ecx, %eax
    shll $12, %eax
    addl $pvh_pd, %eax
    orl $PTE_BITS, %eax
    movl %eax, pvh_pdpt(, %ecx, 8)
    incl %ecx
    cmpl $4, %ecx
    jb 5b
4:  movl $pvh_pml4, %eax
    movl %eax, %cr3

    /* EFER.LME, then paging on: long mode (compatibility until the far jump). */
    movl $0xc0000080, %ecx
    rdmsr
    orl $(1 << 8), %eax
    wrmsr
    movl %cr0, %eax
    andl $~((1 << 2) | (1 << 3)), %eax   /* no EM, no TS: FPU/SSE usable */
    orl $((1 << 31) | (1 << 16) | (1 << 5) | (1 << 1) | 1), %eax  /* PG WP NE MP PE */
    lgdt pvh_gdt_descriptor
    movl %eax, %cr0
    ljmp $0x08, $pvh_start64

    .code64
pvh_start64:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs
    movq $pvh_stack_top, %rsp
    movl %esi, %edi                      /* pvh_boot(const hvm_start_info*) */
    call pvh_boot                        /* does not return: drops to CPL3 */
6:  hlt
    jmp 6b

/* CPU exceptions after the drop: vector (and a zero error code where the CPU pushes
 * none), then pvh_exception(frame) at CPL0 on the TSS's RSP0 stack. */
    .macro exception_stub vector, has_error
    .p2align 4
    .if \has_error == 0
    pushq $0
    .endif
    pushq $\vector
    jmp pvh_exception_common
    .endm
    .p2align 4
    .globl pvh_exception_stubs
pvh_exception_stubs:
    exception_stub 0, 0
    exception_stub 1, 0
    exception_stub 2, 0
    exception_stub 3, 0
    exception_stub 4, 0
    exception_stub 5, 0
    exception_stub 6, 0
    exception_stub 7, 0
    exception_stub 8, 1
    exception_stub 9, 0
    exception_stub 10, 1
    exception_stub 11, 1
    exception_stub 12, 1
    exception_stub 13, 1
    exception_stub 14, 1
    exception_stub 15, 0
    exception_stub 16, 0
    exception_stub 17, 1
    exception_stub 18, 0
    exception_stub 19, 0
    exception_stub 20, 0
    exception_stub 21, 1
pvh_exception_common:
    movq %rsp, %rdi
    andq $-16, %rsp
    call pvh_exception                   /* reports and resets; does not return */
7:  hlt
    jmp 7b

    .section .data.pvh, "aw"
    .p2align 4
/* null, kernel code 64, kernel data, (unused), user data, user code 64, TSS (filled in
 * by pvh_boot). The same selectors as libvmm's lean layout. */
    .globl pvh_gdt
pvh_gdt:
    .quad 0
    .quad 0x00af9b000000ffff
    .quad 0x00cf93000000ffff
    .quad 0
    .quad 0x00cff3000000ffff
    .quad 0x00affb000000ffff
    .globl pvh_gdt_tss
pvh_gdt_tss:
    .quad 0, 0
pvh_gdt_end:
pvh_gdt_descriptor:
    .word pvh_gdt_end - pvh_gdt - 1
    .long pvh_gdt

    .section .bss.pvh, "aw", @nobits
    .p2align 12
    .globl pvh_pml4, pvh_pdpt, pvh_pd
pvh_pml4: .skip 4096
pvh_pdpt: .skip 4096
pvh_pd:   .skip 4 * 4096
    .p2align 4
    .globl pvh_stack_top
pvh_stack: .skip 16384
pvh_stack_top:

    .section .note.GNU-stack, "", @progbits
