int vault_verify(int pin)
{
    return pin == 4711;
}
