// The native half of @varlink-ts/native: unix stream sockets driven by libuv's uv_poll_t on
// Node's own loop, with recvmsg/sendmsg done here so that SCM_RIGHTS file descriptors travel
// with the bytes, plus the socket options Node has no API for (SO_PEERCRED, SO_PEERPIDFD,
// SO_PASSRIGHTS) and abstract addresses bound with their exact length.
//
// Node-API only (through node-addon-api, C++ exceptions off): no V8 or Node internals, so one
// binary serves every Node release with Node-API 8. libuv is used through its stable 1.x C API
// (uv_poll_*, uv_close, uv_ref), the documented way for addons to watch file descriptors.
//
// Conventions: functions return a non-negative result or a negative errno, never throw for a
// failed system call (the TypeScript wrapper turns -errno into Node-style errors); they throw a
// TypeError only for arguments of the wrong type, which the wrapper never passes.

#include <napi.h>
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <vector>

// Newer than the C library headers this may be built with; the numbers are the kernel's ABI.
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77  // Linux 6.5
#endif
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83  // Linux 6.16
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04  // only sent when SO_PASSPIDFD is on, which we never set; closed if seen
#endif

namespace {

// The kernel's limit of descriptors in one SCM_RIGHTS message (SCM_MAX_FD, include/net/scm.h).
constexpr int kMaxFds = 253;
// Recv's result when the kernel set MSG_CTRUNC (descriptors lost): not an errno value.
constexpr int kTruncated = -1000;
// At most this many buffers in one sendmsg (the wrapper never passes more).
constexpr uint32_t kMaxIov = 1024;

Napi::Value Num(Napi::Env env, double value) { return Napi::Number::New(env, value); }

void ThrowType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
}

bool ArgInt(const Napi::CallbackInfo& info, size_t i, int* out) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    ThrowType(info.Env(), "expected an integer argument");
    return false;
  }
  *out = info[i].As<Napi::Number>().Int32Value();
  return true;
}

bool ArgBytes(const Napi::CallbackInfo& info, size_t i, Napi::Uint8Array* out) {
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowType(info.Env(), "expected a Uint8Array argument");
    return false;
  }
  *out = info[i].As<Napi::Uint8Array>();
  return true;
}

// Fills a sockaddr_un for a path (NUL-terminated, length counts the NUL) or an abstract name
// (leading NUL, then exactly the name's bytes: the length is offsetof(sun_path) + 1 + size, as
// systemd, Go and Python use, not the whole 108-byte sun_path).
int MakeAddress(const uint8_t* name, size_t size, bool abstract, sockaddr_un* addr,
                socklen_t* len) {
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (abstract) {
    if (size + 1 > sizeof addr->sun_path) return -ENAMETOOLONG;
    memcpy(addr->sun_path + 1, name, size);
    *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + size);
  } else {
    if (size == 0 || memchr(name, 0, size) != nullptr) return -EINVAL;
    if (size >= sizeof addr->sun_path) return -ENAMETOOLONG;
    memcpy(addr->sun_path, name, size);
    *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + size + 1);
  }
  return 0;
}

bool ArgAddress(const Napi::CallbackInfo& info, sockaddr_un* addr, socklen_t* len, int* err) {
  Napi::Uint8Array name;
  if (!ArgBytes(info, 0, &name)) return false;
  if (info.Length() < 2 || !info[1].IsBoolean()) {
    ThrowType(info.Env(), "expected a boolean (abstract) argument");
    return false;
  }
  *err = MakeAddress(name.Data(), name.ByteLength(), info[1].As<Napi::Boolean>().Value(), addr,
                     len);
  return true;
}

// SO_PASSRIGHTS: 1 on, 0 off. Kernels before 6.16 do not know it: that is not an error.
int SetPassRights(int fd, int on) {
  if (setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &on, sizeof on) == 0) return 0;
  if (errno == ENOPROTOOPT || errno == EINVAL || errno == EOPNOTSUPP) return 0;
  return -errno;
}

// ---------------------------------------------------------------------------------------------
// Handle: one socket file descriptor, owned, watched by a uv_poll_t.
//
// Lifetime: the fd and the poll are released exactly once, by whichever comes first of close()
// from JavaScript, the object's finalizer (garbage collection) or the environment's teardown
// (process or worker exit: an async cleanup hook, so the loop runs the poll's close callback
// before it is closed). The poll lives in a separate heap block that outlives the object until
// libuv's close callback, so a poll event can never reach a freed object.

class Handle;

struct PollBox {
  uv_poll_t poll;
  Handle* owner;  // null once closed
  napi_async_cleanup_hook_handle hook;
};

