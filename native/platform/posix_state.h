// What Winsock remembers about a socket and a POSIX kernel does not, for posix.cc and posix_readiness.cc only.
//
// Winsock keeps the error of a failed connect and reports it through SO_ERROR until a connect succeeds (Linux
// clears SO_ERROR when it is read), and tells a socket that lost its connection apart from one never connected
// (Linux puts both in TCP_CLOSE). Wine's ws2_32 tests (dlls/ws2_32/tests/sock.c, test_select and test_WSAPoll) are
// the record of both. The memory is keyed by descriptor, which is unique in the process (worker threads share it),
// and forgotten when the descriptor is closed or handed out anew.
#pragma once

#include <cerrno>

namespace winsock::platform::posix {

// The socket's SO_TYPE (SOCK_STREAM, ...), -1 if it cannot be read.
int SocketType(int fd);
// Whether listen() was called on the socket (SO_ACCEPTCONN).
bool IsListening(int fd);

// errno -> Winsock number (posix.cc), for the files that share this state.
int FromErrno(int error);

// A new descriptor (socket, accept, received from another process): nothing is known about it yet.
void Forget(int fd);
// The socket is connected (connect succeeded, accepted, or getpeername answered): a later connect error is gone.
void RememberConnected(int fd);
// A connect failed with this Winsock error (0: failed synchronously, where Winsock's SO_ERROR reads 0 afterwards).
void RememberConnectFailure(int fd, int error);
// shutdown(SD_RECEIVE) or SD_BOTH: Winsock's WSAPoll then reports nothing to read, where Linux reports a hang-up.
void RememberReceiveShutdown(int fd);

struct Remembered {
  bool was_connected = false;
  bool connect_failed = false;
  int connect_error = 0;  // Winsock number
  bool receive_shut = false;
};
Remembered Recall(int fd);

// SO_ERROR as Winsock reports it: the pending error translated to Winsock's number, else the error of the last
// failed connect, which stays until a connect succeeds.
int PendingError(int fd);

// A TCP socket's state as Winsock's select and WSAPoll see it.
enum class StreamState {
  kNotStream,   // UDP, raw: readiness is the kernel's
  kListening,
  kConnected,
  kDisconnected,  // was connected; the peer reset it (recv answers at once)
  kConnecting,    // a nonblocking connect under way
  kFailed,        // the last connect failed
  kIdle,          // never connected, nothing under way: never ready
};
StreamState Classify(int fd);

}  // namespace winsock::platform::posix
