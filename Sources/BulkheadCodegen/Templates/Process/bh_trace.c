/* the runtime's recorder of system calls (syscall_trace.c): records into this file */
void bh_syscall_trace(const bh_program_desc *program, const char *path);
static const char bh_trace_file[] = "@TRACE_FILE@";
