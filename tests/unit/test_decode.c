/*
** test_decode.c — unit tests for src/wasm/decode.c and src/wasm/validate.c:
** a rich module decoded field by field, the spec's malformed/invalid
** wordings, hostile counts, and an allocation-failure loop.
*/
#include <stdlib.h>

#include "t.h"

#include "../../src/wasm/module.h"

/* ---- a counting allocator that can fail the Nth allocation ----------- */

struct talloc {
  long count;   /* allocations so far */
  long fail_at; /* fail this allocation (1-based), 0: never */
};

static void *test_realloc(void *user, void *ptr, size_t old_size,
                          size_t new_size) {
  struct talloc *t = user;
  (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  t->count++;
  if (t->fail_at && t->count == t->fail_at)
    return NULL;
  return realloc(ptr, new_size);
}

struct loaded {
  struct talloc t;
  struct wf_alloc a;
  struct wf_module m;
  weft_error err;
  weft_status status;
};

/* Decode (and optionally validate) a copy of `bytes`. */
static void load_cfg(struct loaded *l, const void *bytes, size_t n,
                     bool validate, const weft_config *cfg, long fail_at) {
  memset(l, 0, sizeof *l);
  l->t.fail_at = fail_at;
  l->a.fn = test_realloc;
  l->a.user = &l->t;
  l->m.bytes = malloc(n ? n : 1);
  memcpy(l->m.bytes, bytes, n);
  l->m.size = n;
  wf_error_clear(&l->err);
  l->status = wf_decode_module(&l->a, cfg, &l->m, &l->err);
  if (l->status == WEFT_OK && validate)
    l->status = wf_validate_module(&l->a, &l->m, &l->err);
}

static void load(struct loaded *l, const void *bytes, size_t n, bool validate) {
  weft_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.max_locals = 50000;
  cfg.max_module_bytes = 1u << 30;
  load_cfg(l, bytes, n, validate, &cfg, 0);
}

/* Release and check nothing leaked. */
static void unload(struct loaded *l) {
  wf_module_release(&l->a, &l->m);
  CHECK_EQ_INT(l->a.live_bytes, 0);
  free(l->m.bytes);
}

#define HDR "\0asm\1\0\0\0"
#define LOAD(l, lit, v) load((l), (lit), sizeof(lit) - 1, (v))

/* Expect decode+validate of `lit` to fail with `st` and `msg`. */
#define EXPECT_FAIL(lit, v, st, msg)                                           \
  do {                                                                         \
    struct loaded l_;                                                          \
    LOAD(&l_, lit, v);                                                         \
    CHECK_EQ_INT(l_.status, st);                                               \
    CHECK_CONTAINS(l_.err.message, msg);                                       \
    unload(&l_);                                                               \
  } while (0)

#define EXPECT_OK(lit, v)                                                      \
  do {                                                                         \
    struct loaded l_;                                                          \
    LOAD(&l_, lit, v);                                                         \
    CHECK_EQ_INT(l_.status, WEFT_OK);                                          \
    if (l_.status != WEFT_OK)                                                  \
      fprintf(stderr, "     %s\n", l_.err.message);                            \
    unload(&l_);                                                               \
  } while (0)

/* rich.wasm: wat2wasm --debug-names of the module in the comment of test_rich.
 */
static const unsigned char rich_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x09, 0x02, 0x60,
    0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x02, 0x27, 0x04, 0x03, 0x65,
    0x6e, 0x76, 0x01, 0x66, 0x00, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x74,
    0x01, 0x70, 0x01, 0x01, 0x0a, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x6d, 0x02,
    0x01, 0x01, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x67, 0x03, 0x7f, 0x00,
    0x03, 0x05, 0x04, 0x00, 0x01, 0x00, 0x00, 0x04, 0x04, 0x01, 0x6f, 0x00,
    0x02, 0x06, 0x29, 0x06, 0x7e, 0x01, 0x42, 0x7b, 0x0b, 0x7f, 0x00, 0x23,
    0x00, 0x0b, 0x70, 0x00, 0xd2, 0x01, 0x0b, 0x7d, 0x00, 0x43, 0x00, 0x00,
    0xc0, 0x3f, 0x0b, 0x7c, 0x00, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x02, 0xc0, 0x0b, 0x6f, 0x00, 0xd0, 0x6f, 0x0b, 0x07, 0x19, 0x04, 0x05,
    0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x01, 0x03, 0x6d, 0x65, 0x6d, 0x02,
    0x00, 0x02, 0x67, 0x31, 0x03, 0x01, 0x02, 0x74, 0x32, 0x01, 0x01, 0x08,
    0x01, 0x01, 0x09, 0x33, 0x08, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x02, 0x01,
    0x00, 0x02, 0x02, 0x03, 0x00, 0x41, 0x01, 0x0b, 0x01, 0x03, 0x03, 0x00,
    0x01, 0x03, 0x04, 0x41, 0x02, 0x0b, 0x02, 0xd2, 0x02, 0x0b, 0xd0, 0x70,
    0x0b, 0x01, 0x00, 0x01, 0x02, 0x06, 0x01, 0x41, 0x00, 0x0b, 0x6f, 0x01,
    0xd0, 0x6f, 0x0b, 0x03, 0x00, 0x01, 0x01, 0x0c, 0x01, 0x03, 0x0a, 0x1c,
    0x04, 0x07, 0x02, 0x02, 0x7f, 0x01, 0x7c, 0x01, 0x0b, 0x09, 0x01, 0x01,
    0x7e, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x0b, 0x02, 0x00, 0x0b, 0x05, 0x00,
    0xfc, 0x09, 0x01, 0x0b, 0x0b, 0x1b, 0x03, 0x00, 0x41, 0x00, 0x0b, 0x05,
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x01, 0x07, 0x70, 0x61, 0x73, 0x73, 0x69,
    0x76, 0x65, 0x00, 0x23, 0x00, 0x0b, 0x02, 0x78, 0x79, 0x00, 0x67, 0x04,
    0x6e, 0x61, 0x6d, 0x65, 0x01, 0x23, 0x05, 0x00, 0x03, 0x69, 0x6d, 0x70,
    0x01, 0x05, 0x73, 0x74, 0x61, 0x72, 0x74, 0x02, 0x03, 0x61, 0x64, 0x64,
    0x03, 0x05, 0x74, 0x68, 0x69, 0x72, 0x64, 0x04, 0x08, 0x75, 0x73, 0x65,
    0x73, 0x64, 0x61, 0x74, 0x61, 0x02, 0x0b, 0x05, 0x00, 0x00, 0x01, 0x00,
    0x02, 0x00, 0x03, 0x00, 0x04, 0x00, 0x04, 0x08, 0x02, 0x00, 0x01, 0x76,
    0x01, 0x02, 0x69, 0x69, 0x05, 0x05, 0x01, 0x01, 0x02, 0x74, 0x32, 0x07,
    0x1d, 0x07, 0x00, 0x02, 0x67, 0x69, 0x01, 0x02, 0x67, 0x31, 0x02, 0x02,
    0x67, 0x32, 0x03, 0x02, 0x67, 0x33, 0x04, 0x02, 0x67, 0x34, 0x05, 0x02,
    0x67, 0x35, 0x06, 0x02, 0x67, 0x36};

