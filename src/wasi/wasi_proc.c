/*
** wasi_proc.c — the program's world outside files: args and environ,
** clocks, random_get, sched_yield and poll_oneoff (clock and fd
** subscriptions). Time and waiting come from weft_wasi_sys only.
*/
#include "wasi.h"

/* {====================================================================
** args and environ
** ===================================================================== */

static u16 sizes_get(const struct wf_mem *m, u32 count_ptr, u32 size_ptr,
                     u32 count, u32 size) {
  if (!wf_mem_ok(m, count_ptr, 4) || !wf_mem_ok(m, size_ptr, 4))
    return WEFT_WASI_EFAULT;
  wf_put_u32(m->base + count_ptr, count);
  wf_put_u32(m->base + size_ptr, size);
  return WEFT_WASI_ESUCCESS;
}

/* Writes `count` pointers at ptrs_ptr and the strings at buf_ptr. */
static u16 strings_get(const struct wf_mem *m, u32 ptrs_ptr, u32 buf_ptr,
                       const char *strs, u32 count, u32 size) {
  u32 i, off = 0;

  if (!wf_mem_ok(m, ptrs_ptr, (u64)count * 4) || !wf_mem_ok(m, buf_ptr, size))
    return WEFT_WASI_EFAULT;
  for (i = 0; i < count; i++) {
    u32 len = (u32)strlen(strs + off) + 1;
    wf_put_u32(m->base + ptrs_ptr + 4 * i, buf_ptr + off);
    off += len;
  }
  if (size != 0)
    memcpy(m->base + buf_ptr, strs, size);
  return WEFT_WASI_ESUCCESS;
}

WF_WASI_FN(args_sizes_get) {
  return sizes_get(m, a[0].u32, a[1].u32, w->argc, w->args_size);
}

WF_WASI_FN(args_get) {
  return strings_get(m, a[0].u32, a[1].u32, w->args, w->argc, w->args_size);
}

WF_WASI_FN(environ_sizes_get) {
  return sizes_get(m, a[0].u32, a[1].u32, w->envc, w->env_size);
}

WF_WASI_FN(environ_get) {
  return strings_get(m, a[0].u32, a[1].u32, w->env, w->envc, w->env_size);
}

/* }==================================================================== */

/* {====================================================================
** clocks, random, yield
** ===================================================================== */

WF_WASI_FN(clock_res_get) {
  u32 id = a[0].u32, ptr = a[1].u32;
  u64 res = 0;
  u16 e;

  if (!wf_mem_ok(m, ptr, 8))
    return WEFT_WASI_EFAULT;
  if (id > WEFT_WASI_CLOCK_THREAD_CPUTIME)
    return WEFT_WASI_EINVAL;
  e = w->sys->clock_res(w->sys_user, id, &res);
  if (e != WEFT_WASI_ESUCCESS)
    return e;
  wf_put_u64(m->base + ptr, res);
  return WEFT_WASI_ESUCCESS;
}

u16 wf_wasi_clock_time(struct weft_wasi *w, u32 id, u64 *out) {
  u16 e = w->sys->clock_time(w->sys_user, id, out);
  if (e != WEFT_WASI_ESUCCESS)
    return e;
  /* the offsets wrap: they may be "negative" */
  if (id == WEFT_WASI_CLOCK_MONOTONIC)
    *out += w->mono_offset;
  else if (id == WEFT_WASI_CLOCK_PROCESS_CPUTIME ||
           id == WEFT_WASI_CLOCK_THREAD_CPUTIME)
    *out += w->cpu_offset[id - WEFT_WASI_CLOCK_PROCESS_CPUTIME];
  return e;
}

