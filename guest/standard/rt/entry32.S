/* 32-bit protected-mode entry (PVH, multiboot): records the registers as the VMM left
 * them, switches to our stack, calls guest_main(&state). */
#include "entry_state.inc"
#define AT(x) x
#define AX_WIDE %eax

    .section .text.entry, "ax"
    .code32
    .globl _start32
_start32:
    mov %eax, state+ES_RAX
    mov %ebx, state+ES_RBX
    mov %esi, state+ES_RSI
    mov %esp, state+ES_RSP
    mov $stack_top, %esp
    pushfl
    popl state+ES_RFLAGS
    mov %cr0, %eax
    mov %eax, state+ES_CR0
    mov %cr3, %eax
    mov %eax, state+ES_CR3
    mov %cr4, %eax
    mov %eax, state+ES_CR4
    mov $MSR_EFER, %ecx
    rdmsr
    mov %eax, state+ES_EFER
    mov %edx, state+ES_EFER+4
#include "entry_tables.inc"
    push $state
    call guest_main
1:  cli
    hlt
    jmp 1b

#include "entry_data.inc"
