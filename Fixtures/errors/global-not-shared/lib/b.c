/* defines the global that app/main.c uses from another compartment */
int counter = 41;

int bump(void) { return ++counter; }
