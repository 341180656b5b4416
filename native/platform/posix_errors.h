// errno to Winsock error numbers, for the POSIX platform files beside posix.cc (the pollers): the one table lives
// in posix.cc.
#pragma once

namespace winsock::platform {

int ErrnoToWinsock(int error);

}  // namespace winsock::platform