WF_WASI_FN(clock_time_get) {
  u32 id = a[0].u32, ptr = a[2].u32;
  u64 now = 0;
  u16 e;

  /* a[1] is the precision the program would accept: a hint, unused. */
  if (!wf_mem_ok(m, ptr, 8))
    return WEFT_WASI_EFAULT;
  if (id > WEFT_WASI_CLOCK_THREAD_CPUTIME)
    return WEFT_WASI_EINVAL;
  e = wf_wasi_clock_time(w, id, &now);
  if (e != WEFT_WASI_ESUCCESS)
    return e;
  wf_put_u64(m->base + ptr, now);
  return WEFT_WASI_ESUCCESS;
}

WF_WASI_FN(random_get) {
  u32 buf = a[0].u32, len = a[1].u32;

  if (!wf_mem_ok(m, buf, len))
    return WEFT_WASI_EFAULT;
  if (len == 0)
    return WEFT_WASI_ESUCCESS;
  return w->sys->random(w->sys_user, m->base + buf, len);
}

WF_WASI_FN(sched_yield) {
  WF_UNUSED(m);
  WF_UNUSED(a);
  return w->sys->yield != NULL ? w->sys->yield(w->sys_user)
                               : WEFT_WASI_ESUCCESS;
}

/* }==================================================================== */

/* {====================================================================
** poll_oneoff
** ===================================================================== */

#define SUB_SIZE 48
#define EVENT_SIZE 32
#define EVENTTYPE_CLOCK 0
#define EVENTTYPE_FD_READ 1
#define EVENTTYPE_FD_WRITE 2
#define SUBCLOCK_ABSTIME 0x1
#define EVENT_FD_HANGUP 0x1

/* One subscription, decoded. */
struct sub {
  u64 userdata;
  u8 type;
  bool fired;   /* an event is reported for it */
  u16 error;    /* of the event */
  u64 nbytes;   /* fd events */
  u16 flags;    /* fd events: EVENT_FD_HANGUP */
  u32 clock_id; /* clock subscriptions */
  u64 deadline; /*   in that clock's time */
  i32 pollfd;   /* fd subscriptions: index in the pollfd array or -1 */
};

/* A clock's time now, or UINT64_MAX when it cannot be read. */
static u64 clock_now(struct weft_wasi *w, u32 id) {
  u64 now = 0;
  if (wf_wasi_clock_time(w, id, &now) != WEFT_WASI_ESUCCESS)
    return UINT64_MAX;
  return now;
}

static u16 decode_clock(struct weft_wasi *w, const u8 *in, struct sub *s) {
  u32 id = wf_get_u32(in + 16);
  u64 timeout = wf_get_u64(in + 24);
  u16 flags = wf_get_u16(in + 40);
  u64 now;

  /* Only the realtime and monotonic clocks can be waited on (wasmtime). */
  s->clock_id = id;
  if ((id != WEFT_WASI_CLOCK_REALTIME && id != WEFT_WASI_CLOCK_MONOTONIC) ||
      (flags & ~SUBCLOCK_ABSTIME) != 0)
    return WEFT_WASI_EINVAL;
  if (flags & SUBCLOCK_ABSTIME) {
    s->deadline = timeout;
    return WEFT_WASI_ESUCCESS;
  }
  now = clock_now(w, id);
  if (now == UINT64_MAX)
    return WEFT_WASI_EINVAL;
  s->deadline = timeout > UINT64_MAX - now ? UINT64_MAX : now + timeout;
  return WEFT_WASI_ESUCCESS;
}

/* Bytes left to read in a file that is always ready. */
static u64 bytes_left(struct wf_wasi_fd *e) {
  weft_wasi_filestat st;
  u64 pos = 0;

  if (e->filetype != WEFT_WASI_FILETYPE_REGULAR_FILE || !e->fs->fstat ||
      !e->fs->seek)
    return 0;
  if (e->fs->fstat(e->fs_user, e->file, &st) != WEFT_WASI_ESUCCESS ||
      e->fs->seek(e->fs_user, e->file, 0, WEFT_WASI_WHENCE_CUR, &pos) !=
          WEFT_WASI_ESUCCESS)
    return 0;
  return st.size > pos ? st.size - pos : 0;
}

