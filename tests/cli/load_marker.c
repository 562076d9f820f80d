/*
** load_marker.c — linked into the shared objects of the AoT tests by
** their compiler wrapper: its constructor appends "loaded" to the file
** $WEFT_TEST_MARKER names, so a test can tell whether weft loaded the code.
*/
#include <stdio.h>
#include <stdlib.h>

__attribute__((constructor)) static void weft_test_marker(void) {
  const char *path = getenv("WEFT_TEST_MARKER");
  FILE *f = path ? fopen(path, "a") : NULL;
  if (f) {
    fputs("loaded\n", f);
    fclose(f);
  }
}
