/*
** unknown_import.c — a module importing a wasi_snapshot_preview1 function
** that does not exist must fail at link time (exit status 2) with a
** message naming it, before anything runs.
*/
//! case unknown_import 2 check=check_unknown_import -- @WASM@

#include <stdint.h>
#include <stdio.h>

__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("fd_no_such_function"))) uint32_t
no_such(uint32_t fd);

int main(void) {
  printf("started\n");
  return (int)no_such(1);
}
