/* triple_fault: entered at CPL0 (Linux 64-bit protocol), loads an empty IDT and executes
 * ud2: #UD cannot be delivered (#GP), neither can #GP (#DF), nor #DF: the CPU shuts down
 * (KVM_EXIT_SHUTDOWN). Three instructions, so cheap even where CPL0 code is emulated.
 * (int3 instead of ud2 is an emulation failure on PVM hosts, not a triple fault.) */
    .text
    .globl _start
_start:
    lidt empty_idt(%rip)
    ud2
1:  hlt
    jmp 1b

    .section .rodata
    .p2align 3
empty_idt:
    .word 0
    .quad 0

    .section .note.GNU-stack, "", @progbits
