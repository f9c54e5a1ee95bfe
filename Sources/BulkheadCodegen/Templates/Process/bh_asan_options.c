/* a compartment is built with AddressSanitizer: its leak checker would scan the other compartments'
 * memory, which no process can read */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
