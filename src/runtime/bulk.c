/*
** bulk.c — the bulk memory and table operations and the grows, shared by
** the interpreter and AoT code (memory.fill and memory.copy are inline in
** generated C for lengths up to 16 MiB, with the same checks and fuel):
** bounds first, then the fuel their length costs (weft_aot.h:
** WEFT_FUEL_BULK_*), then the work. An operation that cannot be paid traps
** before any effect.
*/
#include "runtime.h"

weft_trap wf_fuel_charge(weft_engine *e, u64 fuel) {
  struct wf_exec *ex = &e->exec;
  if (!e->config.fuel_metering || fuel == 0)
    return WEFT_TRAP_NONE;
  /* Lengths are at most 2^47 (a memory64), page counts 2^32: no overflow
  ** of i64. The hook is asked as often as it takes, each time seeing the
  ** clock. */
  if (ex->fuel < (i64)fuel) {
    weft_trap t = wf_engine_refuel(e, (i64)fuel);
    if (t != WEFT_TRAP_NONE)
      return t;
  }
  ex->fuel -= (i64)fuel;
  return WEFT_TRAP_NONE;
}

static weft_trap charge_bytes(weft_instance *inst, u64 n) {
  return wf_fuel_charge(inst->engine, WEFT_FUEL_BULK(n, WEFT_FUEL_BULK_BYTES));
}

static weft_trap charge_elems(weft_instance *inst, u64 n) {
  return wf_fuel_charge(inst->engine, WEFT_FUEL_BULK(n, WEFT_FUEL_BULK_ELEMS));
}

/* ---- memory ----------------------------------------------------------- */

/* A paid operation writes in pieces, and between them the fuel hook may
** stop the program (--deadline): then the operation is left partly done, as
** when the process is stopped. Running out of fuel never does that, since
** the whole length is paid first. */
#define PIECE ((u32)WEFT_BULK_PIECE)

/* The part of `n` bytes left after `done`, at most a piece. */
static u32 piece(u32 n, u32 done) {
  return n - done < PIECE ? n - done : PIECE;
}

/* Before every piece but the first. */
static weft_trap between_pieces(weft_instance *inst, u32 done) {
  return done ? wf_engine_poll(inst->engine) : WEFT_TRAP_NONE;
}

weft_trap wf_bulk_memory_fill(weft_instance *inst, u32 d, u8 v, u32 n) {
  weft_memory *mem = inst->mem0;
  if ((u64)d + n > mem->size)
    return WEFT_TRAP_MEMORY_OOB;
  weft_trap t = charge_bytes(inst, n);
  for (u32 done = 0; t == WEFT_TRAP_NONE && done < n; done += piece(n, done))
    if ((t = between_pieces(inst, done)) == WEFT_TRAP_NONE)
      memset(mem->data + d + done, v, piece(n, done));
  return t;
}

weft_trap wf_bulk_memory_copy(weft_instance *inst, u32 d, u32 s, u32 n) {
  weft_memory *mem = inst->mem0;
  if ((u64)d + n > mem->size || (u64)s + n > mem->size)
    return WEFT_TRAP_MEMORY_OOB;
  weft_trap t = charge_bytes(inst, n);
  /* Overlapping ranges: pieces from the end when copying upwards. */
  for (u32 done = 0; t == WEFT_TRAP_NONE && done < n; done += piece(n, done)) {
    u32 at = d > s ? n - done - piece(n, done) : done;
    if ((t = between_pieces(inst, done)) == WEFT_TRAP_NONE)
      memmove(mem->data + d + at, mem->data + s + at, piece(n, done));
  }
  return t;
}

weft_trap wf_bulk_memory_init(weft_instance *inst, u32 seg, u32 d, u32 s,
                              u32 n) {
  weft_memory *mem = inst->mem0;
  if ((u64)s + n > inst->data_len[seg] || (u64)d + n > mem->size)
    return WEFT_TRAP_MEMORY_OOB;
  weft_trap t = charge_bytes(inst, n);
  const u8 *src = inst->module->m.datas[seg].bytes.ptr + s;
  for (u32 done = 0; t == WEFT_TRAP_NONE && done < n; done += piece(n, done))
    if ((t = between_pieces(inst, done)) == WEFT_TRAP_NONE)
      memcpy(mem->data + d + done, src + done, piece(n, done));
  return t;
}

/* A grow that would exceed the limit fails (-1) for the instruction's
** cost alone; one that may succeed pays for its pages first. */
weft_trap wf_bulk_memory_grow(weft_instance *inst, u32 delta, i32 *out) {
  weft_memory *mem = inst->mem0;
  if ((u64)mem->pages + delta <= mem->max_pages) {
    weft_trap t = wf_fuel_charge(inst->engine, (u64)delta * WEFT_FUEL_PAGE);
    if (t != WEFT_TRAP_NONE)
      return t;
  }
  *out = (i32)wf_memory_grow(mem, delta);
  return WEFT_TRAP_NONE;
}

/* ---- tables ----------------------------------------------------------- */

weft_trap wf_bulk_table_grow(weft_instance *inst, u32 table, void *init, u32 n,
                             i32 *out) {
  weft_table *tb = inst->tables[table];
  if ((u64)tb->size + n <= tb->max) {
    weft_trap t = charge_elems(inst, n);
    if (t != WEFT_TRAP_NONE)
      return t;
  }
  *out = (i32)wf_table_grow(inst->engine, tb, n, init);
  return WEFT_TRAP_NONE;
}

