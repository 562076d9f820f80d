/*
** exn.c — the interpreter's side of exception handling (3.0): which catch
** clause of a function takes an exception thrown at a code position. The
** unwinding itself (frame by frame, across instances, and into an
** enclosing activation through a host call) is in interp.c's throw path.
*/
#include "ir.h"

const struct wf_handler *wf_code_handler(const struct wf_code *code,
                                         const weft_instance *inst, u32 pc,
                                         const weft_exn *x) {
  for (u32 i = 0; i < code->nhandlers; i++) {
    const struct wf_handler *h = &code->handlers[i];
    if (pc < h->start || pc >= h->end)
      continue;
    if (h->tag == WF_CATCH_ALL || inst->tags[h->tag] == x->tag)
      return h;
  }
  return NULL;
}
