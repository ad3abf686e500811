/* The boot benchmark's floor: the smallest static-glibc program (start-up, then exit). */
int main(void) { return 0; }