class Handle : public Napi::ObjectWrap<Handle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Handle",
                       {
                           InstanceMethod<&Handle::SetEvents>("setEvents"),
                           InstanceMethod<&Handle::Recv>("recv"),
                           InstanceMethod<&Handle::Send>("send"),
                           InstanceMethod<&Handle::Accept>("accept"),
                           InstanceMethod<&Handle::Shutdown>("shutdown"),
                           InstanceMethod<&Handle::Close>("close"),
                           InstanceMethod<&Handle::Ref>("ref"),
                           InstanceMethod<&Handle::Unref>("unref"),
                           InstanceAccessor<&Handle::GetFd>("fd"),
                       });
  }

  // new Handle(fd, callback): takes ownership of fd (only if construction succeeds: on a throw
  // the caller still owns it). callback(status, events) runs on poll events; status is 0 or a
  // negative errno (the socket's pending error when libuv reports POLLERR).
  explicit Handle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Handle>(info) {
    Napi::Env env = info.Env();
    int fd;
    if (!ArgInt(info, 0, &fd)) return;
    if (fd < 0 || info.Length() < 2 || !info[1].IsFunction()) {
      ThrowType(env, "new Handle(fd >= 0, callback)");
      return;
    }
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      Napi::Error::New(env, "no libuv loop").ThrowAsJavaScriptException();
      return;
    }
    PollBox* box = new PollBox();
    int r = uv_poll_init(loop, &box->poll, fd);  // also makes fd non-blocking
    if (r != 0) {
      delete box;
      Napi::Error error = Napi::Error::New(env, uv_strerror(r));
      error.Set("errno", Napi::Number::New(env, r));
      error.ThrowAsJavaScriptException();
      return;
    }
    box->poll.data = box;
    box->owner = this;
    box->hook = nullptr;
    if (napi_add_async_cleanup_hook(env, OnEnvCleanup, box, &box->hook) != napi_ok)
      box->hook = nullptr;
    box_ = box;
    fd_ = fd;
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    async_ = new Napi::AsyncContext(env, "VarlinkNativeSocket");
  }

  ~Handle() override {
    Release();
    delete async_;
    async_ = nullptr;
  }

 private:
  // Closes the poll (uv_close first: it removes the fd from epoll, so closing the fd afterwards
  // can never unregister a reused fd number) and then the fd. Idempotent.
  void Release() {
    if (box_ != nullptr) {
      box_->owner = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(&box_->poll), OnClosed);
      box_ = nullptr;
    }
    if (fd_ >= 0) {
      close(fd_);  // on Linux the fd is released even when close reports EINTR
      fd_ = -1;
    }
    events_ = 0;
    if (!callback_.IsEmpty()) callback_.Reset();
  }

  static void OnClosed(uv_handle_t* handle) {
    PollBox* box = static_cast<PollBox*>(handle->data);
    if (box->hook != nullptr) napi_remove_async_cleanup_hook(box->hook);
    delete box;
  }

  static void OnEnvCleanup(napi_async_cleanup_hook_handle, void* arg) {
    PollBox* box = static_cast<PollBox*>(arg);
    // Still open (else the hook would have been removed): release it now; OnClosed, run by
    // the loop, removes the hook, which tells Node the cleanup is done.
    if (box->owner != nullptr) box->owner->Release();
  }

  static void OnPoll(uv_poll_t* poll, int status, int events) {
    PollBox* box = static_cast<PollBox*>(poll->data);
    Handle* self = box->owner;
    if (self == nullptr || self->callback_.IsEmpty()) return;
    if (status < 0) {
      // libuv reports POLLERR as UV_EBADF and stops the watcher; tell the real error.
      self->events_ = 0;
      int err = 0;
      socklen_t len = sizeof err;
      if (getsockopt(self->fd_, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0)
        status = -err;
    }
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    Napi::Object receiver = self->Value();
    if (receiver.IsEmpty()) {
      // Collected, finalizer pending: stop watching; the finalizer releases the rest.
      uv_poll_stop(poll);
      self->events_ = 0;
      return;
    }
    // The C call, not node-addon-api's wrapper: when JavaScript cannot run (the environment is
    // being torn down) the wrapper would try to throw and abort the process.
    napi_value argv[2] = {Num(env, status), Num(env, events)};
    napi_value result;
    napi_status called = napi_make_callback(env, *self->async_, receiver,
                                            self->callback_.Value(), 2, argv, &result);
    if (called == napi_ok) return;
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      // A throwing listener: an uncaught exception, as for Node's own sockets.
      napi_value error;
      if (napi_get_and_clear_last_exception(env, &error) == napi_ok)
        napi_fatal_exception(env, error);
      return;
    }
    // JavaScript cannot run any more: stop watching; the cleanup hook releases the rest.
    if (box->owner == self) {
      uv_poll_stop(poll);
      self->events_ = 0;
    }
  }

  // setEvents(mask): UV_READABLE | UV_WRITABLE | UV_DISCONNECT, or 0 to stop. -> 0 | -errno
  Napi::Value SetEvents(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int mask;
    if (!ArgInt(info, 0, &mask)) return env.Undefined();
    if (box_ == nullptr) return Num(env, -EBADF);
    if (mask == events_) return Num(env, 0);
    int r = mask != 0 ? uv_poll_start(&box_->poll, mask, OnPoll) : uv_poll_stop(&box_->poll);
    if (r == 0) events_ = mask;
    return Num(env, r);
  }

  // recv(buffer, acceptFds, fdsOut) -> bytes (0 at end of stream) | -errno | kTruncated.
  // Descriptors that came with these bytes are appended to fdsOut: their numbers when
  // acceptFds (the caller owns them from now on), else they are closed here and -1 is appended
  // for each (so the caller can report how many were refused).
  Napi::Value Recv(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Uint8Array buffer;
    if (!ArgBytes(info, 0, &buffer)) return env.Undefined();
    if (info.Length() < 3 || !info[1].IsBoolean() || !info[2].IsArray()) {
      ThrowType(env, "recv(buffer, acceptFds, fdsOut)");
      return env.Undefined();
    }
    if (fd_ < 0) return Num(env, -EBADF);
    if (buffer.ByteLength() == 0) return Num(env, -EINVAL);  // would swallow descriptors
    bool accept = info[1].As<Napi::Boolean>().Value();
    Napi::Array out = info[2].As<Napi::Array>();

    if (control_.empty()) control_.resize(CMSG_SPACE(sizeof(int) * kMaxFds));
    iovec iov = {buffer.Data(), buffer.ByteLength()};
    msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control_.data();
    msg.msg_controllen = control_.size();
    ssize_t n;
    do n = recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) return Num(env, -errno);

    std::vector<int> fds;
    if (msg.msg_controllen > 0) {
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET) continue;
        if (c->cmsg_type != SCM_RIGHTS && c->cmsg_type != SCM_PIDFD) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        const unsigned char* data = CMSG_DATA(c);
        for (size_t i = 0; i < count; i++) {
          int fd;
          memcpy(&fd, data + i * sizeof(int), sizeof fd);
          if (c->cmsg_type == SCM_PIDFD)
            close(fd);  // never asked for
          else
            fds.push_back(fd);
        }
      }
    }
    if (msg.msg_flags & MSG_CTRUNC) {
      for (int fd : fds) close(fd);
      return Num(env, kTruncated);
    }
    for (size_t i = 0; i < fds.size(); i++) {
      if (accept) {
        out.Set(out.Length(), Num(env, fds[i]));
      } else {
        close(fds[i]);
        out.Set(out.Length(), Num(env, -1));
      }
    }
    return Num(env, static_cast<double>(n));
  }

  // send(buffers: Uint8Array[], fds: number[] | null) -> bytes written | -errno.
  // One sendmsg: when fds are given they travel with the first byte written (SCM_RIGHTS); the
  // caller keeps ownership of them (the kernel took its own references once this returns > 0).
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsArray() || !(info[1].IsArray() || info[1].IsNull())) {
      ThrowType(env, "send(buffers, fds | null)");
      return env.Undefined();
    }
    if (fd_ < 0) return Num(env, -EBADF);
    Napi::Array buffers = info[0].As<Napi::Array>();
    uint32_t count = buffers.Length();
    if (count > kMaxIov) count = kMaxIov;
    std::vector<iovec> iov(count);
    for (uint32_t i = 0; i < count; i++) {
      Napi::Value v = buffers.Get(i);
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
        ThrowType(env, "send: buffers must be Uint8Arrays");
        return env.Undefined();
      }
      Napi::Uint8Array b = v.As<Napi::Uint8Array>();
      iov[i].iov_base = b.Data();
      iov[i].iov_len = b.ByteLength();
    }
    msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = iov.data();
    msg.msg_iovlen = count;
    std::vector<char> control;
    if (info[1].IsArray()) {
      Napi::Array list = info[1].As<Napi::Array>();
      uint32_t n = list.Length();
      if (n > static_cast<uint32_t>(kMaxFds)) return Num(env, -ETOOMANYREFS);
      if (n > 0) {
        std::vector<int> fds(n);
        for (uint32_t i = 0; i < n; i++) {
          Napi::Value v = list.Get(i);
          if (!v.IsNumber()) {
            ThrowType(env, "send: fds must be numbers");
            return env.Undefined();
          }
          fds[i] = v.As<Napi::Number>().Int32Value();
        }
        control.resize(CMSG_SPACE(sizeof(int) * n));
        memset(control.data(), 0, control.size());
        msg.msg_control = control.data();
        msg.msg_controllen = control.size();
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * n);
      }
    }
    ssize_t r;
    do r = sendmsg(fd_, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    return Num(env, r < 0 ? -errno : static_cast<double>(r));
  }

  // accept() -> new connected fd (non-blocking, close-on-exec, owned by the caller) | -errno
  Napi::Value Accept(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (fd_ < 0) return Num(env, -EBADF);
    int fd;
    do fd = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    return Num(env, fd < 0 ? -errno : fd);
  }

  // shutdown() -> 0 | -errno: ends our sending side (the peer reads end of stream).
  Napi::Value Shutdown(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (fd_ < 0) return Num(env, -EBADF);
    return Num(env, shutdown(fd_, SHUT_WR) == 0 ? 0 : -errno);
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Release();
    return info.Env().Undefined();
  }

  Napi::Value Ref(const Napi::CallbackInfo& info) {
    if (box_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(&box_->poll));
    return info.Env().Undefined();
  }

  Napi::Value Unref(const Napi::CallbackInfo& info) {
    if (box_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(&box_->poll));
    return info.Env().Undefined();
  }

  Napi::Value GetFd(const Napi::CallbackInfo& info) { return Num(info.Env(), fd_); }

  int fd_ = -1;
  int events_ = 0;
  PollBox* box_ = nullptr;
  Napi::FunctionReference callback_;
  Napi::AsyncContext* async_ = nullptr;
  std::vector<char> control_;
};