/*
(module
  (type $v (func))
  (type $ii (func (param i32) (result i32)))
  (import "env" "f" (func $imp (type $ii)))
  (import "env" "t" (table 1 10 funcref))
  (import "env" "m" (memory 1 2))
  (import "env" "g" (global $gi i32))
  (table $t2 2 externref)
  (global $g1 (mut i64) (i64.const -5))
  (global $g2 i32 (global.get $gi))
  (global $g3 funcref (ref.func $start))
  (global $g4 f32 (f32.const 1.5))
  (global $g5 f64 (f64.const -2.25))
  (global $g6 externref (ref.null extern))
  (export "start" (func $start))
  (export "mem" (memory 0))
  (export "g1" (global $g1))
  (export "t2" (table $t2))
  (start $start)
  (func $start (type $v) (local i32 i32) (local f64) nop)
  (func $add (param i32) (result i32) (local i64) local.get 0 i32.const 1
i32.add) (func $third (type $v)) (elem (i32.const 0) $add) (elem func $add
$third) (elem (table 0) (i32.const 1) func $third) (elem declare func $third)
  (elem (i32.const 2) funcref (ref.func $add) (ref.null func))
  (elem funcref (ref.func $add))
  (elem (table $t2) (i32.const 0) externref (ref.null extern))
  (elem declare funcref (ref.func $start))
  (data (i32.const 0) "hello")
  (data "passive")
  (data (memory 0) (global.get $gi) "xy")
  (func $usesdata (data.drop 1))
)
*/
static void test_rich(void) {
  struct loaded l;
  load(&l, rich_wasm, sizeof rich_wasm, true);
  struct wf_module *m = &l.m;
  CHECK_EQ_INT(l.status, WEFT_OK);
  if (l.status != WEFT_OK) {
    fprintf(stderr, "     %s\n", l.err.message);
    unload(&l);
    return;
  }
  CHECK_EQ_INT(m->ntypes, 2);
  CHECK_EQ_INT(m->types[1].nparams, 1);
  CHECK_EQ_INT(m->types[1].nresults, 1);
  CHECK_EQ_INT(m->types[1].types[0], WF_I32);
  CHECK_EQ_INT(m->nimports, 4);
  CHECK_EQ_INT(m->nfunc_imports, 1);
  CHECK_EQ_INT(m->ntable_imports, 1);
  CHECK_EQ_INT(m->nmemory_imports, 1);
  CHECK_EQ_INT(m->nglobal_imports, 1);
  CHECK_STR_EQ(m->imports[0].module, "env");
  CHECK_STR_EQ(m->imports[0].name, "f");
  CHECK_EQ_INT(m->imports[2].of.memory.max, 2);
  CHECK(m->imports[2].of.memory.has_max);
  CHECK_EQ_INT(wf_module_func_typeidx(m, 0), 1);
  CHECK_EQ_INT(wf_module_func_typeidx(m, 1), 0);
  CHECK_EQ_INT(wf_module_table_type(m, 0).limits.max, 10);
  CHECK_EQ_INT(wf_module_table_type(m, 1).elemtype, WF_EXTERNREF);
  CHECK_EQ_INT(wf_module_memory_limits(m, 0).min, 1);
  CHECK_EQ_INT(wf_module_global_type(m, 0).valtype, WF_I32);
  CHECK(wf_module_global_type(m, 1).mutable_);
  CHECK_EQ_INT(m->nfuncs, 4);
  CHECK_EQ_INT(m->funcs[0].ngroups, 2);
  CHECK_EQ_INT(m->funcs[0].nlocals, 3);
  CHECK_EQ_INT(m->funcs[0].groups[1].type, WF_F64);
  CHECK_EQ_INT(m->funcs[0].code.len, 2); /* nop end */
  CHECK_EQ_INT(m->funcs[0].code.ptr[0], 0x01);
  CHECK_EQ_INT(m->funcs[0].code.ptr[1], 0x0b);
  CHECK(m->funcs[0].code.ptr == m->bytes + m->funcs[0].code.offset);
  CHECK_EQ_INT(m->funcs[1].code.ptr[m->funcs[1].code.len - 1], 0x0b);
  CHECK_EQ_INT(m->nglobals, 6);
  struct wf_constexpr c;
  wf_constexpr_decode(m, m->globals[0].init, &c);
  CHECK_EQ_INT(c.kind, WF_CONST_VALUE);
  CHECK_EQ_INT(c.type, WF_I64);
  CHECK_EQ_U64(c.bits, (u64)(i64)-5);
  wf_constexpr_decode(m, m->globals[1].init, &c);
  CHECK_EQ_INT(c.kind, WF_CONST_GLOBAL_GET);
  CHECK_EQ_INT(c.index, 0);
  CHECK_EQ_INT(c.type, WF_I32);
  wf_constexpr_decode(m, m->globals[2].init, &c);
  CHECK_EQ_INT(c.kind, WF_CONST_REF_FUNC);
  CHECK_EQ_INT(c.index, 1);
  wf_constexpr_decode(m, m->globals[3].init, &c);
  CHECK_EQ_INT(c.type, WF_F32);
  CHECK_EQ_U64(c.bits, 0x3fc00000);
  wf_constexpr_decode(m, m->globals[4].init, &c);
  CHECK_EQ_U64(c.bits, 0xc002000000000000ull);
  wf_constexpr_decode(m, m->globals[5].init, &c);
  CHECK_EQ_INT(c.kind, WF_CONST_REF_NULL);
  CHECK_EQ_INT(c.type, WF_EXTERNREF);
  CHECK_EQ_INT(m->nexports, 4);
  CHECK_STR_EQ(m->exports[1].name, "mem");
  CHECK_EQ_INT(m->exports[1].kind, WF_EXTERN_MEMORY);
  CHECK(m->has_start);
  CHECK_EQ_INT(m->start, 1);
  CHECK_EQ_INT(m->nelems, 8);
  CHECK_EQ_INT(m->elems[0].mode, WF_SEG_ACTIVE);
  CHECK_EQ_INT(m->elems[1].mode, WF_SEG_PASSIVE);
  CHECK_EQ_INT(m->elems[1].count, 2);
  CHECK(m->elems[1].funcs && m->elems[1].funcs[1] == 3);
  CHECK_EQ_INT(m->elems[3].mode, WF_SEG_DECLARATIVE);
  CHECK(m->elems[4].exprs != NULL);
  CHECK_EQ_INT(m->elems[6].reftype, WF_EXTERNREF);
  CHECK_EQ_INT(m->elems[6].table, 1);
  CHECK(m->has_datacount);
  CHECK_EQ_INT(m->datacount, 3);
  CHECK_EQ_INT(m->ndatas, 3);
  CHECK_EQ_INT(m->datas[0].bytes.len, 5);
  CHECK(memcmp(m->datas[0].bytes.ptr, "hello", 5) == 0);
  CHECK_EQ_INT(m->datas[1].mode, WF_SEG_PASSIVE);
  wf_constexpr_decode(m, m->datas[2].offset, &c);
  CHECK_EQ_INT(c.kind, WF_CONST_GLOBAL_GET);
  CHECK_EQ_INT(m->nsections, 12);
  CHECK_EQ_INT(m->sections[0].id, WF_SEC_TYPE);
  CHECK_EQ_INT(m->sections[11].id, WF_SEC_CUSTOM);
  CHECK_STR_EQ(m->sections[11].name, "name");
  CHECK_EQ_INT(m->sections[0].offset, 10);
  CHECK_EQ_INT(m->sections[0].size, 9);
  CHECK_EQ_INT(m->nfunc_names, 5);
  if (m->func_names) {
    CHECK_STR_EQ(m->func_names[0], "imp");
    CHECK_STR_EQ(m->func_names[1], "start");
    CHECK_STR_EQ(m->func_names[4], "usesdata");
  } else {
    CHECK(m->func_names != NULL);
  }
  CHECK(m->func_declared != NULL);
  if (m->func_declared) {
    CHECK_EQ_INT(m->func_declared[0], 0);
    CHECK_EQ_INT(m->func_declared[1], 1);
    CHECK_EQ_INT(m->func_declared[2], 1);
    CHECK_EQ_INT(m->func_declared[3], 1);
    CHECK_EQ_INT(m->func_declared[4], 0);
  }
  unload(&l);
}

