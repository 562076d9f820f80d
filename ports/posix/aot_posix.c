/*
** aot_posix.c — building and loading AoT shared objects on POSIX hosts:
** writes the generated C in chunks to a private temporary directory, runs
** the C compiler on them in parallel (fork/exec, no shell), links them,
** and dlopens the result. The library core never does any of this.
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "weft_aot.h"
#include "weft_aot_build.h"

#define MAX_ARGS 64

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

/* Split `s` on spaces into argv (in place in a private copy). */
static int split(char *s, char **argv, int at, int max) {
  for (char *tok = strtok(s, " \t"); tok && at < max - 1;
       tok = strtok(NULL, " \t"))
    argv[at++] = tok;
  return at;
}

static pid_t spawn(char **argv) {
  pid_t pid = fork();
  if (pid == 0) {
    execvp(argv[0], argv);
    _exit(127);
  }
  return pid;
}

/* Compile or link: cc FLAGS EXTRA <rest...>; returns the exit status. */
struct job {
  char *buf; /* owns the strings argv points into */
  char *argv[MAX_ARGS];
};

static int job_init(struct job *j, const weft_aot_build_options *o,
                    const char *rest) {
  size_t n = strlen(o->cc ? o->cc : "cc") + strlen(WEFT_AOT_CFLAGS) +
             strlen(o->extra_flags ? o->extra_flags : "") + strlen(rest) + 4;
  j->buf = malloc(n);
  if (!j->buf)
    return -1;
  snprintf(j->buf, n, "%s %s %s %s", o->cc ? o->cc : "cc", WEFT_AOT_CFLAGS,
           o->extra_flags ? o->extra_flags : "", rest);
  int argc = split(j->buf, j->argv, 0, MAX_ARGS);
  j->argv[argc] = NULL;
  return argc >= MAX_ARGS - 1 ? -1 : 0;
}

static void progress(const weft_aot_build_options *o, unsigned done,
                     unsigned total) {
  if (o->progress && isatty(2))
    fprintf(stderr, "\rweft: compiling %u/%u chunks%s", done, total,
            done == total ? "\n" : "");
}

/* Run the jobs, at most `jobs` at a time; 0 when all succeeded. */
static int run_jobs(struct job *js, unsigned n, unsigned jobs,
                    const weft_aot_build_options *o) {
  unsigned next = 0, running = 0, done = 0;
  int failed = 0;
  pid_t pids[256];
  if (jobs == 0)
    jobs = 1;
  if (jobs > 256)
    jobs = 256;
  while (done < n) {
    while (!failed && running < jobs && next < n) {
      pid_t p = spawn(js[next].argv);
      if (p < 0) {
        failed = 1;
        break;
      }
      pids[running++] = p;
      next++;
    }
    if (running == 0)
      break;
    int status;
    pid_t p = wait(&status);
    if (p < 0)
      return 1;
    for (unsigned i = 0; i < running; i++)
      if (pids[i] == p) {
        pids[i] = pids[--running];
        break;
      }
    done++;
    progress(o, done, n);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      failed = 1;
  }
  return failed || done < n;
}

static void remove_dir(const char *dir, unsigned chunks) {
  for (unsigned i = 0; i < chunks; i++) {
    char *path;
    if (asprintf(&path, "%s/chunk%u.c", dir, i) >= 0) {
      unlink(path);
      path[strlen(path) - 1] = 'o';
      unlink(path);
      free(path);
    }
  }
  rmdir(dir);
}

