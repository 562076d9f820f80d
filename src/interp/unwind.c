/*
** unwind.c — the interpreter's side of exception handling (3.0): which catch
** clause of a function takes an exception thrown at a code position. The
** unwinding itself (frame by frame, across instances, and into an
** enclosing activation through a host call) is in interp.c's throw path.
*/
#include "ir.h"

const struct wf_handler *wf_code_handler(const struct wf_code *code,
                                         const weft_instance *inst, u32 pc,
                                         const weft_exn *x) {
  u32 max_level = UINT32_MAX;
  for (u32 i = 0; i < code->nhandlers; i++) {
    const struct wf_handler *h = &code->handlers[i];
    if (h->level > max_level || pc < h->start || pc >= h->end)
      continue;
    if (h->tag == WF_DELEGATE) {
      /* Thrown again where the delegate's label is: the handlers of the
      ** tries between are passed over (they come later in the list). */
      pc = h->pad;
      max_level = h->target;
      continue;
    }
    if (h->tag == WF_CATCH_ALL || inst->tags[h->tag] == x->tag)
      return h;
  }
  return NULL;
}