/* Element segments in all eight encodings (wat2wasm folds some). */
#define ELEM_MODULE(elemsec)                                                   \
  HDR "\1\4\1\x60\0\0" /* type () -> () */                                     \
      "\3\2\1\0"       /* one function */                                      \
      "\4\4\1\x70\0\1" /* table funcref 1 */                                   \
      elemsec "\x0a\4\1\2\0\x0b"

static void test_elem_forms(void) {
  static const char all[] = ELEM_MODULE(
      "\x09\x35\x08"
      "\0\x41\0\x0b\1\0"                 /* 0: active, funcs */
      "\1\0\1\0"                         /* 1: passive, elemkind, funcs */
      "\2\0\x41\0\x0b\0\1\0"             /* 2: table, offset, kind, funcs */
      "\3\0\1\0"                         /* 3: declarative, funcs */
      "\4\x41\0\x0b\1\xd2\0\x0b"         /* 4: active, exprs */
      "\5\x70\1\xd2\0\x0b"               /* 5: passive, exprs */
      "\6\0\x41\0\x0b\x70\1\xd0\x70\x0b" /* 6: table, offset, exprs */
      "\7\x70\1\xd2\0\x0b");             /* 7: declarative, exprs */
  struct loaded l;
  LOAD(&l, all, true);
  CHECK_EQ_INT(l.status, WEFT_OK);
  if (l.status == WEFT_OK) {
    static const u8 modes[8] = {
        WF_SEG_ACTIVE, WF_SEG_PASSIVE, WF_SEG_ACTIVE, WF_SEG_DECLARATIVE,
        WF_SEG_ACTIVE, WF_SEG_PASSIVE, WF_SEG_ACTIVE, WF_SEG_DECLARATIVE};
    CHECK_EQ_INT(l.m.nelems, 8);
    for (int i = 0; i < 8; i++) {
      CHECK_EQ_INT(l.m.elems[i].mode, modes[i]);
      CHECK_EQ_INT(l.m.elems[i].count, 1);
      CHECK((l.m.elems[i].funcs != NULL) == (i < 4));
      CHECK_EQ_INT(l.m.elems[i].reftype, WF_FUNCREF);
    }
    CHECK_EQ_INT(l.m.func_declared[0], 1);
  } else {
    fprintf(stderr, "     %s\n", l.err.message);
  }
  unload(&l);
  EXPECT_FAIL(ELEM_MODULE("\x09\5\1\1\1\1\0"), false, WEFT_ERR_MALFORMED,
              "malformed element kind");
  EXPECT_FAIL(ELEM_MODULE("\x09\5\1\5\x7f\1\0"), false, WEFT_ERR_MALFORMED,
              "malformed reference type");
  EXPECT_FAIL(ELEM_MODULE("\x09\7\1\5\x70\1\xf3\0\x0b"), false,
              WEFT_ERR_MALFORMED, "illegal opcode");
  EXPECT_FAIL(ELEM_MODULE("\x09\4\1\x08\0\0"), false, WEFT_ERR_MALFORMED,
              "malformed");
  /* externref table, funcref segment */
  EXPECT_FAIL(HDR "\1\4\1\x60\0\0\3\2\1\0\4\4\1\x6f\0\1"
                  "\x09\7\1\0\x41\0\x0b\1\0\x0a\4\1\2\0\x0b",
              true, WEFT_ERR_INVALID, "type mismatch");
  EXPECT_FAIL(HDR "\1\4\1\x60\0\0\3\2\1\0"
                  "\x09\7\1\0\x41\0\x0b\1\0\x0a\4\1\2\0\x0b",
              true, WEFT_ERR_INVALID, "unknown table 0");
  EXPECT_FAIL(ELEM_MODULE("\x09\7\1\0\x41\0\x0b\1\5"), true, WEFT_ERR_INVALID,
              "unknown function 5");
  EXPECT_FAIL(ELEM_MODULE("\x09\x07\1\0\x42\0\x0b\1\0"), true, WEFT_ERR_INVALID,
              "type mismatch");
}

