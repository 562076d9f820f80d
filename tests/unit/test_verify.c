/*
** test_verify.c — the verifier of lowered code (src/ir/verify.c,
** compiled here with WEFT_DEBUG=1 whatever the library's build): it
** accepts sound code, in op numbers and in dispatch offsets, and names
** each kind of broken code: an unknown op, operands past the end, a slot
** outside the frame, a constant slot written, branch and br_table targets
** off op boundaries, a handler pad inside an op. (That it accepts all
** real lowered code is shown by the ASan build's spec tier, where it runs
** after every lowering.)
*/
#undef WEFT_DEBUG
#define WEFT_DEBUG 1
#include "../../src/ir/verify.c"

#include <stdlib.h>

#include "t.h"

static void *plain_realloc(void *user, void *p, size_t old, size_t n) {
  (void)user;
  (void)old;
  if (n == 0) {
    free(p);
    return NULL;
  }
  return realloc(p, n);
}

static struct wf_alloc A = {plain_realloc, NULL, 0, 0};

/* FUEL 1; BR_IF slot 0 -> the RETURN; COPY_I32 1 <- 0; RETURN */
static u32 good[] = {WF_OP_FUEL,     1, WF_OP_BR_IF, 0,           4,
                     WF_OP_COPY_I32, 1, 0,           WF_OP_RETURN};

static struct wf_code code_of(u32 *ops, u32 n) {
  struct wf_code c;
  memset(&c, 0, sizeof c);
  c.ops = ops;
  c.nops = n;
  c.nlocal_slots = 1;
  c.frame_slots = 3;
  return c;
}

static const char *check(u32 *ops, u32 n, u32 *at) {
  struct wf_code c = code_of(ops, n);
  return wf_code_verify(&A, &c, NULL, at);
}

static void test_sound_code(void) {
  u32 at;
  CHECK(check(good, 9, &at) == NULL);
  /* The same in dispatch offsets: a made-up encoding, mapped back; slots
  ** are then byte offsets in the frame. */
  u32 dispatch[WF_OP_COUNT], enc[9];
  for (u32 op = 0; op < WF_OP_COUNT; op++)
    dispatch[op] = op * 7 + 3;
  memcpy(enc, good, sizeof enc);
  enc[0] = dispatch[WF_OP_FUEL];
  enc[2] = dispatch[WF_OP_BR_IF];
  enc[5] = dispatch[WF_OP_COPY_I32];
  enc[6] = 1 * sizeof(weft_slot);
  enc[8] = dispatch[WF_OP_RETURN];
  struct wf_code c = code_of(enc, 9);
  CHECK(wf_code_verify(&A, &c, dispatch, &at) == NULL);
  enc[6] = 1; /* inside slot 0 */
  const char *why = wf_code_verify(&A, &c, dispatch, &at);
  CHECK(why && strstr(why, "slot boundary") && at == 5);
  enc[6] = 3 * sizeof(weft_slot); /* = frame_slots */
  why = wf_code_verify(&A, &c, dispatch, &at);
  CHECK(why && strstr(why, "outside the frame") && at == 5);
  enc[6] = 1 * sizeof(weft_slot);
  enc[5] = 5; /* no op has it */
  CHECK(wf_code_verify(&A, &c, dispatch, &at) != NULL);
  CHECK_EQ_INT(at, 5);
  /* br_table on slot 0, two targets and the default, all the RETURN. */
  u32 bt[] = {WF_OP_BR_TABLE, 0, 2, 3, 2, 1, WF_OP_RETURN};
  CHECK(check(bt, 7, &at) == NULL);
  CHECK_EQ_INT(A.live_bytes, 0);
}

static void test_broken_code(void) {
  u32 ops[9], at;
  const char *why;
  memcpy(ops, good, sizeof ops);
  ops[5] = WF_OP_COUNT;
  why = check(ops, 9, &at);
  CHECK(why && strstr(why, "unknown op") && at == 5);
  memcpy(ops, good, sizeof ops);
  why = check(ops, 7, &at); /* COPY_I32 cut after one operand */
  CHECK(why && strstr(why, "past the end") && at == 5);
  memcpy(ops, good, sizeof ops);
  ops[3] = 3; /* BR_IF's condition slot = frame_slots */
  why = check(ops, 9, &at);
  CHECK(why && strstr(why, "outside the frame") && at == 2);
  memcpy(ops, good, sizeof ops);
  ops[4] = 2; /* lands on COPY_I32's first operand */
  why = check(ops, 9, &at);
  CHECK(why && strstr(why, "branch target") && at == 2);
  ops[4] = 5; /* one past the end */
  CHECK(check(ops, 9, &at) != NULL);
  memcpy(ops, good, sizeof ops);
  struct wf_code c = code_of(ops, 9);
  c.nconsts = 1; /* slot 1 is now a constant: COPY_I32 writes it */
  c.frame_slots = 3;
  why = wf_code_verify(&A, &c, NULL, &at);
  CHECK(why && strstr(why, "constant") && at == 5);
  u32 bt[] = {WF_OP_BR_TABLE, 0, 2, 3, 1, 1, WF_OP_RETURN};
  why = check(bt, 7, &at); /* the second target lands on an offset */
  CHECK(why && strstr(why, "br_table"));
  u32 bt_long[] = {WF_OP_BR_TABLE, 0, 9, 4, 3, 2, WF_OP_RETURN};
  why = check(bt_long, 7, &at);
  CHECK(why && strstr(why, "past the end"));
  memcpy(ops, good, sizeof ops);
  struct wf_handler h = {0, 9, 3, 0, 1, UINT32_MAX, 1, 0};
  c = code_of(ops, 9);
  c.handlers = &h;
  c.nhandlers = 1;
  why = wf_code_verify(&A, &c, NULL, &at); /* pad 3: BR_IF's operand */
  CHECK(why && strstr(why, "landing pad"));
  h.pad = 5;
  CHECK(wf_code_verify(&A, &c, NULL, &at) == NULL);
  CHECK_EQ_INT(A.live_bytes, 0);
}

