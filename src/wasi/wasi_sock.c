/*
** wasi_sock.c — preview 1's sockets: sock_accept on a listening socket
** the embedder handed over (weft_wasi_config.sockets, `weft run
** --tcplisten`), and sock_recv / sock_send / sock_shutdown on what it
** returns. A program cannot create, bind or connect sockets itself.
*/
#include "wasi.h"

static bool is_socket(const struct wf_wasi_fd *e) {
  return e->filetype == WEFT_WASI_FILETYPE_SOCKET_STREAM ||
         e->filetype == WEFT_WASI_FILETYPE_SOCKET_DGRAM;
}

weft_status wf_wasi_adopt_socket(struct weft_wasi *w, u32 fd, int host_fd,
                                 weft_error *err) {
  const weft_wasi_fs *fs = weft_wasi_fs_host();
  struct wf_wasi_fd *e = &w->fds[fd];
  weft_wasi_file *file = NULL;
  u8 type = 0;
  u16 flags = 0, r;

  if (fs == NULL || fs->adopt == NULL)
    return wf_error_set(err, WEFT_ERR_ARG, "wasi: no host sockets");
  r = fs->adopt(NULL, host_fd, &file, &type, &flags);
  if (r != WEFT_WASI_ESUCCESS)
    return wf_error_set(err, WEFT_ERR_ARG, "wasi: cannot use socket fd %d",
                        host_fd);
  e->fs = fs;
  e->file = file;
  e->filetype = type;
  e->fdflags = flags;
  e->origin = WF_FD_SOCKET;
  if (!is_socket(e)) {
    wf_wasi_fd_release(w, fd);
    return wf_error_set(err, WEFT_ERR_ARG, "wasi: host fd %d is not a socket",
                        host_fd);
  }
  e->base = WF_RIGHTS_SOCKET | WF_R_SOCK_ACCEPT;
  e->inheriting = WF_RIGHTS_SOCKET;
  return WEFT_OK;
}

static u16 socket_get(struct weft_wasi *w, u32 fd, u64 need,
                      struct wf_wasi_fd **out) {
  u16 r = wf_wasi_fd_get(w, fd, 0, out);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  if (!is_socket(*out))
    return WEFT_WASI_ENOTSOCK;
  return wf_wasi_fd_get(w, fd, need, out);
}

WF_WASI_FN(sock_accept) {
  u32 flags = a[1].u32, out_ptr = a[2].u32, fd = 0;
  struct wf_wasi_fd *e, *ne;
  weft_wasi_file *file = NULL;
  u8 type = 0;
  u16 r;

  if (!wf_mem_ok(m, out_ptr, 4))
    return WEFT_WASI_EFAULT;
  if ((r = socket_get(w, a[0].u32, WF_R_SOCK_ACCEPT, &e)) != WEFT_WASI_ESUCCESS)
    return r;
  if ((flags & ~(u32)WEFT_WASI_FDFLAG_NONBLOCK) != 0)
    return WEFT_WASI_EINVAL;
  if (e->fs->sock_accept == NULL)
    return WEFT_WASI_ENOTSUP;
  while ((r = e->fs->sock_accept(e->fs_user, e->file, (u16)flags, &file,
                                 &type)) == WEFT_WASI_EINTR)
    if (!wf_wasi_retry_blocked(w))
      return WF_WASI_STOPPED;
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  {
    const weft_wasi_fs *fs = e->fs;
    void *user = e->fs_user;
    u64 inheriting = e->inheriting;
    if ((r = wf_wasi_fd_alloc(w, &fd)) != WEFT_WASI_ESUCCESS) {
      fs->close(user, file);
      return r;
    }
    ne = &w->fds[fd];
    ne->fs = fs;
    ne->fs_user = user;
    ne->file = file;
    ne->origin = WF_FD_SOCKET;
    ne->filetype = type;
    ne->fdflags = (u16)flags;
    ne->base = WF_RIGHTS_SOCKET & inheriting;
    ne->inheriting = 0;
  }
  wf_put_u32(m->base + out_ptr, fd);
  return WEFT_WASI_ESUCCESS;
}