static void test_header(void) {
  EXPECT_FAIL("", false, WEFT_ERR_MALFORMED, "unexpected end");
  EXPECT_FAIL("\0as", false, WEFT_ERR_MALFORMED, "unexpected end");
  EXPECT_FAIL("\0asm\1\0\0", false, WEFT_ERR_MALFORMED, "unexpected end");
  EXPECT_FAIL("\0ASM\1\0\0\0", false, WEFT_ERR_MALFORMED,
              "magic header not detected");
  EXPECT_FAIL("\0asm\2\0\0\0", false, WEFT_ERR_MALFORMED,
              "unknown binary version");
  EXPECT_OK(HDR, true);
}

static void test_sections(void) {
  EXPECT_FAIL(HDR "\x0e\0", false, WEFT_ERR_MALFORMED, "malformed section id");
  /* exception handling: the tag section (13), its place and its tags */
  EXPECT_OK(HDR "\x0d\1\0", true);
  EXPECT_OK(HDR "\1\5\1\x60\1\x69\0\x0d\3\1\0\0", true); /* (exnref) */
  EXPECT_FAIL(HDR "\x0d\0", false, WEFT_ERR_MALFORMED, "unexpected end");
  EXPECT_FAIL(HDR "\1\4\1\x60\0\0\x0d\3\1\1\0", false, WEFT_ERR_MALFORMED,
              "malformed tag attribute");
  EXPECT_FAIL(HDR "\1\4\1\x60\0\0\x0d\3\2\0\0", false, WEFT_ERR_MALFORMED,
              "unexpected end");
  EXPECT_FAIL(HDR "\x0d\x05\x80\x80\x80\x80\x10", false, WEFT_ERR_MALFORMED,
              "integer too large"); /* a huge tag count */
  EXPECT_FAIL(HDR "\x0d\x05\xff\xff\xff\xff\x0f", false, WEFT_ERR_MALFORMED,
              "unexpected end"); /* 2^32-1 tags in 5 bytes */
  EXPECT_FAIL(HDR "\x0d\3\1\0\7", true, WEFT_ERR_INVALID, "unknown type");
  EXPECT_FAIL(HDR "\1\5\1\x60\0\1\x7f\x0d\3\1\0\0", true, WEFT_ERR_INVALID,
              "non-empty tag result type");
  EXPECT_FAIL(HDR "\6\1\0\x0d\1\0", false, WEFT_ERR_MALFORMED,
              "unexpected content after last section"); /* tag after global */
  EXPECT_OK(HDR "\5\1\0\x0d\1\0\6\1\0", true); /* memory, tag, global */
  EXPECT_FAIL(HDR "\7\5\1\1\x61\4\0", true, WEFT_ERR_INVALID,
              "unknown tag 0"); /* export of a tag that is not there */
  EXPECT_FAIL(HDR "\x01\x07\x02\x60\0\0", false, WEFT_ERR_MALFORMED,
              "length out of bounds");
  EXPECT_FAIL(HDR "\1\7\1\x60\0\0\x60\0\0", false, WEFT_ERR_MALFORMED,
              "section size mismatch");
  EXPECT_FAIL(HDR "\3\1\0\1\1\0", false, WEFT_ERR_MALFORMED,
              "unexpected content after last section");
  EXPECT_FAIL(HDR "\5\1\1", false, WEFT_ERR_MALFORMED,
              "unexpected end of section or function");
  EXPECT_FAIL(HDR "\1\x06\x80\x80\x80\x80\x80\0", false, WEFT_ERR_MALFORMED,
              "integer representation too long");
  EXPECT_FAIL(HDR "\1\x05\x80\x80\x80\x80\x70", false, WEFT_ERR_MALFORMED,
              "integer too large");
  EXPECT_FAIL(HDR "\1\4\1\x60\0\0\3\2\1\0", false, WEFT_ERR_MALFORMED,
              "function and code section have inconsistent lengths");
  EXPECT_FAIL(HDR "\x0a\1\0\x0a\1\0", false, WEFT_ERR_MALFORMED,
              "unexpected content after last section");
  EXPECT_FAIL(HDR "\x0c\1\1", false, WEFT_ERR_MALFORMED,
              "data count and data section have inconsistent lengths");
  EXPECT_FAIL(HDR "\x05\3\1\0\1\x0c\1\2\x0b\4\1\1\1\x61", false,
              WEFT_ERR_MALFORMED,
              "data count and data section have inconsistent lengths");
  EXPECT_FAIL(HDR "\2\4\1\0\0\5", false, WEFT_ERR_MALFORMED,
              "malformed import kind");
  EXPECT_FAIL(HDR "\2\6\1\0\0\4\0\0", true, WEFT_ERR_INVALID,
              "unknown type"); /* a tag import of a missing type */
  EXPECT_FAIL(HDR "\2\6\1\0\0\4\2\0", false, WEFT_ERR_MALFORMED,
              "malformed tag attribute");
  EXPECT_FAIL(HDR "\6\6\1\x7f\2\x41\0\x0b", false, WEFT_ERR_MALFORMED,
              "malformed mutability");
  EXPECT_FAIL(HDR "\5\3\1\x08\0", false, WEFT_ERR_MALFORMED,
              "integer too large");
  EXPECT_FAIL(HDR "\5\3\1\2\0", false, WEFT_ERR_UNSUPPORTED,
              "unsupported feature: threads"); /* shared */
  EXPECT_FAIL(HDR "\5\3\1\6\0", false, WEFT_ERR_UNSUPPORTED,
              "unsupported feature: threads"); /* shared memory64 */
  EXPECT_FAIL("\0asm\x0d\0\1\0", false, WEFT_ERR_UNSUPPORTED,
              "a WebAssembly component, not a core module");
  EXPECT_FAIL(HDR "\2\7\1\1\xff\1\x62\0\0", false, WEFT_ERR_MALFORMED,
              "malformed UTF-8 encoding");
  EXPECT_FAIL(HDR "\0\3\2\xc0\x80", false, WEFT_ERR_MALFORMED,
              "malformed UTF-8 encoding");
  EXPECT_FAIL(HDR "\0\0", false, WEFT_ERR_MALFORMED, "unexpected end");
  EXPECT_FAIL(HDR HDR, false, WEFT_ERR_MALFORMED, "length out of bounds");
  /* body without end */
  EXPECT_FAIL(HDR "\1\4\1\x60\0\0\3\2\1\0\x0a\6\1\4\0\x41\1\x1a", false,
              WEFT_ERR_MALFORMED, "unexpected end");
  /* custom sections anywhere, recorded with their names */
  struct loaded l;
  LOAD(&l, HDR "\0\4\3abc\1\1\0\0\3\1x\1", true);
  CHECK_EQ_INT(l.status, WEFT_OK);
  CHECK_EQ_INT(l.m.nsections, 3);
  if (l.m.nsections == 3) {
    CHECK_STR_EQ(l.m.sections[0].name, "abc");
    CHECK(l.m.sections[1].name == NULL);
    CHECK_STR_EQ(l.m.sections[2].name, "x");
    CHECK_EQ_INT(l.m.sections[2].size, 3);
  }
  unload(&l);
  /* a broken "name" section is ignored */
  EXPECT_OK(HDR "\0\x0a\4name\1\4\1\0\5", true);
}

