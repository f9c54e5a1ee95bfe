/* error: syntax error (missing ';') that clang must report with its location */
int broken(void)
{
    return 1
}
