/* error: calls the variadic log_msg (compartment "log") with no gates.log_msg.variadic_via */
int log_msg(const char *fmt, ...);

int main(void)
{
    log_msg("value %d\n", 42);
    return 0;
}
