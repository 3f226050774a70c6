/* Real-mode start-up code of the SMP test's application processor, copied by the BSP to
 * 0x10000 and entered there by a STARTUP IPI with vector 0x10 (CS = 0x1000, IP = 0). It
 * records its initial APIC ID (CPUID.1:EBX[31:24]) at 0x10100, sets the flag at 0x10101
 * and halts. */
    .section .rodata
    .globl trampoline_start, trampoline_end
    .code16
trampoline_start:
    cli
    mov %cs, %ax
    mov %ax, %ds
    mov $1, %eax
    cpuid
    shr $24, %ebx
    mov %bl, 0x100
    movb $1, 0x101
1:  hlt
    jmp 1b
trampoline_end:
    .code64

    .section .note.GNU-stack, "", @progbits
