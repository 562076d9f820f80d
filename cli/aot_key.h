/*
** aot_key.h — the per-user key that authenticates AoT artifacts and --aot
** cache entries (docs/aot-artifact.md, "Trust"): 32 random bytes in a file
** only this user can read, made on first use. An artifact is loaded only
** when its HMAC-SHA256 under this key verifies, so a file someone else
** wrote, or edited, is never native code weft runs.
*/
#ifndef WEFT_CLI_AOT_KEY_H
#define WEFT_CLI_AOT_KEY_H

#include <stddef.h>
#include <stdint.h>

#define CLI_AOT_KEY_SIZE 32
#define CLI_AOT_KEY_ID_SIZE 16

/* Finds the key: `given` (--aot-key FILE), else the file named by
** $WEFT_AOT_KEY, else $XDG_CONFIG_HOME/weft/aot.key or
** ~/.config/weft/aot.key. Only the default file is ever created, and only
** with `create` (32 random bytes, mode 0600, in a directory made 0700).
** A key file that is a symbolic link, not a regular file of 32 bytes, not
** owned by this user, or readable or writable by group or others is
** refused. Returns 0 with the key in `key` and its file in `path`; 1 when
** there is no key and `create` is 0 (not reported); -1 after reporting. */
int cli_aot_key_get(const char *given, int create,
                    uint8_t key[CLI_AOT_KEY_SIZE], char *path,
                    size_t path_size);

/* The key's public name, recorded in artifacts so a refusal can say
** "made with another key": the first 16 bytes of SHA-256("weft-aot-key-id"
** NUL key). It reveals nothing that helps forge a MAC. */
void cli_aot_key_id(const uint8_t key[CLI_AOT_KEY_SIZE],
                    uint8_t out[CLI_AOT_KEY_ID_SIZE]);

#endif /* WEFT_CLI_AOT_KEY_H */