static void test_locals(void) {
  EXPECT_FAIL(HDR "\1\4\1\x60\0\0\3\2\1\0"
                  "\x0a\x0c\1\x0a\2\xff\xff\xff\xff\x0f\x7f\2\x7e\x0b",
              false, WEFT_ERR_MALFORMED, "too many locals");
  /* legal for the format, above the configured limit */
  EXPECT_FAIL(HDR "\1\4\1\x60\0\0\3\2\1\0\x0a\x08\1\6\1\x80\x80\x04\x7f\x0b",
              false, WEFT_ERR_LIMIT, "too many locals");
  /* v128 params, locals and globals; an i32 initialiser is no v128 */
  EXPECT_OK(HDR "\1\5\1\x60\1\x7b\0", true);
  EXPECT_OK(HDR "\1\4\1\x60\0\0\3\2\1\0\x0a\x06\1\4\1\1\x7b\x0b", true);
  EXPECT_FAIL(HDR "\6\6\1\x7b\0\x41\0\x0b", true, WEFT_ERR_INVALID,
              "type mismatch");
  /* 0xFD 0x9a (a gap in the table) and 0xFD 0x114 (past relaxed SIMD)
  ** are no instructions */
  EXPECT_FAIL(HDR "\6\7\1\x7b\0\xfd\x9a\x01\x0b", false, WEFT_ERR_MALFORMED,
              "illegal opcode");
  EXPECT_FAIL(HDR "\6\7\1\x7b\0\xfd\x94\x02\x0b", false, WEFT_ERR_MALFORMED,
              "illegal opcode");
}

