/*
** aot_build.c — the C-compiler driver, outside libweft (libweft-aotbuild:
** the CLI, the spec runner and tests link it): writes a module's generated
** C (weft_module_emit_c) in chunks to a private temporary directory (the
** caller's tmp_dir), runs the C compiler on them in parallel (fork/exec,
** no shell), links them into a shared object, and reports progress
** through the caller's callback. Compilers run in process groups of their
** own under resource limits, and a build stops (killing and reaping them)
** on its deadline or when the embedder's cancel flag is set; no signal
** handler is installed here. Loading the object is the POSIX port's
** (weft_aot_load_so, ports/posix/aot_posix.c).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aot_units.h"
#include "weft_aot.h"
#include "weft_aot_build.h"

__attribute__((noinline)) static weft_status
fail(weft_error *err, weft_status s, const char *fmt, const char *a,
     const char *b) {
  if (err) {
    err->status = s;
    snprintf(err->message, sizeof err->message, fmt, a ? a : "", b ? b : "");
  }
  return s;
}

struct file_sink {
  FILE *f;
  int failed;
};

static void write_file(void *user, const char *data, size_t n) {
  struct file_sink *s = user;
  if (fwrite(data, 1, n, s->f) != n)
    s->failed = 1;
}

/* Split `s` on spaces into argv (in place in a private copy); argv has
** room for every word of `s` and the closing NULL. */
static void split(char *s, char **argv) {
  int at = 0;
  char *save = NULL; /* strtok_r: builds may run on several threads */
  for (char *tok = strtok_r(s, " \t", &save); tok;
       tok = strtok_r(NULL, " \t", &save))
    argv[at++] = tok;
  argv[at] = NULL;
}

/* An upper bound on the words split() finds in s. */
static size_t words(const char *s) {
  size_t n = 1;
  for (; *s; s++)
    n += *s == ' ' || *s == '\t';
  return n;
}

/* What stops a build early: the embedder's cancel flag or the deadline. */
enum stop { GO_ON = 0, STOP_CANCEL, STOP_TIMEOUT, STOP_CPU, STOP_FAILED };

struct watch {
  const weft_aot_build_options *o;
  struct timespec deadline; /* CLOCK_MONOTONIC; valid with o->timeout_ms */
};

static void watch_start(struct watch *w, const weft_aot_build_options *o) {
  w->o = o;
  clock_gettime(CLOCK_MONOTONIC, &w->deadline);
  w->deadline.tv_sec += o->timeout_ms / 1000;
  w->deadline.tv_nsec += (long)(o->timeout_ms % 1000) * 1000000L;
  if (w->deadline.tv_nsec >= 1000000000L) {
    w->deadline.tv_sec++;
    w->deadline.tv_nsec -= 1000000000L;
  }
}

static enum stop watch_check(const struct watch *w) {
  struct timespec now;
  if (w->o->cancel != NULL && *w->o->cancel)
    return STOP_CANCEL;
  if (w->o->timeout_ms == 0 || clock_gettime(CLOCK_MONOTONIC, &now) != 0)
    return GO_ON;
  if (now.tv_sec > w->deadline.tv_sec ||
      (now.tv_sec == w->deadline.tv_sec && now.tv_nsec >= w->deadline.tv_nsec))
    return STOP_TIMEOUT;
  return GO_ON;
}

/* In the child, before exec: its own process group (so it and everything
** it starts can be killed together, and a terminal's ^C reaches weft
** only), and the resource limits. */
static void limit_self(const weft_aot_build_options *o) {
  setpgid(0, 0);
  if (o->cpu_seconds != 0) {
    /* SIGXCPU at the limit, SIGKILL a second later if it is ignored. */
    struct rlimit r = {o->cpu_seconds, (rlim_t)o->cpu_seconds + 1};
    setrlimit(RLIMIT_CPU, &r);
  }
  if (o->memory_bytes != 0) {
    struct rlimit r = {o->memory_bytes, o->memory_bytes};
    setrlimit(RLIMIT_AS, &r);
  }
}