static void decode_fd(struct weft_wasi *w, const u8 *in, struct sub *s,
                      weft_wasi_pollfd *pfds, u32 *npfds) {
  struct wf_wasi_fd *e;
  u16 r = wf_wasi_fd_get(w, wf_get_u32(in + 16), WF_R_POLL_FD_READWRITE, &e);
  int host_fd;

  if (r != WEFT_WASI_ESUCCESS) {
    s->fired = true;
    s->error = r;
    return;
  }
  host_fd = e->fs->poll_handle ? e->fs->poll_handle(e->fs_user, e->file) : -1;
  if (host_fd < 0) {
    s->fired = true;
    s->nbytes = s->type == EVENTTYPE_FD_READ ? bytes_left(e) : 0;
    return;
  }
  memset(&pfds[*npfds], 0, sizeof pfds[*npfds]);
  pfds[*npfds].host_fd = host_fd;
  pfds[*npfds].want = s->type == EVENTTYPE_FD_READ ? 1 : 2;
  s->pollfd = (i32)*npfds;
  *npfds += 1;
}

/* Decodes every subscription before any event is written: `in` and `out`
** may overlap. EINVAL for an unknown tag or clock; a bad fd becomes an
** event carrying the error. */
static u16 decode_subs(struct weft_wasi *w, const u8 *in, u32 n,
                       struct sub *subs, weft_wasi_pollfd *pfds, u32 *npfds) {
  u32 i;

  for (i = 0; i < n; i++, in += SUB_SIZE) {
    struct sub *s = &subs[i];
    memset(s, 0, sizeof *s);
    s->userdata = wf_get_u64(in);
    s->type = in[8];
    s->pollfd = -1;
    if (s->type == EVENTTYPE_CLOCK) {
      u16 r = decode_clock(w, in, s);
      if (r != WEFT_WASI_ESUCCESS)
        return r;
    } else if (s->type == EVENTTYPE_FD_READ || s->type == EVENTTYPE_FD_WRITE)
      decode_fd(w, in, s, pfds, npfds);
    else
      return WEFT_WASI_EINVAL;
  }
  return WEFT_WASI_ESUCCESS;
}

/* Nanoseconds until the earliest pending clock, or -1 when none. */
static i64 earliest_timeout(struct weft_wasi *w, const struct sub *subs,
                            u32 n) {
  i64 best = -1;
  u32 i;

  for (i = 0; i < n; i++) {
    const struct sub *s = &subs[i];
    u64 now, left;
    if (s->type != EVENTTYPE_CLOCK || s->fired)
      continue;
    now = clock_now(w, s->clock_id);
    left = s->deadline > now ? s->deadline - now : 0;
    if (left > INT64_MAX)
      left = INT64_MAX;
    if (best < 0 || (i64)left < best)
      best = (i64)left;
  }
  return best;
}

/* After waiting: fire expired clocks and ready descriptors. */
static u32 collect_events(struct weft_wasi *w, struct sub *subs, u32 n,
                          const weft_wasi_pollfd *pfds) {
  u32 i, fired = 0;

  for (i = 0; i < n; i++) {
    struct sub *s = &subs[i];
    if (!s->fired && s->type == EVENTTYPE_CLOCK &&
        clock_now(w, s->clock_id) >= s->deadline)
      s->fired = true;
    if (!s->fired && s->pollfd >= 0 && pfds[s->pollfd].ready != 0) {
      const weft_wasi_pollfd *p = &pfds[s->pollfd];
      s->fired = true;
      s->nbytes = p->nbytes;
      if (p->ready == 2)
        s->flags = EVENT_FD_HANGUP;
      else if (p->ready == 3)
        s->error = WEFT_WASI_EIO;
    }
    fired += s->fired;
  }
  return fired;
}

