/*
** json.h — a small JSON reader for the spec runner (wast2json output).
** Parses a whole document into a tree of struct json_value; no external
** libraries. Strings are decoded to UTF-8 and may contain NUL bytes, so
** each keeps its byte length next to the NUL-terminated copy.
*/
#ifndef WEFT_SPEC_JSON_H
#define WEFT_SPEC_JSON_H

#include <stddef.h>

enum json_kind {
  JSON_NULL = 0,
  JSON_BOOL,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT
};

struct json_value {
  enum json_kind kind;
  int boolean;              /* JSON_BOOL */
  double number;            /* JSON_NUMBER */
  char *str;                /* JSON_STRING: NUL-terminated UTF-8 */
  size_t str_len;           /* JSON_STRING: bytes, without the final NUL */
  struct json_value *items; /* JSON_ARRAY / JSON_OBJECT: the values */
  char **keys;              /* JSON_OBJECT: key of each item */
  size_t count;             /* JSON_ARRAY / JSON_OBJECT: number of items */
};

/* Parse `len` bytes of `text` into *out. Returns 0 on success; on error
** returns -1 and writes a message with the line number into err. */
int json_parse(const char *text, size_t len, struct json_value *out, char *err,
               size_t err_size);

/* Free everything *v owns (not v itself). */
void json_free(struct json_value *v);

/* Member `key` of an object, or NULL (also when obj is not an object). */
const struct json_value *json_get(const struct json_value *obj,
                                  const char *key);

/* Member `key` as a string, or NULL when absent or not a string. */
const char *json_get_str(const struct json_value *obj, const char *key);

/* Member `key` as an integer, or `fallback` when absent or not a number. */
long json_get_int(const struct json_value *obj, const char *key, long fallback);

/* The whole file, NUL-terminated (the NUL not counted in *out_len), in a
** malloc'd buffer; NULL when it cannot be read. */
char *spec_read_file(const char *path, size_t *out_len);

#endif /* WEFT_SPEC_JSON_H */
