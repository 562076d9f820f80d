/*
** account_io.c — the "io" member of `weft run --account`'s record: bytes
** the program read and wrote through each stdio stream and below each
** preopen, as WASI counted them (weft_wasi_io_stats).
*/
#include "cli.h"
#include "weft_wasi.h"

static void put_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++)
    if (*s == '"' || *s == '\\')
      fprintf(f, "\\%c", *s);
    else if ((unsigned char)*s < 0x20)
      fprintf(f, "\\u%04x", (unsigned)(unsigned char)*s);
    else
      fputc(*s, f);
  fputc('"', f);
}

void cli_account_io(FILE *f, const struct weft_wasi *wasi,
                    const struct weft_wasi_preopen *dirs, uint32_t ndirs) {
  static const char *const stdio[3] = {"stdin", "stdout", "stderr"};
  uint32_t i, n = wasi != NULL ? 3 + ndirs : 0;

  fputs("  \"io\": [", f);
  for (i = 0; i < n; i++) {
    uint64_t rd = 0, wr = 0;
    weft_wasi_io_stats(wasi, i, &rd, &wr);
    fputs(i ? ",\n    {" : "\n    {", f);
    if (i < 3) {
      fprintf(f, "\"stdio\": \"%s\"", stdio[i]);
    } else {
      fputs("\"guest\": ", f);
      put_json_string(f, dirs[i - 3].guest_path);
    }
    fprintf(f, ", \"read\": %llu, \"written\": %llu}", (unsigned long long)rd,
            (unsigned long long)wr);
  }
  fputs(n ? "\n  ],\n" : "],\n", f);
}
