/*
** main.c — `weft` entry point: subcommand dispatch, help and version.
** The CLI is the only code in weft that calls exit(); it sees include/ only.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "weft_aot.h"

static void usage(FILE *out) {
  fputs("weft " WEFT_VERSION " — a WebAssembly 2.0 runtime\n"
        "\n"
        "usage: weft <command> [options] ...\n"
        "\n"
        "commands:\n"
        "  run FILE.wasm [ARGS...]   instantiate and run a module (--aot\n"
        "                            compiles; --allow-precompiled runs a\n"
        "                            FILE.cwasm made with your AoT key)\n"
        "  compile FILE.wasm         compile ahead of time to FILE.cwasm\n"
        "  validate FILE.wasm        decode and validate a module\n"
        "  wast FILE.wast...         run WebAssembly spec scripts\n"
        "  wat2wasm IN.wat -o OUT    text format to binary\n"
        "  inspect FILE              show sections, imports, exports, sizes\n"
        "                            (of an artifact: its header and whether\n"
        "                            it authenticates with your AoT key)\n"
        "  sign IN.wasm -o OUT.wasm  add a weft.sig signature (sealing)\n"
        "  provision --endorser-key E.pem   make a device (attestation key,\n"
        "                            seal key, endorsement; software root)\n"
        "  keygen OUT.pem            make an endorser or verifier key\n"
        "  verifier --listen H:P ... appraise evidence, release secrets\n"
        "  verify-account FILE       check a signed --account record\n"
        "  restore SNAPSHOT          continue a program saved by weft run\n"
        "                            --snapshot-dir (any ISA)\n"
        "  help [COMMAND]            show this help or a command's help\n"
        "\n"
        "  weft FILE.wasm ...        is short for `weft run FILE.wasm ...`\n"
        "  weft --allow-precompiled FILE.cwasm ...   for `weft run\n"
        "                            --allow-precompiled FILE.cwasm ...`\n"
        "  weft --version (-v)       print the version, AoT ABI and root of\n"
        "                            trust\n"
        "\n",
        out);
  cli_usage_run(out);
  fputs("\nexit status: 0 success, 1 usage error or unreadable file,\n"
        "2 module rejected (malformed, invalid, link or instantiation error,\n"
        "an artifact refused, compilation failed),\n"
        "3 trap; a program that calls proc_exit exits with its own code.\n",
        out);
}

static int help(int argc, char **argv) {
  if (argc < 2) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  if (strcmp(argv[1], "run") == 0)
    cli_usage_run(stdout);
  else if (strcmp(argv[1], "restore") == 0)
    cli_usage_restore(stdout);
  else if (strcmp(argv[1], "validate") == 0)
    cli_usage_validate(stdout);
  else if (strcmp(argv[1], "inspect") == 0)
    cli_usage_inspect(stdout);
  else if (strcmp(argv[1], "wast") == 0)
    cli_usage_wast(stdout);
  else if (strcmp(argv[1], "wat2wasm") == 0)
    cli_usage_wat2wasm(stdout);
  else if (strcmp(argv[1], "compile") == 0)
    cli_usage_compile(stdout);
  else if (strcmp(argv[1], "sign") == 0)
    cli_usage_sign(stdout);
  else if (strcmp(argv[1], "provision") == 0)
    cli_usage_provision(stdout);
  else if (strcmp(argv[1], "keygen") == 0)
    cli_usage_keygen(stdout);
  else if (strcmp(argv[1], "verifier") == 0)
    cli_usage_verifier(stdout);
  else if (strcmp(argv[1], "verify-account") == 0)
    cli_usage_verify_account(stdout);
  else {
    cli_errorf("unknown command '%s' (try 'weft help')", argv[1]);
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}

static int looks_like_module(const char *arg) {
  size_t n = strlen(arg);
  return (n > 5 && strcmp(arg + n - 5, ".wasm") == 0) ||
         (n > 4 && strcmp(arg + n - 4, ".wat") == 0) ||
         (n > 6 && strcmp(arg + n - 6, ".cwasm") == 0);
}

int main(int argc, char **argv) {
  const char *cmd;
  int rc;

  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  cmd = argv[1];
  if (strcmp(cmd, "run") == 0)
    rc = cmd_run(argc - 1, argv + 1);
  else if (strcmp(cmd, "restore") == 0)
    rc = cmd_restore(argc - 1, argv + 1);
  else if (strcmp(cmd, "validate") == 0)
    rc = cmd_validate(argc - 1, argv + 1);
  else if (strcmp(cmd, "inspect") == 0)
    rc = cmd_inspect(argc - 1, argv + 1);
  else if (strcmp(cmd, "wast") == 0)
    rc = cmd_wast(argc - 1, argv + 1);
  else if (strcmp(cmd, "wat2wasm") == 0)
    rc = cmd_wat2wasm(argc - 1, argv + 1);
  else if (strcmp(cmd, "compile") == 0)
    rc = cmd_compile(argc - 1, argv + 1);
  else if (strcmp(cmd, "sign") == 0)
    rc = cmd_sign(argc - 1, argv + 1);
  else if (strcmp(cmd, "provision") == 0)
    rc = cmd_provision(argc - 1, argv + 1);
  else if (strcmp(cmd, "keygen") == 0)
    rc = cmd_keygen(argc - 1, argv + 1);
  else if (strcmp(cmd, "verifier") == 0)
    rc = cmd_verifier(argc - 1, argv + 1);
  else if (strcmp(cmd, "verify-account") == 0)
    rc = cmd_verify_account(argc - 1, argv + 1);
  else if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 ||
           strcmp(cmd, "--help") == 0)
    rc = help(argc - 1, argv + 1);
  else if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 ||
           strcmp(cmd, "-v") == 0 || strcmp(cmd, "version") == 0) {
    printf("weft %s\nAoT ABI %d\n"
           "root of trust: software (no TEE on this machine)\n",
           WEFT_VERSION, WEFT_AOT_ABI);
    rc = CLI_EXIT_OK;
  } else if (looks_like_module(cmd) ||
             strcmp(cmd, "--allow-precompiled") == 0) {
    /* `weft app.wasm args...` == `weft run app.wasm args...`, and
    ** `weft --allow-precompiled app.cwasm` == `weft run --allow-... */
    argv[0] = "run";
    rc = cmd_run(argc, argv);
  } else {
    cli_errorf("unknown command '%s' (try 'weft help')", cmd);
    rc = CLI_EXIT_USAGE;
  }
  if (fflush(stdout) != 0 && rc == CLI_EXIT_OK)
    rc = CLI_EXIT_USAGE;
  return rc;
}
