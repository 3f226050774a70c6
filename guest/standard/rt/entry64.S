/* 64-bit entry (Linux 64-bit boot protocol): records the registers as the VMM left them,
 * switches to our stack, calls guest_main(&state). */
#include "entry_state.inc"
#define AT(x) x(%rip)
#define AX_WIDE %rax

    .section .text.entry, "ax"
    .code64
    .globl _start
_start:
    mov %rax, state+ES_RAX(%rip)
    mov %rbx, state+ES_RBX(%rip)
    mov %rsi, state+ES_RSI(%rip)
    mov %rsp, state+ES_RSP(%rip)
    lea stack_top(%rip), %rsp
    pushfq
    popq state+ES_RFLAGS(%rip)
    mov %cr0, %rax
    mov %rax, state+ES_CR0(%rip)
    mov %cr3, %rax
    mov %rax, state+ES_CR3(%rip)
    mov %cr4, %rax
    mov %rax, state+ES_CR4(%rip)
    mov $MSR_EFER, %ecx
    rdmsr
    mov %eax, state+ES_EFER(%rip)
    mov %edx, state+ES_EFER+4(%rip)
#include "entry_tables.inc"
    lea state(%rip), %rdi
    call guest_main
1:  cli
    hlt
    jmp 1b

#include "entry_data.inc"