// ---------------------------------------------------------------------------------------------
// Free functions.

// connect(name: Uint8Array, abstract: boolean) -> fd (non-blocking, close-on-exec) | -errno.
// A unix stream connect completes at once or fails (EAGAIN when the listener's queue is full);
// it never returns EINPROGRESS on Linux.
Napi::Value Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sockaddr_un addr;
  socklen_t len;
  int err;
  if (!ArgAddress(info, &addr, &len, &err)) return env.Undefined();
  if (err < 0) return Num(env, err);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Num(env, -errno);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    int e = errno;
    close(fd);
    return Num(env, -e);
  }
  return Num(env, fd);
}

// listen(name, abstract, backlog, passRights: -1 leave | 0 off | 1 on) -> fd | -errno.
// SO_PASSRIGHTS is set before bind and listen, so no connection exists without it; accepted
// sockets inherit it.
Napi::Value Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sockaddr_un addr;
  socklen_t len;
  int err, backlog, passRights;
  if (!ArgAddress(info, &addr, &len, &err)) return env.Undefined();
  if (!ArgInt(info, 2, &backlog) || !ArgInt(info, 3, &passRights)) return env.Undefined();
  if (err < 0) return Num(env, err);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Num(env, -errno);
  int r = passRights >= 0 ? SetPassRights(fd, passRights ? 1 : 0) : 0;
  if (r == 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) r = -errno;
  if (r == 0 && listen(fd, backlog) != 0) r = -errno;
  if (r != 0) {
    close(fd);
    return Num(env, r);
  }
  return Num(env, fd);
}

