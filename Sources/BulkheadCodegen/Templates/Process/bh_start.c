/* before main(), and before the program's own constructors */
@TRACE_DECLARATION@__attribute__((constructor(101))) static void bh_start(void)
{
@TRACE_CALL@	bh_runtime_start(&bh_program);
}
