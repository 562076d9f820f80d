/*
** acc_each.h — expands every acc.def entry through the includer's
** ACC_FORM(name, layout, at, mirror): the op NAME that has the form
** NAME_ACC, both laid out as `layout` (ops.def's letters); `at`, the unit
** of the operand taken from acc; `mirror`, the form used when it is the
** other operand (unit at + 1) that acc holds, or UNREACHABLE. For the
** op enum and the lowering's tables; run()'s handlers need each kind's
** expression and expand acc.def themselves.
*/
#define ACC_BIN(name, T, e, mirror) ACC_FORM(name, "dss", 2, mirror)
#define ACC_K(name, T, e) ACC_FORM(name, "dsi", 2, UNREACHABLE)
#define ACC_UN(name, e) ACC_FORM(name, "ds", 2, UNREACHABLE)
#define ACC_LOAD(name, width, e) ACC_FORM(name, "dsi", 2, UNREACHABLE)
#define ACC_BR(name, T, cmp, mirror) ACC_FORM(name, "sso", 1, mirror)
#define ACC_BR_K(name, T, cmp) ACC_FORM(name, "sio", 1, UNREACHABLE)
#define ACC_BR1(name, cond) ACC_FORM(name, "so", 1, UNREACHABLE)
#define ACC_STORE(name, width, e) ACC_FORM(name, "ssi", 2, UNREACHABLE)
#include "acc.def"
#include "acc_undef.h"
