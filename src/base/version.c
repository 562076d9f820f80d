/*
** version.c — the library's version, for programs that run against a
** shared libweft newer than the headers they were compiled with.
*/
#include "base.h"

const char *weft_version(uint32_t *out_number) {
  if (out_number)
    *out_number = WEFT_VERSION_NUMBER;
  return WEFT_VERSION;
}
