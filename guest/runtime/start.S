/* Lean-ABI entry (docs/guest-abi.md): 64-bit CPL3, RDI = boot info, RSP = stack top - 8. */
    .section .text.start, "ax"
    .globl _start
    .type _start, @function
_start:
    xorl %ebp, %ebp
    andq $-16, %rsp
    call vmm_runtime_start
1:  ud2
    jmp 1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
