// getaddrinfo's arguments as Windows reads them, for the POSIX build (posix.cc). GetAddrInfoW accepts what glibc
// refuses (Wine's protocol.c test_getaddrinfo shows Windows' answers): the empty name (this host), the empty service
// (port 0), an IPv6 literal in brackets with or without a port, and any pairing of a socket type with a protocol,
// which it returns as given.
#pragma once

#include <optional>
#include <string>

#include "platform.h"

namespace winsock::platform::posix {

struct AddressQuery {
  std::optional<std::string> node;     // what glibc is asked (nullopt: NULL)
  std::optional<std::string> service;  // likewise
  AddressInfoHints hints;              // the hints glibc is given
  bool echo_type = false;              // give every entry the socket type and protocol of the caller's hints
  int error = 0;                       // a Winsock error to fail with before asking glibc
};

AddressQuery WindowsQuery(const std::string* node, const std::string* service, const AddressInfoHints& hints);

}  // namespace winsock::platform::posix
