/*
** t.h — a tiny unit-test harness. One test program per file, no
** dependencies. Each CHECK counts a pass or prints the failed condition
** with its location; T_DONE() prints the closing "N passed, N failed" line
** (which scripts/test.sh adds up) and yields the exit status.
**
**   #include "t.h"
**   static void test_leb(void) { CHECK(x == 1); CHECK_EQ_INT(n, 3); }
**   int main(void) { T_RUN(test_leb); return T_DONE(); }
*/
#ifndef WEFT_T_H
#define WEFT_T_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static unsigned t_passed_;
static unsigned t_failed_;

static inline void t_count_(int ok, const char *file, int line,
                            const char *what) {
  if (ok) {
    t_passed_++;
  } else {
    t_failed_++;
    fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
  }
}

/* CHECK(cond): passes when cond is true. */
#define CHECK(cond) t_count_(!!(cond), __FILE__, __LINE__, #cond)

/* Integer equality, printing both values on failure. */
#define CHECK_EQ_INT(a, b)                                                     \
  do {                                                                         \
    long long t_a_ = (long long)(a), t_b_ = (long long)(b);                    \
    t_count_(t_a_ == t_b_, __FILE__, __LINE__, #a " == " #b);                  \
    if (t_a_ != t_b_)                                                          \
      fprintf(stderr, "     %lld != %lld\n", t_a_, t_b_);                      \
  } while (0)

/* Unsigned 64-bit equality (bit patterns), printed in hex on failure. */
#define CHECK_EQ_U64(a, b)                                                     \
  do {                                                                         \
    uint64_t t_a_ = (uint64_t)(a), t_b_ = (uint64_t)(b);                       \
    t_count_(t_a_ == t_b_, __FILE__, __LINE__, #a " == " #b);                  \
    if (t_a_ != t_b_)                                                          \
      fprintf(stderr, "     0x%" PRIx64 " != 0x%" PRIx64 "\n", t_a_, t_b_);    \
  } while (0)

/* String equality (NULL-safe), printing both strings on failure. */
#define CHECK_STR_EQ(a, b)                                                     \
  do {                                                                         \
    const char *t_a_ = (a), *t_b_ = (b);                                       \
    int t_ok_ = (t_a_ == NULL || t_b_ == NULL) ? t_a_ == t_b_                  \
                                               : strcmp(t_a_, t_b_) == 0;      \
    t_count_(t_ok_, __FILE__, __LINE__, #a " == " #b);                         \
    if (!t_ok_)                                                                \
      fprintf(stderr, "     \"%s\" != \"%s\"\n", t_a_ ? t_a_ : "(null)",       \
              t_b_ ? t_b_ : "(null)");                                         \
  } while (0)

/* Substring test: haystack contains needle. */
#define CHECK_CONTAINS(hay, needle)                                            \
  do {                                                                         \
    const char *t_h_ = (hay), *t_n_ = (needle);                                \
    int t_ok_ = t_h_ != NULL && t_n_ != NULL && strstr(t_h_, t_n_) != NULL;    \
    t_count_(t_ok_, __FILE__, __LINE__, #hay " contains " #needle);            \
    if (!t_ok_)                                                                \
      fprintf(stderr, "     \"%s\" lacks \"%s\"\n", t_h_ ? t_h_ : "(null)",    \
              t_n_ ? t_n_ : "(null)");                                         \
  } while (0)

/* Runs one test function, naming it when it fails something. */
#define T_RUN(fn)                                                              \
  do {                                                                         \
    unsigned t_before_ = t_failed_;                                            \
    fn();                                                                      \
    if (t_failed_ != t_before_)                                                \
      fprintf(stderr, "  in %s\n", #fn);                                       \
  } while (0)

/* Prints the closing line and returns the exit status (0: all passed). */
#define T_DONE()                                                               \
  (printf("%u passed, %u failed\n", t_passed_, t_failed_), fflush(stdout),     \
   t_failed_ != 0 ? 1 : 0)

#endif /* WEFT_T_H */
