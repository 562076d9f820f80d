/* cmark.c — a CoreMark-like mix (own code, not CoreMark): per iteration,
 * linked-list work (search, reverse, merge sort by two keys), small integer
 * matrix work (scale, multiply, bit fields) and a character state machine
 * that classifies number tokens, each result folded into a CRC-16.  It is
 * call-heavy and branchy like CoreMark: the phases are separate non-inlined
 * functions, as they are separate files in CoreMark.  n is the number of
 * iterations; ~4,000 take about 0.25 s natively. */
#include "common.h"

#define NOINLINE __attribute__((noinline))

/* ---- CRC-16 (CCITT polynomial, bitwise: CoreMark's crcu16 shape) ---- */
static NOINLINE uint16_t crc16_byte(uint8_t b, uint16_t crc)
{
    for (int i = 0; i < 8; i++) {
        int mix = ((crc >> 15) ^ (b >> 7)) & 1;
        crc = (uint16_t)(crc << 1);
        if (mix) crc ^= 0x1021;
        b = (uint8_t)(b << 1);
    }
    return crc;
}

static NOINLINE uint16_t crc16_word(uint32_t w, uint16_t crc)
{
    crc = crc16_byte((uint8_t)w, crc);
    crc = crc16_byte((uint8_t)(w >> 8), crc);
    crc = crc16_byte((uint8_t)(w >> 16), crc);
    return crc16_byte((uint8_t)(w >> 24), crc);
}

/* ---- Lists: nodes in a pool, linked by pointers ---- */
#define LIST_N 96

typedef struct node {
    struct node *next;
    int16_t key;  /* sorted by this, or by ord */
    uint16_t ord;
} node;

static node pool[LIST_N];

static NOINLINE node *list_build(uint32_t seed)
{
    for (int i = 0; i < LIST_N; i++) {
        pool[i].next = i + 1 < LIST_N ? &pool[i + 1] : 0;
        pool[i].key = (int16_t)(xorshift32(&seed) & 0x7fff) - 0x4000;
        pool[i].ord = (uint16_t)i;
    }
    return &pool[0];
}

static NOINLINE node *list_find(node *l, int16_t key)
{
    while (l && l->key != key) l = l->next;
    return l;
}

static NOINLINE node *list_reverse(node *l)
{
    node *r = 0;
    while (l) {
        node *n = l->next;
        l->next = r;
        r = l;
        l = n;
    }
    return r;
}

static NOINLINE int cmp_key(const node *a, const node *b) { return a->key - b->key; }
static NOINLINE int cmp_ord(const node *a, const node *b) { return (int)a->ord - (int)b->ord; }

/* Bottom-up merge sort of a singly linked list; cmp through a pointer, as
 * CoreMark's list sort does. */
static NOINLINE node *list_sort(node *l, int (*cmp)(const node *, const node *))
{
    for (int width = 1;; width *= 2) {
        node *p = l, *head = 0, *tail = 0;
        int merges = 0;
        while (p) {
            merges++;
            node *q = p;
            int ps = 0, qs = width;
            while (ps < width && q) { ps++; q = q->next; }
            while (ps > 0 || (qs > 0 && q)) {
                node *e;
                if (ps == 0) { e = q; q = q->next; qs--; }
                else if (qs == 0 || !q || cmp(p, q) <= 0) { e = p; p = p->next; ps--; }
                else { e = q; q = q->next; qs--; }
                if (tail) tail->next = e; else head = e;
                tail = e;
            }
            p = q;
        }
        tail->next = 0;
        l = head;
        if (merges <= 1) return l;
    }
}

static NOINLINE uint16_t list_phase(uint32_t seed, uint16_t crc)
{
    node *l = list_build(seed);
    for (int i = 0; i < 8; i++) {
        node *f = list_find(l, pool[(seed + (uint32_t)i * 37u) % LIST_N].key);
        crc = crc16_word(f ? f->ord : 0xffffu, crc);
        l = list_reverse(l);
    }
    l = list_sort(l, cmp_key);
    for (node *p = l; p; p = p->next) crc = crc16_word((uint16_t)p->key, crc);
    l = list_sort(l, cmp_ord);
    crc = crc16_word(l->ord + l->next->ord, crc);
    return crc;
}

/* ---- Matrices: N x N int16 in, int32 out ---- */
#define MAT_N 12

static int16_t ma[MAT_N * MAT_N], mb[MAT_N * MAT_N];
static int32_t mc[MAT_N * MAT_N];

static NOINLINE void mat_add_const(int16_t *a, int16_t v)
{
    for (int i = 0; i < MAT_N * MAT_N; i++) a[i] = (int16_t)(a[i] + v);
}