/* Absurd counts fail without allocating in proportion to them. */
static void test_hostile(void) {
  static const char *const cases[] = {
      HDR "\1\5\xff\xff\xff\xff\x0f",
      HDR "\2\5\xff\xff\xff\xff\x0f",
      HDR "\3\5\xff\xff\xff\xff\x0f",
      HDR "\6\5\xff\xff\xff\xff\x0f",
      HDR "\x09\5\xff\xff\xff\xff\x0f",
      HDR "\x0b\5\xff\xff\xff\xff\x0f",
      HDR "\1\x09\1\x60\xff\xff\xff\xff\x0f\x7f\0",
      HDR "\1\4\1\x60\0\0\3\2\1\0\x0a\x09\1\7\xff\xff\xff\xff\x0f\x7f\x0b",
      HDR "\x09\x09\1\1\0\xff\xff\xff\xff\x0f\0",
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct loaded l;
    load(&l, cases[i], strlen(cases[i] + 8) + 8, false);
    CHECK_EQ_INT(l.status, WEFT_ERR_MALFORMED);
    CHECK(l.a.peak_bytes < 4096);
    unload(&l);
  }
  weft_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.max_module_bytes = 4;
  struct loaded l;
  load_cfg(&l, HDR, 8, false, &cfg, 0);
  CHECK_EQ_INT(l.status, WEFT_ERR_LIMIT);
  unload(&l);
}

#define FUNC_MODULE(rest) HDR "\1\4\1\x60\0\0\3\2\1\0" rest "\x0a\4\1\2\0\x0b"