/* The clock with the earliest deadline fires: used when the host's wait
** ended by timeout but a coarse clock does not yet show the deadline. */
static void fire_earliest_clock(struct sub *subs, u32 n) {
  struct sub *best = NULL;
  u32 i;
  for (i = 0; i < n; i++)
    if (subs[i].type == EVENTTYPE_CLOCK && !subs[i].fired &&
        (best == NULL || subs[i].deadline < best->deadline))
      best = &subs[i];
  if (best != NULL)
    best->fired = true;
}

static u32 write_events(const struct sub *subs, u32 n, u8 *out) {
  u32 i, count = 0;

  for (i = 0; i < n; i++) {
    const struct sub *s = &subs[i];
    u8 ev[EVENT_SIZE];
    if (!s->fired)
      continue;
    memset(ev, 0, sizeof ev);
    wf_put_u64(ev, s->userdata);
    wf_put_u16(ev + 8, s->error);
    ev[10] = s->type;
    if (s->type != EVENTTYPE_CLOCK) {
      wf_put_u64(ev + 16, s->nbytes);
      wf_put_u16(ev + 24, s->flags);
    }
    memcpy(out + (size_t)count * EVENT_SIZE, ev, EVENT_SIZE);
    count++;
  }
  return count;
}

static u16 wait_for_events(struct weft_wasi *w, struct sub *subs, u32 n,
                           weft_wasi_pollfd *pfds, u32 npfds) {
  u32 i;
  bool any_fired = false;

  for (i = 0; i < n; i++)
    any_fired |= subs[i].fired;
  for (;;) {
    i64 timeout = any_fired ? 0 : earliest_timeout(w, subs, n);
    u16 e;
    if (npfds == 0 && timeout < 0)
      return WEFT_WASI_ESUCCESS; /* nothing can ever happen */
    e = w->sys->poll(w->sys_user, pfds, npfds, timeout);
    if (e == WEFT_WASI_EINTR) {
      if (!wf_wasi_retry_blocked(w))
        return WF_WASI_STOPPED;
      continue; /* clock deadlines are absolute: the wait resumes */
    }
    if (e != WEFT_WASI_ESUCCESS)
      return e;
    if (collect_events(w, subs, n, pfds) != 0)
      return WEFT_WASI_ESUCCESS;
    if (timeout >= 0) {
      fire_earliest_clock(subs, n);
      return WEFT_WASI_ESUCCESS;
    }
  }
}

WF_WASI_FN(poll_oneoff) {
  u32 in = a[0].u32, out = a[1].u32, n = a[2].u32, nevents_ptr = a[3].u32;
  struct sub *subs;
  weft_wasi_pollfd *pfds;
  u32 npfds = 0, count = 0;
  u16 e;

  if (!wf_mem_ok(m, in, (u64)n * SUB_SIZE) ||
      !wf_mem_ok(m, out, (u64)n * EVENT_SIZE) || !wf_mem_ok(m, nevents_ptr, 4))
    return WEFT_WASI_EFAULT;
  if (n == 0)
    return WEFT_WASI_EINVAL;
  subs = wf_alloc_array(w->alloc, n, sizeof *subs);
  pfds = wf_alloc_array(w->alloc, n, sizeof *pfds);
  if (subs == NULL || pfds == NULL) {
    e = WEFT_WASI_ENOMEM;
    goto done;
  }
  e = decode_subs(w, m->base + in, n, subs, pfds, &npfds);
  if (e == WEFT_WASI_ESUCCESS)
    e = wait_for_events(w, subs, n, pfds, npfds);
  if (e == WEFT_WASI_ESUCCESS) {
    count = write_events(subs, n, m->base + out);
    wf_put_u32(m->base + nevents_ptr, count);
  }
done:
  if (subs != NULL)
    wf_alloc_free(w->alloc, subs, (size_t)n * sizeof *subs);
  if (pfds != NULL)
    wf_alloc_free(w->alloc, pfds, (size_t)n * sizeof *pfds);
  return e;
}

/* }==================================================================== */
