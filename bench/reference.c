/* The ceiling of the benchmarks: each workload with plain blocking BSD sockets, one thread, no event loop.
 * Compiled by bench/run.ts with `cc -O2`. Speaks the same protocol as the JavaScript sides (bench/sides/), so any
 * client can run against any server:
 *
 *   reference server bulk|pingpong|connrate|idle [N]   prints "port N", serves, exits when done; N is the count of
 *                                                       connrate and idle, the reply delay in µs of pingpong
 *                                                       (negative: 256 answers ahead)
 *   reference server pingpong DELAY COUNTED_DELAY WARMUP   the first WARMUP answers held DELAY µs, the rest
 *                                                       COUNTED_DELAY µs
 *   reference client bulk PORT BYTES CHUNK                  prints a JSON line with the result
 *   reference client pingpong PORT ROUNDS WARMUP [TIMED]   TIMED=0 skips the per-round clock (for callgrind)
 *   reference client connrate PORT COUNT
 *   reference client idle PORT COUNT                        connects COUNT sockets, prints "connected", waits
 *                                                           for stdin to close
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PING_SIZE 64

static void die(const char *what) {
  perror(what);
  exit(1);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void set_nodelay(int fd) {
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) die("setsockopt TCP_NODELAY");
}

static int listen_loopback(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) die("bind");
  if (listen(fd, SOMAXCONN) != 0) die("listen");
  socklen_t length = sizeof addr;
  if (getsockname(fd, (struct sockaddr *)&addr, &length) != 0) die("getsockname");
  printf("port %d\n", ntohs(addr.sin_port));
  fflush(stdout);
  return fd;
}

static int connect_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) die("connect");
  return fd;
}

static int accept_one(int listener) {
  int fd = accept(listener, NULL, NULL);
  if (fd < 0) die("accept");
  return fd;
}

static void send_all(int fd, const char *data, size_t length) {
  while (length > 0) {
    ssize_t sent = send(fd, data, length, MSG_NOSIGNAL);
    if (sent < 0) die("send");
    data += sent;
    length -= (size_t)sent;
  }
}

/* Reads exactly `length` bytes; returns 0 at end of stream before any byte. */
static int recv_all(int fd, char *data, size_t length) {
  size_t got = 0;
  while (got < length) {
    ssize_t n = recv(fd, data + got, length - got, 0);
    /* A client that closes with an answer unread (the pingpong server answers ahead) resets the connection. */
    if (n < 0 && errno == ECONNRESET && got == 0) return 0;
    if (n < 0) die("recv");
    if (n == 0) {
      if (got == 0) return 0;
      fprintf(stderr, "recv: end of stream inside a message\n");
      exit(1);
    }
    got += (size_t)n;
  }
  return 1;
}

/* bulk: count every byte until end of stream, then answer with the count (8 bytes, little-endian). */
static void serve_bulk(int listener) {
  int fd = accept_one(listener);
  static char buffer[64 * 1024];
  uint64_t total = 0;
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0) die("recv");
    if (n == 0) break;
    total += (uint64_t)n;
  }
  unsigned char answer[8];
  for (int i = 0; i < 8; i++) answer[i] = (unsigned char)(total >> (8 * i));
  send_all(fd, (const char *)answer, sizeof answer);
  close(fd);
}

/* pingpong: echo every 64-byte message; with `delay_us` > 0, after that long, so that a client under callgrind is
 * always waiting for readiness (not finding the answer already there) when it comes; with `delay_us` < 0,
 * ANSWERS_AHEAD answers ahead (extra ones first), so that the answer a client reads is always there already: with
 * one ahead, a server not scheduled in time on a loaded machine left the client waiting in a quarter of its round
 * trips, and with 16 (some 4 ms of a client under callgrind) in 1 to 3 of 100, which moved winsock/promises' count
 * by 4.7% between two runs. 256 answers are 16 KiB, well inside loopback's socket buffers. */
#define ANSWERS_AHEAD 256
static struct timespec microseconds(long us) {
  const struct timespec t = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
  return t;
}

/* With `delay_us` > 0, the answers after the first `warmup` are held `counted_delay_us` instead: the client counted
 * under callgrind sometimes took longer than 300 µs from its send to its first (zero-timeout) poll on the loaded
 * machine, found the answer there and polled once instead of twice (1.84 epoll waits per round trip in one run,
 * 1.97 in the next, 3% fewer instructions), while its uninstrumented warm-up needs no more than 300 µs. */
static void serve_pingpong(int listener, long delay_us, long counted_delay_us, long warmup) {
  int fd = accept_one(listener);
  set_nodelay(fd);
  char message[PING_SIZE];
  const struct timespec warm_delay = microseconds(delay_us), counted_delay = microseconds(counted_delay_us);
  long answered = 0;
  if (delay_us < 0) {
    memset(message, 0, sizeof message);
    for (int i = 0; i < ANSWERS_AHEAD; i++) send_all(fd, message, sizeof message);
  }
  while (recv_all(fd, message, sizeof message)) {
    if (delay_us > 0) nanosleep(answered++ < warmup ? &warm_delay : &counted_delay, NULL);
    send_all(fd, message, sizeof message);
  }
  close(fd);
}

/* connrate: accept, read the client's byte, close; `count` times. */
static void serve_connrate(int listener, long count) {
  for (long i = 0; i < count; i++) {
    int fd = accept_one(listener);
    char byte;
    if (recv(fd, &byte, 1, 0) != 1) die("recv");
    close(fd);
  }
}

/* idle: accept `count` connections and hold them; stdin closing ends the process. */
static void serve_idle(int listener, long count) {
  for (long i = 0; i < count; i++) accept_one(listener);
  printf("ready\n");
  fflush(stdout);
  char byte;
  while (read(0, &byte, 1) > 0) {
  }
}

