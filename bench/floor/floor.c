/* The floor of the benchmarks: the least a correct Node-API socket binding on the event loop must do, so that
 * every report shows how far winsock is from it (issue 17). Plain C, Node-API and libuv, nothing else:
 *
 *   - one uv_poll per socket, started when a call first finds EAGAIN and stopped lazily: only when readiness
 *     arrives for a direction nobody waits on (level-triggered epoll would wake the loop again at once), and unref'd
 *     while nothing waits, so an idle socket never keeps the process alive;
 *   - every call tries its syscall first and returns its result at once when the kernel has answered (no promise,
 *     no microtask: a caller awaits only what is a promise); only on EAGAIN does it make a promise and wait;
 *   - each promise settled from a readiness callback is settled inside napi_open_callback_scope with the socket's
 *     own async context (napi_async_init), so continuations, microtasks, nextTicks and async hooks run as Node
 *     requires of a callback that enters JavaScript from the event loop.
 *
 * POSIX only (the bench runs on Linux). A socket is named by its descriptor; the per-environment table maps it to
 * its state, and a closed socket's entry is cleared before its descriptor is, so a reused number never reaches
 * the old state. Built by bench/run.ts with `cc -O2 -shared -fPIC` against the headers of the running Node.
 *
 *   listen() -> fd                      127.0.0.1, port 0, nonblocking; port(fd) -> its port
 *   connect(port) -> Promise<fd>        127.0.0.1:port
 *   accept(fd) -> fd | Promise<fd>      the value itself when the kernel answered at once, else a promise of it;
 *   recv(fd, buffer) -> n | Promise<n>  an error then is thrown, not a rejected promise. recv reads into the
 *   send(fd, buffer) -> n | Promise<n>  caller's Buffer (0 at end of stream); send sends the whole buffer
 *   shutdown(fd), setNoDelay(fd), close(fd)   close rejects pending calls
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

typedef enum { OP_NONE, OP_RECV, OP_SEND, OP_ACCEPT, OP_CONNECT } op_kind;

/* One call waiting for readiness: at most one per direction (reads: recv, accept; writes: send, connect). */
typedef struct {
  op_kind kind;
  napi_deferred deferred;
  napi_ref buffer; /* keeps the caller's buffer alive while the call waits */
  char *data;
  size_t length;
  size_t done; /* bytes sent so far */
} op;

typedef struct floor_socket {
  uv_poll_t poll; /* first: the poll callback's handle is the socket */
  struct floor_env *owner;
  int fd;
  int events;     /* what the poll is started with (0: stopped) */
  int referenced; /* whether the poll keeps the loop alive */
  int closed;
  napi_ref resource;
  napi_async_context context;
  op read, write;
} floor_socket;

typedef struct floor_env {
  napi_env env;
  uv_loop_t *loop;
  floor_socket **sockets; /* by descriptor */
  int capacity;
} floor_env;

/* Outcome of one attempt at a waiting call's syscall. */
typedef enum { AGAIN, DONE, FAILED } outcome;

#define CHECK(call)                                                                                                \
  do {                                                                                                             \
    if ((call) != napi_ok) {                                                                                       \
      napi_throw_error(env, NULL, "floor: " #call " failed");                                                      \
      return NULL;                                                                                                 \
    }                                                                                                              \
  } while (0)

static napi_value errno_error(napi_env env, const char *syscall, int error) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", syscall, strerror(error));
  napi_value text, result, number;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, NULL, text, &result);
  napi_create_int32(env, error, &number);
  napi_set_named_property(env, result, "errno", number);
  return result;
}

static napi_value throw_errno(napi_env env, const char *syscall, int error) {
  napi_throw(env, errno_error(env, syscall, error));
  return NULL;
}

static floor_env *env_of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

/* The socket named by argument `value`, or NULL with a TypeError thrown. */
static floor_socket *socket_arg(napi_env env, floor_env *state, napi_value value) {
  int32_t fd = -1;
  if (napi_get_value_int32(env, value, &fd) != napi_ok || fd < 0 || fd >= state->capacity ||
      state->sockets[fd] == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "floor: not an open socket");
    return NULL;
  }
  return state->sockets[fd];
}

static void on_ready(uv_poll_t *handle, int status, int events);
static void close_socket(napi_env env, floor_socket *s, int reject);

