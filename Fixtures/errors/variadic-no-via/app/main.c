/* error: takes the address of the variadic log_msg (compartment "log") with no gates.log_msg.variadic_via:
   a call is gated through a stub specialised to its argument types, but a pointer may be called with any */
int log_msg(const char *fmt, ...);

int main(void)
{
    int (*say)(const char *, ...) = log_msg;
    say("value %d\n", 42);
    return 0;
}
