// getaddrinfo's arguments as Windows reads them (posix_addrinfo.h says which and why).
#include "posix_addrinfo.h"

#include <unistd.h>

#include "system.h"

namespace winsock::platform::posix {
namespace {

constexpr int kHostNotFound = 11001;       // WSAHOST_NOT_FOUND
constexpr int kSocketTypeNotSupported = 10044;  // WSAESOCKTNOSUPPORT

// "[beef::cafe]" and "[beef::cafe]:10239" name beef::cafe; an unmatched bracket names nothing.
bool StripBrackets(std::string* name) {
  const bool opens = !name->empty() && name->front() == '[';
  const std::size_t close = name->find(']');
  if (!opens) return close == std::string::npos;
  if (close == std::string::npos) return false;
  const std::string rest = name->substr(close + 1);
  if (!rest.empty() && (rest[0] != ':' || rest.find_first_not_of("0123456789", 1) != std::string::npos)) return false;
  *name = name->substr(1, close - 1);
  return true;
}

bool KnownSocketType(int type) {
  return type == 0 || type == SOCK_STREAM || type == SOCK_DGRAM || type == SOCK_RAW || type == SOCK_SEQPACKET;
}

}  // namespace

AddressQuery WindowsQuery(const std::string* node, const std::string* service, const AddressInfoHints& hints) {
  AddressQuery query;
  query.hints = hints;
  if (node != nullptr) {
    std::string name = *node;
    if (name.empty()) {
      // The empty name is this host, as Windows resolves it; glibc knows it as gethostname's answer.
      char host[256] = {};
      if (gethostname(host, sizeof host - 1) == 0) name = host;
      else name = "localhost";
    }
    if (!StripBrackets(&name)) {
      query.error = kHostNotFound;
      return query;
    }
    query.node = name;
  }
  if (service != nullptr) query.service = service->empty() ? std::string("0") : *service;
  if (hints.socktype != 0 || hints.protocol != 0) {
    if (!KnownSocketType(hints.socktype)) {
      query.error = kSocketTypeNotSupported;
      return query;
    }
    // Ask glibc for one entry per address (a stream's, unless another type was asked) and give back the hints.
    query.hints.socktype = hints.socktype == 0 ? SOCK_STREAM : hints.socktype;
    query.hints.protocol = 0;
    query.echo_type = true;
  }
  return query;
}

}  // namespace winsock::platform::posix