static NOINLINE void mat_mul(int32_t *c, const int16_t *a, const int16_t *b)
{
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT_N; k++) s += (int32_t)a[i * MAT_N + k] * b[k * MAT_N + j];
            c[i * MAT_N + j] = s;
        }
}

static NOINLINE void mat_mul_bits(int32_t *c, const int16_t *a, const int16_t *b)
{
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT_N; k++) {
                int32_t t = (int32_t)a[i * MAT_N + k] * b[k * MAT_N + j];
                s += (t >> 2) & 0xf;
                s += (t >> 5) & 0x7f;
            }
            c[i * MAT_N + j] = s;
        }
}

static NOINLINE uint16_t mat_sum(const int32_t *c, int32_t clip, uint16_t crc)
{
    int32_t acc = 0, prev = 0;
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        acc += c[i];
        if (acc > clip) { crc = crc16_word(10, crc); acc = 0; }
        else crc = crc16_word(acc > prev ? 1 : 0, crc);
        prev = acc;
    }
    return crc;
}

static NOINLINE uint16_t matrix_phase(uint32_t seed, uint16_t crc)
{
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        ma[i] = (int16_t)(xorshift32(&seed) & 0xff);
        mb[i] = (int16_t)((xorshift32(&seed) & 0x1ff) - 0x100);
    }
    mat_add_const(ma, (int16_t)(seed & 7));
    mat_mul(mc, ma, mb);
    crc = mat_sum(mc, 1 << 20, crc);
    mat_mul_bits(mc, ma, mb);
    return mat_sum(mc, 1 << 12, crc);
}

/* ---- State machine over number tokens ---- */
enum { S_START, S_INT, S_FRAC, S_EXP, S_EXP_SIGN, S_SCI, S_SIGN, S_DOT, S_BAD, S_COUNT };

static NOINLINE int is_digit(char c) { return c >= '0' && c <= '9'; }

static NOINLINE int step(int s, char c)
{
    switch (s) {
    case S_START:
        if (is_digit(c)) return S_INT;
        if (c == '+' || c == '-') return S_SIGN;
        if (c == '.') return S_DOT;
        return S_BAD;
    case S_SIGN:
        if (is_digit(c)) return S_INT;
        if (c == '.') return S_DOT;
        return S_BAD;
    case S_INT:
        if (is_digit(c)) return S_INT;
        if (c == '.') return S_FRAC;
        if (c == 'e' || c == 'E') return S_EXP;
        return S_BAD;
    case S_DOT:
    case S_FRAC:
        if (is_digit(c)) return S_FRAC;
        if (c == 'e' || c == 'E') return S_EXP;
        return S_BAD;
    case S_EXP:
        if (c == '+' || c == '-') return S_EXP_SIGN;
        if (is_digit(c)) return S_SCI;
        return S_BAD;
    case S_EXP_SIGN:
    case S_SCI:
        return is_digit(c) ? S_SCI : S_BAD;
    default:
        return S_BAD;
    }
}

static const char *const tokens[] = {
    "5012", "1.23", "-874", "+122", "3.5e-1", "-.6e+2", "12e", "0x1f", "7.",
    "++3", "98765", "-0.000", "4E9", ".e1", "31415", "2.71828",
};

static char text[512];

static NOINLINE int text_build(uint32_t seed)
{
    int len = 0;
    while (len < (int)sizeof text - 16) {
        const char *t = tokens[xorshift32(&seed) % (sizeof tokens / sizeof *tokens)];
        while (*t) text[len++] = *t++;
        text[len++] = ',';
    }
    return len;
}

static NOINLINE uint16_t state_phase(uint32_t seed, uint16_t crc)
{
    uint32_t count[S_COUNT] = {0};
    int len = text_build(seed), s = S_START;
    for (int i = 0; i < len; i++) {
        if (text[i] == ',') { count[s]++; s = S_START; continue; }
        s = step(s, text[i]);
    }
    for (int i = 0; i < S_COUNT; i++) crc = crc16_word(count[i], crc);
    return crc;
}

uint32_t run(uint32_t n)
{
    uint32_t h = BENCH_HASH_INIT, seed = 0x1234567u;
    uint16_t crc = 0;
    for (uint32_t i = 0; i < n; i++) {
        crc = list_phase(seed, crc);
        crc = matrix_phase(seed, crc);
        crc = state_phase(seed, crc);
        xorshift32(&seed);
        if ((i & 63u) == 0) h = mix32(h, crc);
    }
    return mix32(h, crc);
}