/* A join (joins.def) whose second op is a br_table: its table follows
** the join's last unit. I32_LOAD8_U_J_BR_TABLE: d a off, BR_TABLE's op
** unit, then index n offsets. */
static void test_join_br_table(void) {
  u32 at;
  u32 ops[] = {WF_OP_I32_LOAD8_U_J_BR_TABLE,
               0,
               1,
               0,
               WF_OP_BR_TABLE,
               0,
               1,
               2,
               1,
               WF_OP_RETURN};
  CHECK(check(ops, 10, &at) == NULL);
  ops[7] = 3; /* past the RETURN */
  const char *why = check(ops, 10, &at);
  CHECK(why && strstr(why, "br_table") && at == 0);
  ops[7] = 2;
  ops[6] = 5; /* a table longer than the code */
  why = check(ops, 10, &at);
  CHECK(why && strstr(why, "past the end") && at == 0);
  ops[6] = 1;
  ops[5] = 3; /* the index slot = frame_slots */
  why = check(ops, 10, &at);
  CHECK(why && strstr(why, "outside the frame") && at == 0);
  /* A branch may land on the joined op's unit (it runs alone there),
  ** not on an operand. */
  u32 into[] = {WF_OP_BR,
                5,
                WF_OP_I32_LOAD8_U_J_BR_TABLE,
                0,
                1,
                0,
                WF_OP_BR_TABLE,
                0,
                1,
                2,
                1,
                WF_OP_RETURN};
  CHECK(check(into, 12, &at) == NULL);
  into[1] = 6;
  why = check(into, 12, &at);
  CHECK(why && strstr(why, "branch target") && at == 0);
  into[1] = 5;
  into[6] = WF_OP_COUNT; /* no op */
  why = check(into, 12, &at);
  CHECK(why && strstr(why, "unknown op") && at == 2);
  CHECK_EQ_INT(A.live_bytes, 0);
}

/* joins.def's layouts are its ops' (lower_join.c counts A's operand
** units from them), and each join's is A's, one unit, then B's. */
static void test_join_layouts(void) {
#define LEN(op) wf_strlen(wf_op_layout[WF_OP_##op])
#define JOIN(a, b, la, lb)                                                     \
  CHECK(!strcmp(wf_op_layout[WF_OP_##a], la) &&                                \
        !strcmp(wf_op_layout[WF_OP_##b], lb) &&                                \
        LEN(a##_J_##b) == LEN(a) + 1 + LEN(b));
#define JOIN3(a, b, c, la, lb, lc)                                             \
  CHECK(!strcmp(wf_op_layout[WF_OP_##a], la) &&                                \
        !strcmp(wf_op_layout[WF_OP_##c], lc) &&                                \
        LEN(a##_J_##b##_J_##c) == LEN(a) + 1 + LEN(b##_J_##c));
#define JOIN4(a, b, c, d, la, lb, lc, ld)                                      \
  CHECK(!strcmp(wf_op_layout[WF_OP_##a], la) &&                                \
        !strcmp(wf_op_layout[WF_OP_##d], ld) &&                                \
        LEN(a##_J_##b##_J_##c##_J_##d) ==                                      \
            LEN(a) + 1 + LEN(b##_J_##c##_J_##d));
#include "../../src/ir/joins.def"
#undef JOIN
#undef JOIN3
#undef JOIN4
#undef LEN
}

/* acc.def's forms are laid out as their ops (lower_acc.c rewrites an op
** in place to its _ACC form), and a mirror is an _ACC form of the same
** layout. */
static void test_acc_layouts(void) {
#define ACC_FORM(name, layout, at, mirror)                                     \
  CHECK(!strcmp(wf_op_layout[WF_OP_##name], layout) &&                         \
        !strcmp(wf_op_layout[WF_OP_##name##_ACC], layout));                    \
  CHECK(WF_OP_##mirror == WF_OP_UNREACHABLE ||                                 \
        !strcmp(wf_op_layout[WF_OP_##mirror], layout));
#include "../../src/ir/acc_each.h"
#undef ACC_FORM
}

int main(void) {
  T_RUN(test_sound_code);
  T_RUN(test_acc_layouts);
  T_RUN(test_broken_code);
  T_RUN(test_join_br_table);
  T_RUN(test_join_layouts);
  return T_DONE();
}