// socketpair() -> [fd, fd] (connected unix stream sockets, non-blocking, close-on-exec) | -errno
Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
    return Num(env, -errno);
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Num(env, sv[0]));
  result.Set(1u, Num(env, sv[1]));
  return result;
}

// pipe() -> [readFd, writeFd] (blocking, close-on-exec) | -errno
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return Num(env, -errno);
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Num(env, p[0]));
  result.Set(1u, Num(env, p[1]));
  return result;
}

// peerCred(fd) -> [pid, uid, gid] | -errno
Napi::Value PeerCred(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgInt(info, 0, &fd)) return env.Undefined();
  ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return Num(env, -errno);
  Napi::Array result = Napi::Array::New(env, 3);
  result.Set(0u, Num(env, cred.pid));
  result.Set(1u, Num(env, cred.uid));
  result.Set(2u, Num(env, cred.gid));
  return result;
}

// peerPidfd(fd) -> pidfd (close-on-exec, owned by the caller) | -errno
Napi::Value PeerPidfd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgInt(info, 0, &fd)) return env.Undefined();
  int pidfd = -1;
  socklen_t len = sizeof pidfd;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) != 0) return Num(env, -errno);
  return Num(env, pidfd);
}

// setPassRights(fd, on) -> 0 | -errno (0 too where the kernel lacks the option)
Napi::Value SetPassRightsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd, on;
  if (!ArgInt(info, 0, &fd) || !ArgInt(info, 1, &on)) return env.Undefined();
  return Num(env, SetPassRights(fd, on ? 1 : 0));
}

