/*
** exit_codes.c — the process exit status is the program's exit code:
** returning from main, exit() (stdio flushed first) and a raw proc_exit,
** for 0, 1, 42 and 255. `weft run` must exit with exactly that status, and
** nothing after proc_exit may run.
*/
//! case exit_ret_0 0 check=check_bye -- @WASM@ ret 0
//! case exit_ret_1 1 check=check_bye -- @WASM@ ret 1
//! case exit_ret_42 42 check=check_bye -- @WASM@ ret 42
//! case exit_ret_255 255 check=check_bye -- @WASM@ ret 255
//! case exit_libc_0 0 check=check_bye -- @WASM@ exit 0
//! case exit_libc_1 1 check=check_bye -- @WASM@ exit 1
//! case exit_libc_42 42 check=check_bye -- @WASM@ exit 42
//! case exit_libc_255 255 check=check_bye -- @WASM@ exit 255
//! case exit_raw_0 0 check=check_raw -- @WASM@ proc 0
//! case exit_raw_1 1 check=check_raw -- @WASM@ proc 1
//! case exit_raw_42 42 check=check_raw -- @WASM@ proc 42
//! case exit_raw_255 255 check=check_raw -- @WASM@ proc 255
//! case exit_nested 42 check=check_raw -- @WASM@ nested 42

#include "wt.h"

static int depth_exit(int depth, u32 code) {
  /* proc_exit from deep in the call stack unwinds everything. */
  if (depth == 0)
    wr_proc_exit(code);
  return depth_exit(depth - 1, code) + 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: exit_codes ret|exit|proc|nested CODE\n");
    return 2;
  }
  int code = atoi(argv[2]);
  /* No newline: only a flush at exit gets this out. */
  printf("bye");
  if (strcmp(argv[1], "ret") == 0)
    return code;
  if (strcmp(argv[1], "exit") == 0)
    exit(code);
  fflush(stdout);
  printf("[unflushed]"); /* proc_exit does not flush libc buffers */
  if (strcmp(argv[1], "proc") == 0)
    wr_proc_exit((u32)code);
  if (strcmp(argv[1], "nested") == 0)
    depth_exit(500, (u32)code);
  /* proc_exit returned: that is a failure of its own. */
  fprintf(stderr, "FAIL: proc_exit returned\n");
  return 100;
}