static void test_validate(void) {
  EXPECT_FAIL(HDR "\5\5\1\0\x81\x80\4", true, WEFT_ERR_INVALID,
              "memory size must be at most 65536 pages (4GiB)");
  EXPECT_FAIL(HDR "\5\4\1\1\2\1", true, WEFT_ERR_INVALID,
              "size minimum must not be greater than maximum");
  EXPECT_FAIL(HDR "\4\5\1\x70\1\2\1", true, WEFT_ERR_INVALID,
              "size minimum must not be greater than maximum");
  /* multi-memory, memory64: a data segment for a memory that does not
  ** exist; an i32 offset for a 64-bit memory */
  EXPECT_FAIL(HDR "\5\3\1\0\1\x0b\7\1\2\1\x41\0\x0b\0", true, WEFT_ERR_INVALID,
              "unknown memory");
  EXPECT_FAIL(HDR "\5\3\1\4\1\x0b\6\1\0\x41\0\x0b\0", true, WEFT_ERR_INVALID,
              "type mismatch");
  EXPECT_FAIL(HDR "\2\7\1\1a\1b\0\5", true, WEFT_ERR_INVALID, "unknown type");
  EXPECT_FAIL(HDR "\3\2\1\0\x0a\4\1\2\0\x0b", true, WEFT_ERR_INVALID,
              "unknown type");
  EXPECT_FAIL(HDR "\1\5\1\x60\1\x7f\0\3\2\1\0\x08\1\0\x0a\4\1\2\0\x0b", true,
              WEFT_ERR_INVALID, "start function");
  EXPECT_FAIL(FUNC_MODULE("\x08\1\1"), true, WEFT_ERR_INVALID,
              "unknown function 1");
  EXPECT_OK(FUNC_MODULE("\x08\1\0"), true);
  EXPECT_FAIL(FUNC_MODULE("\7\x09\2\1a\0\0\1a\0\0"), true, WEFT_ERR_INVALID,
              "duplicate export name");
  EXPECT_OK(FUNC_MODULE("\7\x09\2\1a\0\0\1b\0\0"), true);
  EXPECT_FAIL(FUNC_MODULE("\7\5\1\1a\3\3"), true, WEFT_ERR_INVALID,
              "unknown global 3");
  EXPECT_FAIL(FUNC_MODULE("\7\5\1\1a\0\1"), true, WEFT_ERR_INVALID,
              "unknown function 1");
  EXPECT_FAIL(FUNC_MODULE("\7\5\1\1a\1\0"), true, WEFT_ERR_INVALID,
              "unknown table 0");
  EXPECT_FAIL(FUNC_MODULE("\7\5\1\1a\2\0"), true, WEFT_ERR_INVALID,
              "unknown memory 0");
  /* constant expressions */
  EXPECT_FAIL(HDR "\6\x09\1\x7f\0\x41\0\x41\1\x6d\x0b", true, WEFT_ERR_INVALID,
              "constant expression required"); /* div_s */
  /* extended constant expressions: add needs two i32 operands */
  EXPECT_FAIL(HDR "\6\7\1\x7f\0\x41\0\x6a\x0b", true, WEFT_ERR_INVALID,
              "type mismatch");
  EXPECT_OK(HDR "\6\x09\1\x7f\0\x41\0\x41\1\x6a\x0b", true);
  EXPECT_FAIL(HDR "\6\6\1\x7f\0\x42\0\x0b", true, WEFT_ERR_INVALID,
              "type mismatch");
  EXPECT_FAIL(HDR "\6\x08\1\x7f\0\x41\0\x41\0\x0b", true, WEFT_ERR_INVALID,
              "type mismatch");
  EXPECT_FAIL(HDR "\6\4\1\x7f\0\x0b", true, WEFT_ERR_INVALID, "type mismatch");
  /* 3.0: an earlier defined global is visible, a later one is not */
  EXPECT_OK(HDR "\6\x0b\2\x7f\0\x41\0\x0b\x7f\0\x23\0\x0b", true);
  EXPECT_FAIL(HDR "\6\x0b\2\x7f\0\x23\1\x0b\x7f\0\x41\0\x0b", true,
              WEFT_ERR_INVALID, "unknown global 1");
  EXPECT_FAIL(HDR "\2\x08\1\1a\1b\3\x7f\1\6\6\1\x7f\0\x23\0\x0b", true,
              WEFT_ERR_INVALID, "constant expression required");
  EXPECT_OK(HDR "\2\x08\1\1a\1b\3\x7f\0\6\6\1\x7f\0\x23\0\x0b", true);
  EXPECT_FAIL(HDR "\6\6\1\x70\0\xd2\0\x0b", true, WEFT_ERR_INVALID,
              "unknown function 0");
  EXPECT_FAIL(HDR "\6\6\1\x70\0\xd0\x6f\x0b", true, WEFT_ERR_INVALID,
              "type mismatch");
  EXPECT_FAIL(HDR "\x0b\7\1\0\x41\0\x0b\1\x61", true, WEFT_ERR_INVALID,
              "unknown memory 0");
  EXPECT_FAIL(HDR "\5\3\1\0\1\x0b\7\1\0\x42\0\x0b\1\x61", true,
              WEFT_ERR_INVALID, "type mismatch");
  EXPECT_OK(HDR "\5\3\1\0\1\x0b\7\1\0\x41\0\x0b\1\x61", true);
  EXPECT_OK(HDR "\6\6\1\x7f\0\x41\0\x0b", true);
}

