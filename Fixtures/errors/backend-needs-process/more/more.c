int more_thrice(int x) { return 3 * x; }
