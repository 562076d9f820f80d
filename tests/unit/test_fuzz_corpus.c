/*
** test_fuzz_corpus.c — replays every file in tests/fuzz/corpus/ and every
** .wasm file in tests/regress/ through the fuzz harness (tests/fuzz/
** fuzz_load.c: load, instantiate, run the exports that provably terminate)
** on the normal build. Each file is one check: any status is fine; a
** crash, a leak, a wrong old_size handed to the allocator, or a failure
** without a message is not.
**
** usage: test_fuzz_corpus [DIR|FILE]...   (default: the two places above,
**        relative to the repository root, where scripts/test.sh runs it)
*/
#define FUZZ_NO_ENTRY 1
#include "../fuzz/fuzz_load.c"

#include <dirent.h>
#include <sys/stat.h>

#include "t.h"

static unsigned n_files, n_loaded, n_fueled, n_instantiated, n_calls;

static void replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    CHECK(!"cannot open corpus file");
    fprintf(stderr, "     %s\n", path);
    return;
  }
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0, got;
  do {
    if (len == cap) {
      cap = cap ? cap * 2 : 4096;
      buf = realloc(buf, cap);
      if (!buf)
        break;
    }
    got = fread(buf + len, 1, cap - len, f);
    len += got;
  } while (got > 0);
  fclose(f);
  if (!buf) {
    CHECK(!"out of memory reading corpus file");
    return;
  }
  struct fuzz_result res;
  fuzz_one(buf, len, 0, &res);
  free(buf);
  n_files++;
  n_loaded += res.load == WEFT_OK;
  n_fueled += res.fueled == WEFT_OK;
  n_instantiated += res.inst == WEFT_OK;
  n_calls += res.calls;
  int ok = !res.leaked && !res.bad_sizes && !res.no_message;
  CHECK(ok);
  if (!ok)
    fprintf(stderr, "     %s: leaked %zu, bad sizes %u, no message %u\n", path,
            res.leaked, res.bad_sizes, res.no_message);
}

static int has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

/* Replays every regular file in dir (only *.wasm when wasm_only). */
static void replay_dir(const char *dir, int wasm_only) {
  DIR *d = opendir(dir);
  if (!d)
    return; /* an absent directory has nothing to replay */
  struct dirent *ent;
  while ((ent = readdir(d))) {
    if (ent->d_name[0] == '.' ||
        (wasm_only && !has_suffix(ent->d_name, ".wasm")))
      continue;
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
      replay_file(path);
  }
  closedir(d);
}

int main(int argc, char **argv) {
  if (argc > 1) {
    for (int i = 1; i < argc; i++) {
      struct stat st;
      if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
        replay_dir(argv[i], 0);
      else
        replay_file(argv[i]);
    }
  } else {
    replay_dir("tests/fuzz/corpus", 0);
    replay_dir("tests/regress", 1);
  }
  printf("replayed %u files: %u loaded (%u with fuel added), %u "
         "instantiated, %u export calls\n",
         n_files, n_loaded, n_fueled, n_instantiated, n_calls);
  return T_DONE();
}