static pid_t spawn(char **argv, const weft_aot_build_options *o) {
  pid_t pid = fork();
  if (pid == 0) {
    limit_self(o);
    execvp(argv[0], argv);
    _exit(127);
  }
  if (pid > 0)
    setpgid(pid, pid); /* also here: no window before the child's own */
  return pid;
}

/* Kills the process groups of all running jobs and reaps the jobs. */
static void kill_all(const pid_t *pids, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    kill(-pids[i], SIGKILL);
  for (unsigned i = 0; i < n; i++)
    while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
      ;
}

/* Waits until one of pids[0..n) ends and returns its index (its status in
** *status), or -1 with *why set when the build must stop first. Polls, as
** the library may not take SIGCHLD from the embedder; a signal the
** embedder handles cuts the sleep short. */
static int wait_one(const pid_t *pids, unsigned n, const struct watch *w,
                    int *status, enum stop *why) {
  for (;;) {
    for (unsigned i = 0; i < n; i++) {
      pid_t r = waitpid(pids[i], status, WNOHANG);
      if (r == pids[i])
        return (int)i;
      if (r < 0 && errno != EINTR) {
        *why = STOP_FAILED;
        return -1;
      }
    }
    *why = watch_check(w);
    if (*why != GO_ON)
      return -1;
    struct timespec nap = {0, 10 * 1000000L};
    nanosleep(&nap, NULL);
  }
}

/* Compile or link: cc FLAGS EXTRA <rest...>; returns the exit status.
** The link names every chunk object, so argv is as long as the command. */
struct job {
  char *buf;   /* owns the strings argv points into */
  char **argv; /* NULL-terminated; its own allocation */
};

static int job_init(struct job *j, const weft_aot_build_options *o,
                    const char *rest) {
  const char *extra = o->extra_flags ? o->extra_flags : "";
  const char *opt = o->opt_flags ? o->opt_flags : "";
  size_t n = strlen(o->cc ? o->cc : "cc") + strlen(WEFT_AOT_CFLAGS) +
             strlen(extra) + strlen(opt) + strlen(rest) + 5;
  char *text = malloc(n);
  if (!text)
    return -1;
  snprintf(text, n, "%s %s %s %s %s", o->cc ? o->cc : "cc", WEFT_AOT_CFLAGS,
           extra, opt, rest);
  size_t argc = words(text);
  j->argv = malloc((argc + 1) * sizeof *j->argv);
  if (!j->argv) {
    free(text);
    return -1;
  }
  j->buf = text;
  split(j->buf, j->argv);
  return j->argv[0] ? 0 : -1;
}

static void progress(const weft_aot_build_options *o, unsigned done,
                     unsigned total) {
  if (o->progress)
    o->progress(o->progress_user, done, total);
}

/* A compiler ended by its CPU limit. (The SIGKILL a second later comes
** only to one that ignores SIGXCPU, and could as well be the OOM killer:
** that one counts as a failed compiler.) */
static int killed_by_limit(int status) {
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU;
}

/* What the wait status of a failed job says, for an error message; -1
** for one that could not be started. */
static void describe_status(int status, char *out, size_t n) {
  if (status == -1)
    snprintf(out, n, "; it could not be started or waited for");
  else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    snprintf(out, n, "; exit status 127 (the command was not found?)");
  else if (WIFEXITED(status))
    snprintf(out, n, "; exit status %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    snprintf(out, n, "; killed by signal %d", WTERMSIG(status));
  else
    snprintf(out, n, "; wait status %d", status);
}

/* Run the jobs, at most `jobs` at a time; GO_ON when all succeeded. On
** STOP_FAILED, *bad is the first failed job's wait status (-1: none
** could be started). */
static enum stop run_jobs(struct job *js, unsigned n, unsigned jobs,
                          const weft_aot_build_options *o,
                          const struct watch *w, int *bad) {
  unsigned next = 0, running = 0, done = 0;
  enum stop result = GO_ON;
  pid_t pids[256];
  *bad = -1;
  if (jobs == 0)
    jobs = 1;
  if (jobs > 256)
    jobs = 256;
  while (done < n) {
    while (result == GO_ON && running < jobs && next < n) {
      pid_t p = spawn(js[next].argv, o);
      if (p < 0) {
        result = STOP_FAILED;
        break;
      }
      pids[running++] = p;
      next++;
    }
    if (running == 0)
      break;
    int status;
    enum stop why = GO_ON;
    int i = wait_one(pids, running, w, &status, &why);
    if (i < 0) {
      kill_all(pids, running);
      return why;
    }
    pids[i] = pids[--running];
    done++;
    progress(o, done, n);
    if (killed_by_limit(status) && o->cpu_seconds != 0)
      result = STOP_CPU;
    else if (result == GO_ON && (!WIFEXITED(status) || WEXITSTATUS(status))) {
      result = STOP_FAILED;
      *bad = status;
    }
  }
  return result != GO_ON ? result : done < n ? STOP_FAILED : GO_ON;
}

/* Removes the private temporary directory and everything in it: chunk
** sources and objects, and whatever else a compiler left there. */
static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  if (d != NULL) {
    while ((e = readdir(d)) != NULL)
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
        unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
  }
  rmdir(dir);
}