// getPassRights(fd) -> 0 | 1 | -errno (-ENOPROTOOPT before Linux 6.16)
Napi::Value GetPassRights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgInt(info, 0, &fd)) return env.Undefined();
  int on = 0;
  socklen_t len = sizeof on;
  if (getsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &on, &len) != 0) return Num(env, -errno);
  return Num(env, on ? 1 : 0);
}

// prepareFd(fd) -> 0 | -errno: checks that fd is a unix stream socket, makes it non-blocking
// and close-on-exec (for descriptors handed over from elsewhere, e.g. socket activation).
Napi::Value PrepareFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgInt(info, 0, &fd)) return env.Undefined();
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) return Num(env, -errno);
  sockaddr_storage ss;
  socklen_t sslen = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &sslen) != 0) return Num(env, -errno);
  if (ss.ss_family != AF_UNIX || type != SOCK_STREAM) return Num(env, -EPROTOTYPE);
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return Num(env, -errno);
  int fdflags = fcntl(fd, F_GETFD);
  if (fdflags < 0 || fcntl(fd, F_SETFD, fdflags | FD_CLOEXEC) != 0) return Num(env, -errno);
  return Num(env, 0);
}

// isListening(fd) -> 1 | 0 | -errno (SO_ACCEPTCONN)
Napi::Value IsListening(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgInt(info, 0, &fd)) return env.Undefined();
  int on = 0;
  socklen_t len = sizeof on;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) != 0) return Num(env, -errno);
  return Num(env, on ? 1 : 0);
}

// sockName(fd, peer) -> Buffer with the sun_path bytes exactly as long as the kernel says
// (a leading NUL for an abstract name; empty when unnamed) | -errno
Napi::Value SockName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgInt(info, 0, &fd)) return env.Undefined();
  bool peer = info.Length() > 1 && info[1].ToBoolean().Value();
  sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  socklen_t len = sizeof addr;
  int r = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
               : getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (r != 0) return Num(env, -errno);
  if (addr.sun_family != AF_UNIX) return Num(env, -EAFNOSUPPORT);
  size_t size = len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
  if (size > sizeof addr.sun_path) size = sizeof addr.sun_path;
  if (size > 0 && addr.sun_path[0] != '\0') size = strnlen(addr.sun_path, size);
  return Napi::Buffer<char>::Copy(env, addr.sun_path, size);
}

Napi::Value StrError(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int e;
  if (!ArgInt(info, 0, &e)) return env.Undefined();
  return Napi::String::New(env, strerror(e < 0 ? -e : e));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Handle", Handle::Define(env));
  exports.Set("connect", Napi::Function::New<Connect>(env, "connect"));
  exports.Set("listen", Napi::Function::New<Listen>(env, "listen"));
  exports.Set("socketpair", Napi::Function::New<SocketPair>(env, "socketpair"));
  exports.Set("pipe", Napi::Function::New<Pipe>(env, "pipe"));
  exports.Set("peerCred", Napi::Function::New<PeerCred>(env, "peerCred"));
  exports.Set("peerPidfd", Napi::Function::New<PeerPidfd>(env, "peerPidfd"));
  exports.Set("setPassRights", Napi::Function::New<SetPassRightsJs>(env, "setPassRights"));
  exports.Set("getPassRights", Napi::Function::New<GetPassRights>(env, "getPassRights"));
  exports.Set("prepareFd", Napi::Function::New<PrepareFd>(env, "prepareFd"));
  exports.Set("isListening", Napi::Function::New<IsListening>(env, "isListening"));
  exports.Set("sockName", Napi::Function::New<SockName>(env, "sockName"));
  exports.Set("strerror", Napi::Function::New<StrError>(env, "strerror"));
  exports.Set("READABLE", Num(env, UV_READABLE));
  exports.Set("WRITABLE", Num(env, UV_WRITABLE));
  exports.Set("DISCONNECT", Num(env, UV_DISCONNECT));
  exports.Set("TRUNCATED", Num(env, kTruncated));
  exports.Set("MAX_FDS", Num(env, kMaxFds));
  exports.Set("MAX_IOV", Num(env, kMaxIov));
  exports.Set("ABI", Num(env, 1));
  return exports;
}

}  // namespace

NODE_API_MODULE(varlink_native, Init)
