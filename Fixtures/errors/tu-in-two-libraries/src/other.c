int other_answer(void) { return 7; }
