/* The client of the scale workload: one process, one epoll loop, N connections to a server that echoes 64-byte
 * messages. After each echo the connection holds its next message for HOLD µs, so the server finds every socket
 * empty when it looks and waits for readiness for every message, as a server of many slow clients does.
 *
 *   scale PORT CONNECTIONS WARMUP MESSAGES HOLD_US [COUNTED_HOLD_US]
 *
 * (COUNTED_HOLD_US, by default HOLD_US, is the hold of the counted messages: the server under callgrind is slower
 * then than in its uninstrumented warm-up, and with too short a hold it sometimes found the next message there.)
 *
 * Sends WARMUP messages (over all connections together) and waits for their echoes, prints "warm" and "zero", each
 * time waiting for a line on stdin (the runner zeroes the server's callgrind counters at "zero"); sends MESSAGES more, prints "counted" and
 * waits for a line again (the runner dumps the counters); then closes every connection and exits. Compiled by
 * bench/run.ts with `cc -O2`.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MESSAGE_SIZE 64

typedef struct {
  int fd;
  size_t received; /* bytes of the current echo so far */
} connection;

/* Connections waiting to send their next message, in the order they became due (every hold is the same length,
 * so a ring in arrival order is sorted by due time). */
typedef struct {
  int *index;
  struct timespec *due;
  size_t head, count, capacity;
} due_queue;

static void die(const char *what) {
  perror(what);
  exit(1);
}

static long argument(int argc, char **argv, int index) {
  if (index >= argc) {
    fprintf(stderr, "usage: scale PORT CONNECTIONS WARMUP MESSAGES HOLD_US [COUNTED_HOLD_US]\n");
    exit(2);
  }
  return strtol(argv[index], NULL, 10);
}

static struct timespec now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t;
}

static struct timespec later(struct timespec t, long us) {
  t.tv_nsec += us * 1000;
  t.tv_sec += t.tv_nsec / 1000000000;
  t.tv_nsec %= 1000000000;
  return t;
}

/* a - b in nanoseconds */
static long long difference(struct timespec a, struct timespec b) {
  return (long long)(a.tv_sec - b.tv_sec) * 1000000000LL + (a.tv_nsec - b.tv_nsec);
}

static void push(due_queue *q, int index, struct timespec due) {
  size_t slot = (q->head + q->count++) % q->capacity;
  q->index[slot] = index;
  q->due[slot] = due;
}

static int connect_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) die("connect");
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) die("setsockopt");
  return fd;
}

static void wait_for_runner(const char *line) {
  printf("%s\n", line);
  fflush(stdout);
  char answer[16];
  if (fgets(answer, sizeof answer, stdin) == NULL) die("stdin closed");
}

/* Sends `messages` messages over the connections, each after its hold, and returns when every echo is back. */
static void exchange(int epoll, connection *connections, due_queue *ready, long messages, long hold_us) {
  static const char message[MESSAGE_SIZE] = "scale";
  char echo[MESSAGE_SIZE];
  long unsent = messages, outstanding = 0;
  struct epoll_event events[256];
  while (unsent > 0 || outstanding > 0) {
    struct timespec t = now();
    while (unsent > 0 && ready->count > 0 && difference(ready->due[ready->head], t) <= 0) {
      connection *c = &connections[ready->index[ready->head]];
      ready->head = (ready->head + 1) % ready->capacity;
      ready->count--;
      if (send(c->fd, message, sizeof message, MSG_NOSIGNAL) != MESSAGE_SIZE) die("send");
      unsent--;
      outstanding++;
    }
    struct timespec timeout = {0, 0}, *wait = NULL;
    if (unsent > 0 && ready->count > 0) {
      long long ns = difference(ready->due[ready->head], now());
      if (ns > 0) timeout = (struct timespec){.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
      wait = &timeout;
    }
    int n = epoll_pwait2(epoll, events, 256, wait, NULL);
    if (n < 0 && errno != EINTR) die("epoll_pwait2");
    for (int i = 0; i < n; i++) {
      connection *c = &connections[events[i].data.u32];
      ssize_t got = recv(c->fd, echo, MESSAGE_SIZE - c->received, 0);
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (got <= 0) die("recv: the server closed a connection");
      c->received += (size_t)got;
      if (c->received < MESSAGE_SIZE) continue;
      c->received = 0;
      outstanding--;
      push(ready, (int)events[i].data.u32, later(now(), hold_us));
    }
  }
}

int main(int argc, char **argv) {
  const int port = (int)argument(argc, argv, 1);
  const long count = argument(argc, argv, 2), warmup = argument(argc, argv, 3), messages = argument(argc, argv, 4),
             hold_us = argument(argc, argv, 5), counted_hold_us = argc > 6 ? argument(argc, argv, 6) : hold_us;
  if (count <= 0 || warmup < 0 || messages <= 0 || hold_us < 0 || counted_hold_us < 0) {
    fprintf(stderr, "scale: counts must be positive\n");
    return 2;
  }
  connection *connections = calloc((size_t)count, sizeof *connections);
  due_queue ready = {.index = calloc((size_t)count, sizeof(int)),
                     .due = calloc((size_t)count, sizeof(struct timespec)),
                     .capacity = (size_t)count};
  int epoll = epoll_create1(EPOLL_CLOEXEC);
  if (connections == NULL || ready.index == NULL || ready.due == NULL) die("calloc");
  if (epoll < 0) die("epoll_create1");
  const struct timespec start = now();
  for (long i = 0; i < count; i++) {
    connections[i].fd = connect_loopback(port);
    struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, connections[i].fd, &event) != 0) die("epoll_ctl");
    push(&ready, (int)i, start);
  }
  exchange(epoll, connections, &ready, warmup, hold_us);
  wait_for_runner("warm");
  wait_for_runner("zero"); /* the runner zeroes the server's counters here, as with every client (bench/workloads.ts) */
  exchange(epoll, connections, &ready, messages, counted_hold_us);
  wait_for_runner("counted");
  for (long i = 0; i < count; i++) close(connections[i].fd);
  return 0;
}