/* The error for a build that stopped early. */
static weft_status stopped(weft_error *err, enum stop why,
                           const weft_aot_build_options *o) {
  char what[160];
  if (why == STOP_CANCEL)
    snprintf(what, sizeof what, "cancelled");
  else if (why == STOP_TIMEOUT)
    snprintf(what, sizeof what, "took longer than %u.%03u s (the timeout)",
             o->timeout_ms / 1000, o->timeout_ms % 1000);
  else
    snprintf(what, sizeof what, "used more than %u s of CPU time (its limit)",
             o->cpu_seconds);
  return fail(err, WEFT_ERR_LIMIT, "compiling: the C compiler %s%s; stopped",
              what, NULL);
}

/* Writes translation unit i to dir/chunk<i>.c through `unit` and prepares
** its compile job. */
static weft_status emit_unit(const struct wf_aot_units *u,
                             const weft_aot_build_options *o, const char *dir,
                             unsigned i, struct job *job, weft_error *err) {
  char path[4200], rest[8500];
  snprintf(path, sizeof path, "%.4096s/chunk%u.c", dir, i);
  struct file_sink sink = {fopen(path, "w"), 0};
  if (!sink.f)
    return fail(err, WEFT_ERR_ARG, "cannot write %s%s", path, NULL);
  weft_status s = u->write(u->user, i, write_file, &sink, err);
  if ((fclose(sink.f) != 0 || sink.failed) && s == WEFT_OK)
    s = fail(err, WEFT_ERR_ARG, "cannot write %s%s", path, NULL);
  if (s != WEFT_OK)
    return s;
  snprintf(rest, sizeof rest, "-c %.4150s -o %.4096s/chunk%u.o", path, dir, i);
  if (job_init(job, o, rest) != 0)
    return fail(err, WEFT_ERR_ARG, "compiler command too long%s%s", NULL, NULL);
  return WEFT_OK;
}

/* Links the chunk objects into so_path. */
static weft_status link_chunks(const weft_aot_build_options *o, const char *dir,
                               unsigned chunks, const char *so_path,
                               struct job *job, const struct watch *w,
                               weft_error *err) {
  size_t cap = strlen(so_path) + 32 + (size_t)chunks * (strlen(dir) + 24);
  char *link = malloc(cap), detail[128];
  enum stop why = STOP_FAILED;
  int bad = -1, started = 0;
  if (link) {
    size_t at = (size_t)snprintf(link, cap, "-shared -o %s", so_path);
    for (unsigned i = 0; i < chunks; i++)
      at += (size_t)snprintf(link + at, cap - at, " %s/chunk%u.o", dir, i);
    snprintf(link + at, cap - at, " -lm");
    if (job_init(job, o, link) == 0) {
      why = run_jobs(job, 1, 1, o, w, &bad);
      started = 1;
    }
  }
  free(link);
  if (why == STOP_FAILED) {
    if (started)
      describe_status(bad, detail, sizeof detail);
    else
      snprintf(detail, sizeof detail, "; out of memory");
    return fail(err, WEFT_ERR_UNSUPPORTED, "linking %s failed%s", so_path,
                detail);
  }
  return why == GO_ON ? WEFT_OK : stopped(err, why, o);
}

