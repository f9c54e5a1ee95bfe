int parse_digit(char c) { return c >= '0' && c <= '9' ? c - '0' : -1; }