/* weft_module_load_precompiled skips the bodies (a body that would not
** validate loads) but still checks the structure. Without compiled code
** the interpreter lowers a body on its first call: one that was not valid
** after all fails that call (and the next) with its validation error, a
** valid one runs; the module counts what it has lowered. */
static void test_precompiled(void) {
  static const char bad_body[] = HDR "\1\4\1\x60\0\0\3\2\1\0"
                                     "\7\5\1\1f\0\0\x0a\5\1\3\0\x6a\x0b";
  static const char good_body[] = HDR "\1\5\1\x60\0\1\x7f\3\2\1\0"
                                      "\7\5\1\1f\0\0" /* () -> 42 */
                                      "\x0a\6\1\4\0\x41\x2a\x0b";
  static const char bad_structure[] = HDR "\5\4\1\1\2\1"; /* min > max */
  weft_engine *e = NULL;
  weft_module *mod = NULL, *good = NULL;
  weft_linker *l = NULL;
  weft_instance *inst = NULL;
  weft_module_stats st;
  weft_extern ex;
  weft_val r;
  weft_error err;

  CHECK(weft_engine_new(NULL, &e, &err) == WEFT_OK);
  CHECK(weft_module_load(e, (const uint8_t *)bad_body, sizeof bad_body - 1,
                         &mod, &err) == WEFT_ERR_INVALID);
  CHECK(weft_module_load_precompiled(e, (const uint8_t *)bad_body,
                                     sizeof bad_body - 1, &mod,
                                     &err) == WEFT_OK);
  CHECK(weft_linker_new(e, &l, &err) == WEFT_OK);
  CHECK(weft_instantiate(l, mod, &inst, &err) == WEFT_OK);
  CHECK(weft_instance_export(inst, "f", &ex) == WEFT_OK);
  for (int k = 0; k < 2; k++)
    CHECK(weft_func_call(e, ex.of.func, NULL, 0, NULL, 0, &err) ==
          WEFT_ERR_INVALID);
  weft_module_stats_get(mod, &st);
  CHECK(st.lowered_bytes == 0);
  weft_module_free(mod);
  mod = NULL;

  CHECK(weft_module_load_precompiled(e, (const uint8_t *)good_body,
                                     sizeof good_body - 1, &good,
                                     &err) == WEFT_OK);
  weft_module_stats_get(good, &st);
  CHECK(st.lowered_bytes == 0);
  CHECK(weft_instantiate(l, good, &inst, &err) == WEFT_OK);
  CHECK(weft_instance_export(inst, "f", &ex) == WEFT_OK);
  CHECK(weft_func_call(e, ex.of.func, NULL, 0, &r, 1, &err) == WEFT_OK);
  CHECK(r.of.i32 == 42);
  weft_module_stats_get(good, &st);
  CHECK(st.lowered_bytes > 0);
  weft_module_free(good);

  CHECK(weft_module_load_precompiled(e, (const uint8_t *)bad_structure,
                                     sizeof bad_structure - 1, &mod,
                                     &err) == WEFT_ERR_INVALID);
  CHECK(mod == NULL);
  weft_linker_free(l);
  weft_engine_free(e);
}

/* Every allocation failure yields WEFT_ERR_NOMEM and leaks nothing. */
static void fail_each_allocation(const void *bytes, size_t n) {
  for (long k = 1; k < 10000; k++) {
    struct loaded l;
    load_cfg(&l, bytes, n, true, NULL, k);
    long made = l.t.count;
    weft_status st = l.status;
    unload(&l);
    if (made < k) { /* allocation k never happened: done */
      CHECK_EQ_INT(st, WEFT_OK);
      return;
    }
    CHECK_EQ_INT(st, WEFT_ERR_NOMEM);
    if (st != WEFT_ERR_NOMEM)
      return;
  }
}

static void test_alloc_failures(void) {
  fail_each_allocation(rich_wasm, sizeof rich_wasm);
  static const char elems[] =
      ELEM_MODULE("\x09\x11\x03\1\0\1\0\5\x70\1\xd2\0\x0b\7\x70\1\xd2\0\x0b");
  fail_each_allocation(elems, sizeof elems - 1);
  /* many sections: exercises growth of the section list */
  char many[8 + 3 * 40];
  memcpy(many, HDR, 8);
  for (int i = 0; i < 40; i++)
    memcpy(many + 8 + 3 * i, "\0\1\0", 3);
  fail_each_allocation(many, sizeof many);
}

int main(void) {
  T_RUN(test_rich);
  T_RUN(test_elem_forms);
  T_RUN(test_header);
  T_RUN(test_sections);
  T_RUN(test_locals);
  T_RUN(test_hostile);
  T_RUN(test_validate);
  T_RUN(test_precompiled);
  T_RUN(test_alloc_failures);
  return T_DONE();
}