static floor_socket *adopt(napi_env env, floor_env *state, int fd) {
  if (fd >= state->capacity) {
    int capacity = state->capacity;
    while (capacity <= fd) capacity *= 2;
    floor_socket **grown = realloc(state->sockets, sizeof *grown * (size_t)capacity);
    if (grown == NULL) return NULL;
    memset(grown + state->capacity, 0, sizeof *grown * (size_t)(capacity - state->capacity));
    state->sockets = grown;
    state->capacity = capacity;
  }
  floor_socket *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  napi_value resource, name;
  if (uv_poll_init(state->loop, &s->poll, fd) != 0 || napi_create_object(env, &resource) != napi_ok ||
      napi_create_string_utf8(env, "floor.socket", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, resource, name, &s->context) != napi_ok ||
      napi_create_reference(env, resource, 1, &s->resource) != napi_ok) {
    free(s);
    return NULL;
  }
  uv_unref((uv_handle_t *)&s->poll);
  s->owner = state;
  s->fd = fd;
  state->sockets[fd] = s;
  return s;
}

static napi_value adopt_or_throw(napi_env env, floor_env *state, int fd, const char *syscall) {
  if (adopt(env, state, fd) == NULL) {
    close(fd);
    return throw_errno(env, syscall, ENOMEM);
  }
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

/* The events the socket's waiting calls need. */
static int wanted(const floor_socket *s) {
  return (s->read.kind != OP_NONE ? UV_READABLE : 0) | (s->write.kind != OP_NONE ? UV_WRITABLE : 0);
}

/* Starts or changes the poll to `events`, and refs it while anything waits. */
static int watch(floor_socket *s, int events) {
  if (events != s->events) {
    int error = events == 0 ? uv_poll_stop(&s->poll) : uv_poll_start(&s->poll, events, on_ready);
    if (error != 0) return error;
    s->events = events;
  }
  int waiting = wanted(s) != 0;
  if (waiting != s->referenced) {
    if (waiting) uv_ref((uv_handle_t *)&s->poll);
    else uv_unref((uv_handle_t *)&s->poll);
    s->referenced = waiting;
  }
  return 0;
}

/* One attempt at the syscall of `o`; on DONE, `*result` is what the promise resolves with. */
static outcome attempt(floor_socket *s, op *o, int *error, double *result) {
  ssize_t n;
  int fd;
  socklen_t length = sizeof *error;
  switch (o->kind) {
    case OP_RECV:
      n = recv(s->fd, o->data, o->length, 0);
      if (n >= 0) return (*result = (double)n), DONE;
      break;
    case OP_SEND:
      while (o->done < o->length) {
        n = send(s->fd, o->data + o->done, o->length - o->done, MSG_NOSIGNAL);
        if (n < 0) break;
        o->done += (size_t)n;
      }
      if (o->done == o->length) return (*result = (double)o->done), DONE;
      break;
    case OP_ACCEPT:
      fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) return (*result = fd), DONE;
      break;
    case OP_CONNECT:
      if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, error, &length) != 0) break;
      if (*error == 0) return (*result = s->fd), DONE;
      return FAILED;
    case OP_NONE:
      return AGAIN;
  }
  *error = errno;
  return *error == EAGAIN || *error == EWOULDBLOCK ? AGAIN : FAILED;
}

static const char *syscall_of(op_kind kind) {
  static const char *const names[] = {"", "recv", "send", "accept", "connect"};
  return names[kind];
}

/* Resolves or rejects `o`'s promise and forgets the call; must run inside a handle scope. */
static void settle(napi_env env, floor_socket *s, op *o, outcome how, int error, double result) {
  op done = *o;
  memset(o, 0, sizeof *o);
  if (done.buffer != NULL) napi_delete_reference(env, done.buffer);
  napi_value value;
  if (how == FAILED) {
    napi_reject_deferred(env, done.deferred, errno_error(env, syscall_of(done.kind), error));
    if (done.kind == OP_CONNECT) close_socket(env, s, 1); /* the caller never learnt its descriptor */
    return;
  }
  if (done.kind == OP_ACCEPT && adopt(env, s->owner, (int)result) == NULL) {
    close((int)result);
    napi_reject_deferred(env, done.deferred, errno_error(env, "accept", ENOMEM));
    return;
  }
  napi_create_double(env, result, &value);
  napi_resolve_deferred(env, done.deferred, value);
}

