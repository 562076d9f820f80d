/*
** acc_undef.h — undefines the acc.def entry macros after an expansion,
** so each user defines only the kinds it needs (see acc_each.h).
*/
#undef ACC_BIN
#undef ACC_K
#undef ACC_UN
#undef ACC_LOAD
#undef ACC_BR
#undef ACC_BR_K
#undef ACC_BR1
#undef ACC_STORE