static void client_bulk(int port, uint64_t total, size_t chunk) {
  char *buffer = calloc(chunk, 1);
  if (buffer == NULL) die("calloc");
  int fd = connect_loopback(port);
  const double start = now();
  for (uint64_t sent = 0; sent < total; sent += chunk) send_all(fd, buffer, chunk);
  if (shutdown(fd, SHUT_WR) != 0) die("shutdown");
  unsigned char answer[8];
  if (!recv_all(fd, (char *)answer, sizeof answer)) die("bulk answer");
  const double seconds = now() - start;
  uint64_t counted = 0;
  for (int i = 0; i < 8; i++) counted |= (uint64_t)answer[i] << (8 * i);
  if (counted != total) {
    fprintf(stderr, "bulk: server counted %llu of %llu bytes\n", (unsigned long long)counted,
            (unsigned long long)total);
    exit(1);
  }
  printf("{\"seconds\":%.9f,\"bytes\":%llu}\n", seconds, (unsigned long long)total);
  close(fd);
}

/* With BENCH_CHECKPOINTS=1 (a client under callgrind): tells the runner `name` and waits for its line on stdin, so
 * that it can zero the counters after the warm-up and dump them after the counted rounds (bench/workloads.ts). */
static void checkpoint(const char *name) {
  const char *wanted = getenv("BENCH_CHECKPOINTS");
  if (wanted == NULL || strcmp(wanted, "1") != 0) return;
  printf("%s\n", name);
  fflush(stdout);
  char line[16];
  if (fgets(line, sizeof line, stdin) == NULL) die("checkpoint: stdin closed");
  if (strcmp(name, "warm") == 0) checkpoint("zero"); /* the runner zeroes at "zero" (see bench/sides/common.ts) */
}

static int compare_doubles(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void client_pingpong(int port, long rounds, long warmup, int timed) {
  int fd = connect_loopback(port);
  set_nodelay(fd);
  char message[PING_SIZE];
  memset(message, 'p', sizeof message);
  double *latencies = malloc(sizeof(double) * (size_t)rounds);
  if (latencies == NULL) die("malloc");
  for (long i = 0; i < warmup; i++) {
    send_all(fd, message, sizeof message);
    if (!recv_all(fd, message, sizeof message)) die("pingpong: server closed");
  }
  checkpoint("warm");
  const double start = now();
  for (long i = 0; i < rounds; i++) {
    const double sent_at = timed ? now() : 0;
    send_all(fd, message, sizeof message);
    if (!recv_all(fd, message, sizeof message)) die("pingpong: server closed");
    latencies[i] = timed ? now() - sent_at : 0;
  }
  const double seconds = now() - start;
  checkpoint("counted");
  qsort(latencies, (size_t)rounds, sizeof(double), compare_doubles);
  printf("{\"seconds\":%.9f,\"rounds\":%ld,\"p50\":%.9f,\"p99\":%.9f}\n", seconds, rounds,
         latencies[(rounds - 1) / 2], latencies[(rounds * 99 - 1) / 100]);
  free(latencies);
  close(fd);
}

static void client_connrate(int port, long count) {
  const double start = now();
  for (long i = 0; i < count; i++) {
    int fd = connect_loopback(port);
    send_all(fd, "c", 1);
    char byte;
    if (recv(fd, &byte, 1, 0) != 0) die("connrate: expected end of stream");
    close(fd);
  }
  printf("{\"seconds\":%.9f,\"count\":%ld}\n", now() - start, count);
}

static void client_idle(int port, long count) {
  for (long i = 0; i < count; i++) connect_loopback(port);
  printf("connected\n");
  fflush(stdout);
  char byte;
  while (read(0, &byte, 1) > 0) {
  }
}

static long argument(int argc, char **argv, int index) {
  if (index >= argc) {
    fprintf(stderr, "reference: missing argument %d\n", index);
    exit(2);
  }
  return strtol(argv[index], NULL, 10);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: reference server|client bulk|pingpong|connrate|idle ...\n");
    return 2;
  }
  const char *role = argv[1], *workload = argv[2];
  if (strcmp(role, "server") == 0) {
    int listener = listen_loopback();
    if (strcmp(workload, "bulk") == 0) serve_bulk(listener);
    else if (strcmp(workload, "pingpong") == 0) {
      const long delay_us = argc > 3 ? argument(argc, argv, 3) : 0;
      serve_pingpong(listener, delay_us, argc > 4 ? argument(argc, argv, 4) : delay_us, argc > 5 ? argument(argc, argv, 5) : 0);
    }
    else if (strcmp(workload, "connrate") == 0) serve_connrate(listener, argument(argc, argv, 3));
    else if (strcmp(workload, "idle") == 0) serve_idle(listener, argument(argc, argv, 3));
    else return 2;
    return 0;
  }
  const int port = (int)argument(argc, argv, 3);
  if (strcmp(workload, "bulk") == 0) {
    client_bulk(port, (uint64_t)argument(argc, argv, 4), (size_t)argument(argc, argv, 5));
  } else if (strcmp(workload, "pingpong") == 0) {
    client_pingpong(port, argument(argc, argv, 4), argument(argc, argv, 5), argc > 6 ? (int)argument(argc, argv, 6) : 1);
  } else if (strcmp(workload, "connrate") == 0) {
    client_connrate(port, argument(argc, argv, 4));
  } else if (strcmp(workload, "idle") == 0) {
    client_idle(port, argument(argc, argv, 4));
  } else {
    return 2;
  }
  return 0;
}