WF_WASI_FN(sock_recv) {
  u32 iovs = a[1].u32, iovs_len = a[2].u32, riflags = a[3].u32;
  u32 len_ptr = a[4].u32, flags_ptr = a[5].u32;
  struct wf_wasi_fd *e;
  size_t n = 0, done = 0;
  u16 roflags = 0, r;

  if (!wf_mem_ok(m, len_ptr, 4) || !wf_mem_ok(m, flags_ptr, 2))
    return WEFT_WASI_EFAULT;
  if ((r = socket_get(w, a[0].u32, WF_R_FD_READ, &e)) != WEFT_WASI_ESUCCESS)
    return r;
  if ((r = wf_wasi_iovecs(w, m, iovs, iovs_len, &n)) != WEFT_WASI_ESUCCESS)
    return r;
  if ((riflags &
       ~(u32)(WEFT_WASI_RIFLAG_RECV_PEEK | WEFT_WASI_RIFLAG_RECV_WAITALL)) != 0)
    return WEFT_WASI_EINVAL;
  if (e->fs->sock_recv == NULL)
    return WEFT_WASI_ENOTSUP;
  if (n != 0) {
    while ((r = e->fs->sock_recv(e->fs_user, e->file, w->iov, n, (u16)riflags,
                                 &done, &roflags)) == WEFT_WASI_EINTR)
      if (!wf_wasi_retry_blocked(w))
        return WF_WASI_STOPPED;
    if (r != WEFT_WASI_ESUCCESS)
      return r;
  }
  wf_put_u32(m->base + len_ptr, (u32)done);
  wf_put_u16(m->base + flags_ptr, roflags);
  return WEFT_WASI_ESUCCESS;
}

WF_WASI_FN(sock_send) {
  u32 iovs = a[1].u32, iovs_len = a[2].u32, siflags = a[3].u32;
  u32 len_ptr = a[4].u32;
  struct wf_wasi_fd *e;
  size_t n = 0, done = 0;
  u16 r;

  if (!wf_mem_ok(m, len_ptr, 4))
    return WEFT_WASI_EFAULT;
  if ((r = socket_get(w, a[0].u32, WF_R_FD_WRITE, &e)) != WEFT_WASI_ESUCCESS)
    return r;
  if ((r = wf_wasi_iovecs(w, m, iovs, iovs_len, &n)) != WEFT_WASI_ESUCCESS)
    return r;
  if (siflags != 0)
    return WEFT_WASI_EINVAL; /* no siflags are defined */
  if (e->fs->sock_send == NULL)
    return WEFT_WASI_ENOTSUP;
  if (n != 0) {
    while ((r = e->fs->sock_send(e->fs_user, e->file, w->iov, n, &done)) ==
           WEFT_WASI_EINTR)
      if (!wf_wasi_retry_blocked(w))
        return WF_WASI_STOPPED;
    if (r != WEFT_WASI_ESUCCESS)
      return r;
  }
  wf_put_u32(m->base + len_ptr, (u32)done);
  return WEFT_WASI_ESUCCESS;
}

WF_WASI_FN(sock_shutdown) {
  u32 how = a[1].u32;
  struct wf_wasi_fd *e;
  u16 r;

  WF_UNUSED(m);
  if ((r = socket_get(w, a[0].u32, WF_R_SOCK_SHUTDOWN, &e)) !=
      WEFT_WASI_ESUCCESS)
    return r;
  if (how == 0 || how > (WEFT_WASI_SDFLAG_RD | WEFT_WASI_SDFLAG_WR))
    return WEFT_WASI_EINVAL;
  if (e->fs->sock_shutdown == NULL)
    return WEFT_WASI_ENOTSUP;
  return e->fs->sock_shutdown(e->fs_user, e->file, (u8)how);
}
