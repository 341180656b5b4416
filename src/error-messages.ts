// The text Windows gives for each Winsock error this package can report (FormatMessage, as in Microsoft's
// "Windows Sockets Error Codes" page), and the POSIX name Node would use for the same condition. One table, so the
// POSIX build prints exactly what Windows prints.

/** How one Winsock error is described. */
export interface ErrorDescription {
  /** The error's name in Node's vocabulary (`ECONNREFUSED`; for name lookup, the codes of `node:dns`). */
  readonly posixCode: string;
  /** The message Windows gives for the error. */
  readonly message: string;
}

export const errorDescriptions: Readonly<Record<string, ErrorDescription>> = {
  WSA_NOT_ENOUGH_MEMORY: { posixCode: 'ENOMEM', message: 'Not enough memory resources are available to process this command.' },
  WSAEINTR: { posixCode: 'EINTR', message: 'A blocking operation was interrupted by a call to WSACancelBlockingCall.' },
  WSAEBADF: { posixCode: 'EBADF', message: 'The file handle supplied is not valid.' },
  WSAEACCES: { posixCode: 'EACCES', message: 'An attempt was made to access a socket in a way forbidden by its access permissions.' },
  WSAEFAULT: { posixCode: 'EFAULT', message: 'The system detected an invalid pointer address in attempting to use a pointer argument in a call.' },
  WSAEINVAL: { posixCode: 'EINVAL', message: 'An invalid argument was supplied.' },
  WSAEMFILE: { posixCode: 'EMFILE', message: 'Too many open sockets.' },
  WSAEWOULDBLOCK: { posixCode: 'EWOULDBLOCK', message: 'A non-blocking socket operation could not be completed immediately.' },
  WSAEINPROGRESS: { posixCode: 'EINPROGRESS', message: 'A blocking operation is currently executing.' },
  WSAEALREADY: { posixCode: 'EALREADY', message: 'An operation was attempted on a non-blocking socket that already had an operation in progress.' },
  WSAENOTSOCK: { posixCode: 'ENOTSOCK', message: 'An operation was attempted on something that is not a socket.' },
  WSAEDESTADDRREQ: { posixCode: 'EDESTADDRREQ', message: 'A required address was omitted from an operation on a socket.' },
  WSAEMSGSIZE: { posixCode: 'EMSGSIZE', message: 'A message sent on a datagram socket was larger than the internal message buffer or some other network limit, or the buffer used to receive a datagram into was smaller than the datagram itself.' },
  WSAEPROTOTYPE: { posixCode: 'EPROTOTYPE', message: 'A protocol was specified in the socket function call that does not support the semantics of the socket type requested.' },
  WSAENOPROTOOPT: { posixCode: 'ENOPROTOOPT', message: 'An unknown, invalid, or unsupported option or level was specified in a getsockopt or setsockopt call.' },
  WSAEPROTONOSUPPORT: { posixCode: 'EPROTONOSUPPORT', message: 'The requested protocol has not been configured into the system, or no implementation for it exists.' },
  WSAESOCKTNOSUPPORT: { posixCode: 'ESOCKTNOSUPPORT', message: 'The support for the specified socket type does not exist in this address family.' },
  WSAEOPNOTSUPP: { posixCode: 'EOPNOTSUPP', message: 'The attempted operation is not supported for the type of object referenced.' },
  WSAEPFNOSUPPORT: { posixCode: 'EPFNOSUPPORT', message: 'The protocol family has not been configured into the system or no implementation for it exists.' },
  WSAEAFNOSUPPORT: { posixCode: 'EAFNOSUPPORT', message: 'An address incompatible with the requested protocol was used.' },
  WSAEADDRINUSE: { posixCode: 'EADDRINUSE', message: 'Only one usage of each socket address (protocol/network address/port) is normally permitted.' },
  WSAEADDRNOTAVAIL: { posixCode: 'EADDRNOTAVAIL', message: 'The requested address is not valid in its context.' },
  WSAENETDOWN: { posixCode: 'ENETDOWN', message: 'A socket operation encountered a dead network.' },
  WSAENETUNREACH: { posixCode: 'ENETUNREACH', message: 'A socket operation was attempted to an unreachable network.' },
  WSAENETRESET: { posixCode: 'ENETRESET', message: 'The connection has been broken due to keep-alive activity detecting a failure while the operation was in progress.' },
  WSAECONNABORTED: { posixCode: 'ECONNABORTED', message: 'An established connection was aborted by the software in your host machine.' },
  WSAECONNRESET: { posixCode: 'ECONNRESET', message: 'An existing connection was forcibly closed by the remote host.' },
  WSAENOBUFS: { posixCode: 'ENOBUFS', message: 'An operation on a socket could not be performed because the system lacked sufficient buffer space or because a queue was full.' },
  WSAEISCONN: { posixCode: 'EISCONN', message: 'A connect request was made on an already connected socket.' },
  WSAENOTCONN: { posixCode: 'ENOTCONN', message: 'A request to send or receive data was disallowed because the socket is not connected and (when sending on a datagram socket using a sendto call) no address was supplied.' },
  WSAESHUTDOWN: { posixCode: 'ESHUTDOWN', message: 'A request to send or receive data was disallowed because the socket had already been shut down in that direction with a previous shutdown call.' },
  WSAETOOMANYREFS: { posixCode: 'ETOOMANYREFS', message: 'Too many references to some kernel object.' },
  WSAETIMEDOUT: { posixCode: 'ETIMEDOUT', message: 'A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond.' },
  WSAECONNREFUSED: { posixCode: 'ECONNREFUSED', message: 'No connection could be made because the target machine actively refused it.' },
  WSAELOOP: { posixCode: 'ELOOP', message: 'Cannot translate name.' },
  WSAENAMETOOLONG: { posixCode: 'ENAMETOOLONG', message: 'Name component or name was too long.' },
  WSAEHOSTDOWN: { posixCode: 'EHOSTDOWN', message: 'A socket operation failed because the destination host was down.' },
  WSAEHOSTUNREACH: { posixCode: 'EHOSTUNREACH', message: 'A socket operation was attempted to an unreachable host.' },
  WSAENOTEMPTY: { posixCode: 'ENOTEMPTY', message: 'Cannot remove a directory that is not empty.' },
  WSAEPROCLIM: { posixCode: 'EPROCLIM', message: 'A Windows Sockets implementation may have a limit on the number of applications that may use it simultaneously.' },
  WSAEUSERS: { posixCode: 'EUSERS', message: 'Ran out of quota.' },
  WSAEDQUOT: { posixCode: 'EDQUOT', message: 'Ran out of disk quota.' },
  WSAESTALE: { posixCode: 'ESTALE', message: 'File handle reference is no longer available.' },
  WSAEREMOTE: { posixCode: 'EREMOTE', message: 'Item is not available locally.' },
  WSASYSNOTREADY: { posixCode: 'ENETDOWN', message: 'WSAStartup cannot function at this time because the underlying system it uses to provide network services is currently unavailable.' },
  WSAVERNOTSUPPORTED: { posixCode: 'ENOTSUP', message: 'The Windows Sockets version requested is not supported.' },
  WSANOTINITIALISED: { posixCode: 'ENOTINITIALISED', message: 'Either the application has not called WSAStartup, or WSAStartup failed.' },
  WSAEDISCON: { posixCode: 'ESHUTDOWN', message: 'Returned by WSARecv or WSARecvFrom to indicate the remote party has initiated a graceful shutdown sequence.' },
  WSATYPE_NOT_FOUND: { posixCode: 'EAI_SERVICE', message: 'The specified class was not found.' },
  WSAHOST_NOT_FOUND: { posixCode: 'ENOTFOUND', message: 'No such host is known.' },
  WSATRY_AGAIN: { posixCode: 'EAI_AGAIN', message: 'This is usually a temporary error during hostname resolution and means that the local server did not receive a response from an authoritative server.' },
  WSANO_RECOVERY: { posixCode: 'EAI_FAIL', message: 'A non-recoverable error occurred during a database lookup.' },
  WSANO_DATA: { posixCode: 'ENOTFOUND', message: 'The requested name is valid, but no data of the requested type was found.' },
};
