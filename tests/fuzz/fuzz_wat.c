/*
** fuzz_wat.c — libFuzzer target for the text format (include/weft_text.h):
** every input is encoded as a module and parsed as a script; a refusal
** must carry a message. Build and run:
**   clang-19 -std=gnu11 -O1 -g -Iinclude -Isrc/interp \
**     -fsanitize=fuzzer,address,undefined -o build-fuzz/fuzz_wat \
**     tests/fuzz/fuzz_wat.c text/\*.c -lm
**   build-fuzz/fuzz_wat -max_len=4096 DIR_OF_WAST_FILES
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *out;
  size_t n;
  weft_error err;
  weft_wast_script *script;
  if (weft_wat_to_wasm((const char *)data, size, &out, &n, &err) == WEFT_OK) {
    if (!out) /* (module binary ...) may hold any bytes, even none */
      abort();
    weft_text_free(out);
  } else if (err.status == WEFT_ERR_MALFORMED && err.message[0] == '\0') {
    abort(); /* every refusal has a message */
  }
  if (weft_wast_parse((const char *)data, size, &script, &err) == WEFT_OK)
    weft_wast_free(script);
  return 0;
}