weft_status weft_aot_build_so(const weft_module *module,
                              const weft_aot_build_options *o,
                              const char *so_path, weft_error *err) {
  weft_module_stats st;
  weft_module_stats_get(module, &st);
  unsigned jobs = o->jobs ? o->jobs : 1;
  unsigned chunks = o->chunks;
  if (chunks == 0) /* roughly 256 KiB of Wasm code per chunk */
    chunks = (unsigned)(st.code_bytes / (256u << 10)) + 1;
  if (chunks > 64)
    chunks = 64;
  if (chunks > st.funcs + 1)
    chunks = st.funcs + 1;
  const char *tmp = getenv("TMPDIR");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/weft-aot-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir))
    return fail(err, WEFT_ERR_ARG, "cannot create a temporary directory: %s%s",
                strerror(errno), NULL);
  weft_status s = WEFT_OK;
  struct job *js = calloc(chunks + 1, sizeof *js);
  if (!js) {
    remove_dir(dir, 0);
    return fail(err, WEFT_ERR_NOMEM, "out of memory%s%s", NULL, NULL);
  }
  for (unsigned i = 0; i < chunks && s == WEFT_OK; i++) {
    char path[4200], rest[8500];
    snprintf(path, sizeof path, "%.4096s/chunk%u.c", dir, i);
    struct file_sink sink = {fopen(path, "w"), 0};
    if (!sink.f) {
      s = fail(err, WEFT_ERR_ARG, "cannot write %s%s", path, NULL);
      break;
    }
    weft_aot_options ao;
    memset(&ao, 0, sizeof ao);
    ao.explicit_bounds_checks = o->explicit_bounds_checks;
    ao.chunk = i;
    ao.nchunks = chunks;
    memcpy(ao.module_sha256, o->module_sha256, 32);
    s = weft_module_emit_c(module, &ao, write_file, &sink, err);
    if (fclose(sink.f) != 0 || sink.failed)
      if (s == WEFT_OK)
        s = fail(err, WEFT_ERR_ARG, "cannot write %s%s", path, NULL);
    if (s == WEFT_OK) {
      snprintf(rest, sizeof rest, "-c %.4150s -o %.4096s/chunk%u.o", path, dir,
               i);
      if (job_init(&js[i], o, rest) != 0)
        s = fail(err, WEFT_ERR_ARG, "compiler command too long%s%s", NULL,
                 NULL);
    }
  }
  if (s == WEFT_OK && run_jobs(js, chunks, jobs, o) != 0)
    s = fail(err, WEFT_ERR_UNSUPPORTED,
             "the C compiler failed (command: %s ...%s)", o->cc ? o->cc : "cc",
             NULL);
  if (s == WEFT_OK) {
    size_t cap = strlen(so_path) + 32 + (size_t)chunks * (strlen(dir) + 24);
    char *link = malloc(cap);
    size_t at =
        link ? (size_t)snprintf(link, cap, "-shared -o %s", so_path) : 0;
    for (unsigned i = 0; link && i < chunks; i++)
      at += (size_t)snprintf(link + at, cap - at, " %s/chunk%u.o", dir, i);
    if (link)
      snprintf(link + at, cap - at, " -lm");
    if (!link || job_init(&js[chunks], o, link) != 0 ||
        run_jobs(&js[chunks], 1, 1, o) != 0)
      s = fail(err, WEFT_ERR_UNSUPPORTED, "linking %s failed%s", so_path, NULL);
    free(link);
  }
  for (unsigned i = 0; i <= chunks; i++)
    free(js[i].buf);
  free(js);
  remove_dir(dir, chunks);
  return s;
}

weft_status weft_aot_load_so(weft_module *module, const char *so_path,
                             void **out_handle, weft_error *err) {
  *out_handle = NULL;
  void *h = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return fail(err, WEFT_ERR_ARG, "cannot load compiled code: %s%s", dlerror(),
                NULL);
  const void *table = dlsym(h, WEFT_AOT_SYMBOL);
  if (!table) {
    dlclose(h);
    return fail(err, WEFT_ERR_ARG, "%s has no weft module table%s", so_path,
                NULL);
  }
  weft_status s = weft_module_attach_aot(module, table, err);
  if (s != WEFT_OK) {
    dlclose(h);
    return s;
  }
  *out_handle = h;
  return WEFT_OK;
}

void weft_aot_unload(void *handle) {
  if (handle)
    dlclose(handle);
}