weft_trap wf_bulk_table_fill(weft_instance *inst, u32 table, u32 i, void *v,
                             u32 n) {
  weft_table *tb = inst->tables[table];
  if ((u64)i + n > tb->size)
    return WEFT_TRAP_TABLE_OOB;
  weft_trap t = charge_elems(inst, n);
  for (u32 k = 0; t == WEFT_TRAP_NONE && k < n; k++)
    tb->elems[i + k] = v;
  return t;
}

weft_trap wf_bulk_table_copy(weft_instance *inst, u32 dst, u32 src, u32 d,
                             u32 s, u32 n) {
  weft_table *dt = inst->tables[dst], *st = inst->tables[src];
  if ((u64)d + n > dt->size || (u64)s + n > st->size)
    return WEFT_TRAP_TABLE_OOB;
  weft_trap t = charge_elems(inst, n);
  if (t == WEFT_TRAP_NONE)
    memmove(dt->elems + d, st->elems + s, (size_t)n * sizeof(void *));
  return t;
}

weft_trap wf_bulk_table_init(weft_instance *inst, u32 table, u32 seg, u32 d,
                             u32 s, u32 n) {
  weft_table *tb = inst->tables[table];
  struct wf_elem_inst *e = &inst->elems[seg];
  if ((u64)s + n > e->len || (u64)d + n > tb->size)
    return WEFT_TRAP_TABLE_OOB;
  weft_trap t = charge_elems(inst, n);
  if (t == WEFT_TRAP_NONE && n)
    memcpy(tb->elems + d, e->refs + s, (size_t)n * sizeof(void *));
  return t;
}

/* ==== multi-memory and memory64 ========================================
** The operations on any memory, with 64-bit operands (a 32-bit memory's
** are zero-extended by the caller). Same order as above: bounds, fuel,
** work in pieces. A memory64 is at most 2^47 bytes (engine.c caps
** max_memory64_bytes), so every length that passes a bounds check is one
** the fuel arithmetic above takes (at most 2^41 fuel). */

/* Is [at, at + n) inside a memory of `size` bytes? Without overflow. */
static bool in_bounds(u64 at, u64 n, u64 size) {
  return at <= size && n <= size - at;
}

static size_t piece64(u64 n, u64 done) {
  return (size_t)(n - done < PIECE ? n - done : PIECE);
}

static weft_trap between_pieces64(weft_instance *inst, u64 done) {
  return done ? wf_engine_poll(inst->engine) : WEFT_TRAP_NONE;
}

weft_trap wf_bulk_memx_fill(weft_instance *inst, u32 memidx, u64 d, u8 v,
                            u64 n) {
  weft_memory *mem = inst->memories[memidx];
  if (!in_bounds(d, n, mem->size))
    return WEFT_TRAP_MEMORY_OOB;
  weft_trap t = charge_bytes(inst, n);
  for (u64 done = 0; t == WEFT_TRAP_NONE && done < n; done += piece64(n, done))
    if ((t = between_pieces64(inst, done)) == WEFT_TRAP_NONE)
      memset(mem->data + d + done, v, piece64(n, done));
  return t;
}

weft_trap wf_bulk_memx_copy(weft_instance *inst, u32 dmem, u32 smem, u64 d,
                            u64 s, u64 n) {
  weft_memory *dm = inst->memories[dmem], *sm = inst->memories[smem];
  if (!in_bounds(d, n, dm->size) || !in_bounds(s, n, sm->size))
    return WEFT_TRAP_MEMORY_OOB;
  weft_trap t = charge_bytes(inst, n);
  /* Overlap only within one memory: then pieces from the end upwards. */
  bool up = dm == sm && d > s;
  for (u64 done = 0; t == WEFT_TRAP_NONE && done < n;
       done += piece64(n, done)) {
    u64 at = up ? n - done - piece64(n, done) : done;
    if ((t = between_pieces64(inst, done)) == WEFT_TRAP_NONE)
      memmove(dm->data + d + at, sm->data + s + at, piece64(n, done));
  }
  return t;
}

weft_trap wf_bulk_memx_init(weft_instance *inst, u32 memidx, u32 seg, u64 d,
                            u32 s, u32 n) {
  weft_memory *mem = inst->memories[memidx];
  if ((u64)s + n > inst->data_len[seg] || !in_bounds(d, n, mem->size))
    return WEFT_TRAP_MEMORY_OOB;
  weft_trap t = charge_bytes(inst, n);
  const u8 *src = inst->module->m.datas[seg].bytes.ptr + s;
  for (u64 done = 0; t == WEFT_TRAP_NONE && done < n; done += piece64(n, done))
    if ((t = between_pieces64(inst, done)) == WEFT_TRAP_NONE)
      memcpy(mem->data + d + done, src + done, piece64(n, done));
  return t;
}

/* A delta past u32 cannot succeed (memories stay under 2^31 pages). */
weft_trap wf_bulk_memx_grow(weft_instance *inst, u32 memidx, u64 delta,
                            i64 *out) {
  weft_memory *mem = inst->memories[memidx];
  if (delta > UINT32_MAX) {
    *out = -1;
    return WEFT_TRAP_NONE;
  }
  if ((u64)mem->pages + delta <= mem->max_pages) {
    weft_trap t = wf_fuel_charge(inst->engine, delta * WEFT_FUEL_PAGE);
    if (t != WEFT_TRAP_NONE)
      return t;
  }
  *out = wf_memory_grow(mem, (u32)delta);
  return WEFT_TRAP_NONE;
}
