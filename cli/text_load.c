/*
** text_load.c — modules written in the text format: `weft run app.wat`,
** `validate`, `inspect` and `wat2wasm` turn a .wat file (or any file that
** is not a binary module and starts like text) into the binary format
** before loading it.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "weft_text.h"

/* The 3.0 text format (memarg offsets and limits are u64: memory64),
** since these commands validate by 3.0's rules too; `weft wast
** --wasm-2.0` is the only 2.0 reader. */
static weft_status wat_to_wasm3(const uint8_t *text, size_t len, uint8_t **out,
                                size_t *out_len, weft_error *err) {
  weft_text_options o;
  memset(&o, 0, sizeof o);
  o.version = WEFT_TEXT_3_0;
  return weft_wat_to_wasm_opts((const char *)text, len, &o, out, out_len, err);
}

/* Text when named *.wat, or when it is not \0asm and its first non-blank
** character opens a paren or a comment. */
int cli_is_text_module(const char *path, const uint8_t *bytes, size_t size) {
  size_t n = strlen(path), i = 0;
  if (n > 4 && strcmp(path + n - 4, ".wat") == 0)
    return 1;
  if (size >= 4 && memcmp(bytes, "\0asm", 4) == 0)
    return 0;
  while (i < size && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' ||
                      bytes[i] == '\r'))
    i++;
  return i < size && (bytes[i] == '(' || bytes[i] == ';');
}

int cli_text_to_binary(const char *path, uint8_t **bytes, size_t *size) {
  uint8_t *wasm;
  size_t len;
  weft_error err;
  if (!cli_is_text_module(path, *bytes, *size))
    return CLI_EXIT_OK;
  memset(&err, 0, sizeof err);
  weft_status s = wat_to_wasm3(*bytes, *size, &wasm, &len, &err);
  if (s != WEFT_OK) {
    /* "app.wat:3:7: unknown operator ..." like a compiler's message */
    cli_errorf("%s:%s%s", path, s == WEFT_ERR_MALFORMED ? "" : " ",
               err.message);
    return CLI_EXIT_LOAD;
  }
  free(*bytes);
  /* the binary is malloc'd by the text layer: the CLI frees it with free */
  *bytes = wasm;
  *size = len;
  return CLI_EXIT_OK;
}

void cli_usage_wat2wasm(FILE *out) {
  fputs("weft wat2wasm IN.wat -o OUT.wasm\n"
        "    encode a module in the text format as a binary module (not\n"
        "    validated: `weft validate OUT.wasm` does that)\n",
        out);
}

int cmd_wat2wasm(int argc, char **argv) {
  const char *in = NULL, *outp = NULL;
  uint8_t *bytes;
  size_t size;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
      outp = argv[++i];
    else if (argv[i][0] != '-' && !in)
      in = argv[i];
    else {
      cli_usage_wat2wasm(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (!in || !outp) {
    cli_usage_wat2wasm(stderr);
    return CLI_EXIT_USAGE;
  }
  int rc = cli_read_file(in, (uint64_t)1 << 32, &bytes, &size);
  if (rc != CLI_EXIT_OK)
    return rc;
  uint8_t *wasm;
  size_t len;
  weft_error err;
  memset(&err, 0, sizeof err);
  weft_status s = wat_to_wasm3(bytes, size, &wasm, &len, &err);
  free(bytes);
  if (s != WEFT_OK) {
    cli_errorf("%s:%s%s", in, s == WEFT_ERR_MALFORMED ? "" : " ", err.message);
    return CLI_EXIT_LOAD;
  }
  FILE *f = fopen(outp, "wb");
  if (!f || fwrite(wasm, 1, len, f) != len || fclose(f) != 0) {
    cli_errorf("%s: cannot write", outp);
    weft_text_free(wasm);
    return CLI_EXIT_USAGE;
  }
  weft_text_free(wasm);
  return CLI_EXIT_OK;
}