weft_status wf_aot_build_units(const struct wf_aot_units *u,
                               const weft_aot_build_options *o,
                               const char *so_path, weft_error *err) {
  unsigned chunks = u->count;
  const char *tmp = o->tmp_dir ? o->tmp_dir : getenv("TMPDIR");
  char dir[4096];
  struct watch w;
  watch_start(&w, o);
  snprintf(dir, sizeof dir, "%s/weft-aot-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir))
    return fail(err, WEFT_ERR_ARG, "cannot create a temporary directory: %s%s",
                strerror(errno), NULL);
  weft_status s = WEFT_OK;
  struct job *js = calloc(chunks + 1, sizeof *js);
  if (!js) {
    remove_dir(dir);
    return fail(err, WEFT_ERR_NOMEM, "out of memory%s%s", NULL, NULL);
  }
  for (unsigned i = 0; i < chunks && s == WEFT_OK; i++) {
    enum stop why = watch_check(&w);
    s = why != GO_ON ? stopped(err, why, o)
                     : emit_unit(u, o, dir, i, &js[i], err);
  }
  if (s == WEFT_OK) {
    int bad;
    char detail[192];
    enum stop why = run_jobs(js, chunks, o->jobs ? o->jobs : 1, o, &w, &bad);
    if (why == STOP_FAILED) {
      describe_status(bad, detail, sizeof detail);
      if (o->memory_bytes)
        snprintf(detail + strlen(detail), sizeof detail - strlen(detail),
                 "; it may have run out of its memory limit");
      s = fail(err, WEFT_ERR_UNSUPPORTED,
               "the C compiler failed (command: %s ...)%s",
               o->cc ? o->cc : "cc", detail);
    } else if (why != GO_ON)
      s = stopped(err, why, o);
  }
  if (s == WEFT_OK)
    s = link_chunks(o, dir, chunks, so_path, &js[chunks], &w, err);
  for (unsigned i = 0; i <= chunks; i++) {
    free(js[i].buf);
    free(js[i].argv);
  }
  free(js);
  remove_dir(dir);
  return s;
}

/* ---- one module ----------------------------------------------------------
** Its functions split into runs of neighbours of about equal code size,
** one run per chunk (cgen.c, chunk_range), chunk 0 holding the table. */

struct one_module {
  const weft_module *module;
  const weft_aot_build_options *o;
  unsigned chunks;
};

static weft_status write_chunk(void *user, unsigned i, weft_c_sink sink,
                               void *sink_user, weft_error *err) {
  const struct one_module *m = user;
  weft_aot_options ao;
  memset(&ao, 0, sizeof ao);
  ao.explicit_bounds_checks = m->o->explicit_bounds_checks;
  ao.chunk = i;
  ao.nchunks = m->chunks;
  ao.only = m->o->only;
  memcpy(ao.module_sha256, m->o->module_sha256, 32);
  return weft_module_emit_c(m->module, &ao, sink, sink_user, err);
}

static unsigned chunk_count(const weft_module *module,
                            const weft_aot_build_options *o) {
  weft_module_stats st;
  weft_module_stats_get(module, &st);
  unsigned chunks = o->chunks;
  if (chunks == 0) /* roughly 256 KiB of Wasm code per chunk */
    chunks = (unsigned)(st.code_bytes / (256u << 10)) + 1;
  if (chunks > 64)
    chunks = 64;
  if (chunks > st.funcs + 1)
    chunks = st.funcs + 1;
  return chunks;
}

weft_status weft_aot_build_so(const weft_module *module,
                              const weft_aot_build_options *o,
                              const char *so_path, weft_error *err) {
  struct one_module m = {module, o, chunk_count(module, o)};
  struct wf_aot_units u = {m.chunks, write_chunk, &m};
  return wf_aot_build_units(&u, o, so_path, err);
}
