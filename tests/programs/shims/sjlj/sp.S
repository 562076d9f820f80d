# sp.S — read and write the shadow stack pointer (the __stack_pointer global
# that wasm-ld creates), for sjlj.c: longjmp must restore it.
	.globaltype __stack_pointer, i32

	.text
	.globl	weft_sjlj_get_sp
	.type	weft_sjlj_get_sp,@function
weft_sjlj_get_sp:
	.functype	weft_sjlj_get_sp () -> (i32)
	global.get	__stack_pointer
	end_function

	.globl	weft_sjlj_set_sp
	.type	weft_sjlj_set_sp,@function
weft_sjlj_set_sp:
	.functype	weft_sjlj_set_sp (i32) -> ()
	local.get	0
	global.set	__stack_pointer
	end_function