/* Readiness: try each waiting call's syscall again; settle the finished ones inside the socket's callback scope. */
static void on_ready(uv_poll_t *handle, int status, int events) {
  floor_socket *s = (floor_socket *)handle;
  napi_env env = s->owner->env;
  outcome how[2] = {AGAIN, AGAIN};
  int error[2] = {0, 0};
  double result[2] = {0, 0};
  op *ops[2] = {&s->read, &s->write};
  const int direction[2] = {UV_READABLE, UV_WRITABLE};
  /* libuv reports an error condition (POLLERR: a refused connect, a reset) as UV_EBADF and stops the poll: the
   * syscall itself tells the real error (getsockopt SO_ERROR, recv, send). */
  if (status < 0) s->events = 0;
  for (int i = 0; i < 2; i++) {
    if (ops[i]->kind == OP_NONE || (status >= 0 && !(events & (direction[i] | UV_DISCONNECT)))) continue;
    how[i] = attempt(s, ops[i], &error[i], &result[i]);
    if (how[i] == AGAIN && status < 0) how[i] = FAILED, error[i] = -status;
  }
  if (how[0] != AGAIN || how[1] != AGAIN) {
    napi_handle_scope handles;
    napi_callback_scope scope;
    napi_value resource;
    napi_open_handle_scope(env, &handles);
    napi_get_reference_value(env, s->resource, &resource);
    napi_open_callback_scope(env, resource, s->context, &scope);
    for (int i = 0; i < 2; i++) {
      if (how[i] != AGAIN) settle(env, s, ops[i], how[i], error[i], result[i]);
    }
    napi_close_callback_scope(env, scope); /* runs the continuations: they may wait again, or close the socket */
    napi_close_handle_scope(env, handles);
  }
  if (s->closed) return;
  /* Readiness for a direction nobody waits on would wake the loop at once again: stop watching it now. */
  if (events & s->events & ~wanted(s)) watch(s, wanted(s));
  else watch(s, s->events); /* only the ref count may change */
}

/* A call on `s` in direction `o`: tries at once and returns the result (or throws its error) when the kernel has
 * answered; only when it says EAGAIN does the call make a promise and wait for readiness. */
static napi_value start_call(napi_env env, floor_socket *s, op *o, op_kind kind, napi_value buffer, char *data,
                             size_t length) {
  if (o->kind != OP_NONE) {
    napi_throw_error(env, "ERR_INVALID_STATE", "floor: a call of this direction is already waiting");
    return NULL;
  }
  *o = (op){.kind = kind, .data = data, .length = length};
  int error = 0;
  double result = 0;
  outcome how = attempt(s, o, &error, &result);
  if (how != AGAIN) {
    memset(o, 0, sizeof *o);
    if (how == FAILED) return throw_errno(env, syscall_of(kind), error);
    if (kind == OP_ACCEPT) return adopt_or_throw(env, s->owner, (int)result, "accept");
    napi_value value;
    CHECK(napi_create_double(env, result, &value));
    return value;
  }
  napi_value promise;
  CHECK(napi_create_promise(env, &o->deferred, &promise));
  if (buffer != NULL) CHECK(napi_create_reference(env, buffer, 1, &o->buffer));
  error = watch(s, s->events | (o == &s->read ? UV_READABLE : UV_WRITABLE));
  if (error != 0) settle(env, s, o, FAILED, -error, 0);
  return promise;
}

/* (fd, buffer): the socket and the bytes of a Buffer or other ArrayBufferView. */
static floor_socket *buffer_call_args(napi_env env, napi_callback_info info, napi_value *buffer, char **data,
                                      size_t *length) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  floor_socket *s = socket_arg(env, env_of(env), argv[0]);
  if (s == NULL) return NULL;
  void *bytes = NULL;
  if (napi_get_buffer_info(env, argv[1], &bytes, length) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "floor: the buffer must be a Buffer");
    return NULL;
  }
  *buffer = argv[1];
  *data = bytes;
  return s;
}

static napi_value Recv(napi_env env, napi_callback_info info) {
  napi_value buffer;
  char *data;
  size_t length;
  floor_socket *s = buffer_call_args(env, info, &buffer, &data, &length);
  return s == NULL ? NULL : start_call(env, s, &s->read, OP_RECV, buffer, data, length);
}

static napi_value Send(napi_env env, napi_callback_info info) {
  napi_value buffer;
  char *data;
  size_t length;
  floor_socket *s = buffer_call_args(env, info, &buffer, &data, &length);
  return s == NULL ? NULL : start_call(env, s, &s->write, OP_SEND, buffer, data, length);
}

/* The socket of a call whose only argument is it. */
static floor_socket *socket_call_arg(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "floor: the socket is missing");
    return NULL;
  }
  return socket_arg(env, env_of(env), argv[0]);
}

static napi_value Accept(napi_env env, napi_callback_info info) {
  floor_socket *s = socket_call_arg(env, info);
  return s == NULL ? NULL : start_call(env, s, &s->read, OP_ACCEPT, NULL, NULL, 0);
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

static napi_value Listen(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  struct sockaddr_in address = loopback(0);
  if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 4096) != 0) {
    int error = errno;
    close(fd);
    return throw_errno(env, "listen", error);
  }
  return adopt_or_throw(env, env_of(env), fd, "listen");
}

