// A stream.Duplex over a Socket. The stream's own buffering gives the backpressure: _read is called only when the
// readable side wants more, and _write's callback waits until send has handed every byte to the kernel.
import { Duplex } from 'node:stream';

import type { Socket } from './socket.js';

export { Duplex };

export function toDuplex(socket: Socket): Duplex {
  return new Duplex({
    allowHalfOpen: true, // our end() shuts down sending only; reading goes on until the peer ends
    read(size) {
      socket.read(Math.max(size, 16 * 1024)).then(
        (chunk) => this.push(chunk),
        (error: unknown) => this.destroy(error as Error),
      );
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk).then(() => callback(), callback);
    },
    final(callback) {
      socket.end().then(() => callback(), callback);
    },
    destroy(error, callback) {
      socket.close();
      callback(error);
    },
  });
}
