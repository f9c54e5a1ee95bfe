/* error: this file matches the sources globs of both library alpha and library beta */
int shared_answer(void) { return 42; }