static napi_value Connect(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t port = -1;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_int32(env, argv[0], &port) != napi_ok || port <= 0 || port > 65535) {
    napi_throw_range_error(env, "ERR_SOCKET_BAD_PORT", "floor: the port must be 1 to 65535");
    return NULL;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  floor_env *state = env_of(env);
  if (adopt_or_throw(env, state, fd, "connect") == NULL) return NULL;
  floor_socket *s = state->sockets[fd];
  struct sockaddr_in address = loopback(port);
  napi_value promise;
  napi_deferred deferred;
  CHECK(napi_create_promise(env, &deferred, &promise));
  s->write = (op){.kind = OP_CONNECT, .deferred = deferred};
  napi_handle_scope handles;
  napi_open_handle_scope(env, &handles);
  if (connect(fd, (struct sockaddr *)&address, sizeof address) == 0) settle(env, s, &s->write, DONE, 0, fd);
  else if (errno != EINPROGRESS) settle(env, s, &s->write, FAILED, errno, 0);
  else {
    int error = watch(s, s->events | UV_WRITABLE);
    if (error != 0) settle(env, s, &s->write, FAILED, -error, 0);
  }
  napi_close_handle_scope(env, handles);
  return promise;
}

static napi_value Port(napi_env env, napi_callback_info info) {
  floor_socket *s = socket_call_arg(env, info);
  if (s == NULL) return NULL;
  struct sockaddr_in address;
  socklen_t length = sizeof address;
  if (getsockname(s->fd, (struct sockaddr *)&address, &length) != 0) return throw_errno(env, "getsockname", errno);
  napi_value result;
  napi_create_int32(env, ntohs(address.sin_port), &result);
  return result;
}

static napi_value SetNoDelay(napi_env env, napi_callback_info info) {
  floor_socket *s = socket_call_arg(env, info);
  if (s == NULL) return NULL;
  int one = 1;
  if (setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

static napi_value Shutdown(napi_env env, napi_callback_info info) {
  floor_socket *s = socket_call_arg(env, info);
  if (s == NULL) return NULL;
  if (shutdown(s->fd, SHUT_WR) != 0) return throw_errno(env, "shutdown", errno);
  return NULL;
}

static void on_closed(uv_handle_t *handle) {
  free(handle); /* the poll is the socket's first member */
}

/* Forgets `s`: its descriptor is closed and its table entry cleared; pending calls reject with ECANCELED. */
static void close_socket(napi_env env, floor_socket *s, int reject) {
  s->owner->sockets[s->fd] = NULL;
  s->closed = 1;
  if (reject) {
    if (s->read.kind != OP_NONE) settle(env, s, &s->read, FAILED, ECANCELED, 0);
    if (s->write.kind != OP_NONE) settle(env, s, &s->write, FAILED, ECANCELED, 0);
    napi_async_destroy(env, s->context);
    napi_delete_reference(env, s->resource);
  }
  uv_close((uv_handle_t *)&s->poll, on_closed); /* stops the poll now: the descriptor may close at once */
  close(s->fd);
}

static napi_value Close(napi_env env, napi_callback_info info) {
  floor_socket *s = socket_call_arg(env, info);
  if (s != NULL) close_socket(env, s, 1);
  return NULL;
}

/* The environment ends (process exit, worker teardown): close what is still open. */
static void cleanup(void *data) {
  floor_env *state = data;
  for (int fd = 0; fd < state->capacity; fd++) {
    if (state->sockets[fd] != NULL) close_socket(state->env, state->sockets[fd], 0);
  }
}

static void finalize_env(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  floor_env *state = data;
  free(state->sockets);
  free(state);
}

NAPI_MODULE_INIT() {
  floor_env *state = calloc(1, sizeof *state);
  if (state == NULL) return NULL;
  state->env = env;
  state->capacity = 1024;
  state->sockets = calloc((size_t)state->capacity, sizeof *state->sockets);
  if (state->sockets == NULL || napi_get_uv_event_loop(env, &state->loop) != napi_ok) return NULL;
  CHECK(napi_set_instance_data(env, state, finalize_env, NULL));
  CHECK(napi_add_env_cleanup_hook(env, cleanup, state));
  const napi_property_descriptor functions[] = {
      {"listen", NULL, Listen, NULL, NULL, NULL, napi_enumerable, NULL},
      {"port", NULL, Port, NULL, NULL, NULL, napi_enumerable, NULL},
      {"connect", NULL, Connect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"accept", NULL, Accept, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recv", NULL, Recv, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, Send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"shutdown", NULL, Shutdown, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setNoDelay", NULL, SetNoDelay, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions));
  return exports;
}
