/* 64-bit interrupt handlers of the timer test: IRQ 0 counts a tick and acknowledges the
 * 8259 PIC (non-specific EOI); any other vector is counted as unexpected. */
    .text
    .code64
    .globl irq0_stub, other_stub
irq0_stub:
    push %rax
    lock incq ticks(%rip)
    mov $0x20, %al
    out %al, $0x20
    pop %rax
    iretq
other_stub:
    lock incq unexpected(%rip)
    iretq

    .section .note.GNU-stack, "", @progbits
