int parse_digit(char c);

int main(void)
{
    return parse_digit('7') == 7 ? 0 : 1;
}
