/*
** console.c — process.terminal: the process gets a new pseudo-terminal.
** Its master is sent, as one descriptor in an SCM_RIGHTS message, over
** the unix socket the caller named with --console-socket (conmon and the
** shim listen there and copy the terminal to the user); the slave
** becomes the process's stdin, stdout, stderr and controlling terminal.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "oci.h"

/* Sends fd over the socket at path; the name travels as the data byte
** runc sends too (the path of the slave). */
static int send_master(const char *path, int fd, const char *slave) {
  struct sockaddr_un addr;
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {(void *)slave, strlen(slave)};
  struct msghdr msg;
  struct cmsghdr *cm;
  int sock, rc;

  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(addr.sun_path, path);
  sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return -1;
  if (connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(sock);
    return -1;
  }
  memset(&msg, 0, sizeof msg);
  memset(cbuf, 0, sizeof cbuf);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  rc = sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
  close(sock);
  return rc;
}

int oci_console_setup(const char *sock_path, const struct oci_process *p) {
  char slave[128];
  int master, fd;

  master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 ||
      ptsname_r(master, slave, sizeof slave) != 0) {
    oci_errorf("cannot make a terminal: %s", strerror(errno));
    return -1;
  }
  if (p->height > 0 && p->width > 0) {
    struct winsize ws = {(unsigned short)p->height, (unsigned short)p->width, 0,
                         0};
    ioctl(master, TIOCSWINSZ, &ws);
  }
  fd = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 || send_master(sock_path, master, slave) != 0) {
    oci_errorf("--console-socket %s: cannot send the terminal: %s", sock_path,
               strerror(errno));
    close(master);
    return -1;
  }
  close(master);
  /* The caller made us a session leader (setsid): the slave becomes our
  ** controlling terminal. */
  if (ioctl(fd, TIOCSCTTY, 0) != 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 ||
      dup2(fd, 2) < 0) {
    oci_errorf("cannot attach the terminal: %s", strerror(errno));
    return -1;
  }
  if (fd > 2)
    close(fd);
  return 0;
}
