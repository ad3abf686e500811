/* The entry point of every PD ELF (corokit_add_pd links with -e corokit_host_start).
 * Before libc runs: map the SDF's memory regions, stack and runtime objects and apply the packer's
 * symbol patches (sdk/host/Startup.cpp), then continue at libc's _start with the original stack. */
	.text
	.globl corokit_host_start
	.type corokit_host_start, @function
corokit_host_start:
	mov %rsp, %r12
	mov %rsp, %rdi
	and $-16, %rsp
	call corokit_host_early
	mov %r12, %rsp
	xor %edx, %edx
	xor %r12d, %r12d
	jmp _start
	.size corokit_host_start, .-corokit_host_start

/* corokit_host_run_on_stack(top, fn): switch to the PD's SDF stack and call fn(); fn never returns. */
	.globl corokit_host_run_on_stack
	.type corokit_host_run_on_stack, @function
corokit_host_run_on_stack:
	mov %rdi, %rsp
	xor %ebp, %ebp
	call *%rsi
	ud2
	.size corokit_host_run_on_stack, .-corokit_host_run_on_stack

	.section .note.GNU-stack,"",@progbits
