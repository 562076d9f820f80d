/*
** sandbox.c — a Kubernetes pod's sandbox ("pause") container. The CRI
** (containerd, CRI-O) starts one per pod with the RuntimeClass's runtime,
** before the pod's own containers; its image is a native /pause binary
** that only waits for a signal, to hold the pod's namespaces. weft-oci
** makes no namespaces, so there is nothing to hold: when no fallback
** runtime is configured, such a container's init does the waiting itself
** (a built-in pause) instead of refusing the native image, so a Wasm
** RuntimeClass works without runc beside it. With a fallback configured
** the real /pause runs there.
*/
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

int oci_is_pod_sandbox(const json_t *annotations) {
  const char *cri = json_string_value(
      json_object_get(annotations, "io.kubernetes.cri.container-type"));
  const char *crio = json_string_value(
      json_object_get(annotations, "io.kubernetes.cri-o.ContainerType"));

  return (cri != NULL && strcmp(cri, "sandbox") == 0) ||
         (crio != NULL && strcmp(crio, "sandbox") == 0);
}

void oci_pause_forever(void) {
  sigset_t set;
  int sig;

  /* As /pause: exit 0 on SIGINT or SIGTERM (SIGKILL needs no help). */
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, NULL);
  while (sigwait(&set, &sig) != 0)
    ;
  _exit(0);
}
