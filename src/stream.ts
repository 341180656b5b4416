// A stream.Duplex over a Socket. The stream's own buffering gives the backpressure: _read is called only when the
// readable side wants more, and _write's callback waits until send has handed every byte to the kernel.
import { Duplex } from 'node:stream';

export { Duplex };

/** What the Duplex needs of a socket: Socket's promise-style calls (named here so stream.ts imports nothing above it). */
export interface DuplexSource {
  read(size: number): Promise<Buffer | null>; // null at the end of the stream
  write(chunk: Buffer): Promise<unknown>;
  end(): Promise<unknown>;
  close(): unknown;
}

export function toDuplex(socket: DuplexSource): Duplex {
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
