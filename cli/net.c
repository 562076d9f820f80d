/*
** net.c — listening sockets for `weft run --tcplisten ADDR:PORT`, handed
** to the program through WASI (sock_accept). The only networking in the
** CLI; the library never opens sockets itself.
*/
#define _GNU_SOURCE
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"

int cli_tcp_listen(const char *spec) {
  struct addrinfo hints, *res = NULL, *ai;
  char host[256];
  const char *colon = strrchr(spec, ':');
  size_t n;
  int fd = -1, one = 1, rc;

  if (colon == NULL || colon == spec || colon[1] == '\0' ||
      (size_t)(colon - spec) >= sizeof host) {
    cli_errorf("invalid value '%s' for --tcplisten (want HOST:PORT)", spec);
    return -1;
  }
  n = (size_t)(colon - spec);
  if (spec[0] == '[' && n >= 2 && spec[n - 1] == ']') { /* [::1]:8080 */
    memcpy(host, spec + 1, n - 2);
    host[n - 2] = '\0';
  } else {
    memcpy(host, spec, n);
    host[n] = '\0';
  }
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  rc = getaddrinfo(host, colon + 1, &hints, &res);
  if (rc != 0) {
    cli_errorf("--tcplisten %s: %s", spec, gai_strerror(rc));
    return -1;
  }
  for (ai = res; ai != NULL; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
      continue;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
      break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0)
    cli_errorf("--tcplisten %s: cannot listen there", spec);
  return fd;
}
