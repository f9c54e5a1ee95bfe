/* error: listed in compile_commands.json but matched by no library's sources */
int orphan_value(void) { return 5; }
