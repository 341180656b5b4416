// ping over raw sockets (SOCK_RAW with IPPROTO_ICMP / IPPROTO_ICMPV6): what the unmaintained raw-socket package
// was used for. Raw sockets need root (Linux, macOS) or administrator rights (Windows).
// Run: node dist-test/examples/ping.js [host ...]     (127.0.0.1 and ::1 by default)
import * as ws from 'winsock/promises';

const ECHO_REQUEST = { v4: 8, v6: 128 };
const ECHO_REPLY = { v4: 0, v6: 129 };

/** The Internet checksum (RFC 1071) of an ICMPv4 message. ICMPv6's covers a pseudo-header: the OS fills it in. */
function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function echoRequest(v6: boolean, id: number, sequence: number): Buffer {
  const message = Buffer.alloc(8 + 16);
  message.writeUInt8(v6 ? ECHO_REQUEST.v6 : ECHO_REQUEST.v4, 0);
  message.writeUInt16BE(id, 4);
  message.writeUInt16BE(sequence, 6);
  message.write('winsock ping....', 8);
  if (!v6) message.writeUInt16BE(checksum(message), 2);
  return message;
}

/** Sends one echo request and waits for its reply; resolves with the round-trip time in ms. */
export async function ping(address: string, sequence = 1, timeout = 2000): Promise<number> {
  const v6 = address.includes(':');
  const s = ws.socket(v6 ? ws.AF_INET6 : ws.AF_INET, ws.SOCK_RAW, v6 ? ws.IPPROTO_ICMPV6 : ws.IPPROTO_ICMP);
  const id = process.pid & 0xffff;
  try {
    const started = performance.now();
    await ws.sendto(s, echoRequest(v6, id, sequence), address, 0);
    const deadline = started + timeout;
    for (;;) {
      const { data } = await ws.recvfrom(s, 1500, { timeout: Math.max(1, deadline - performance.now()) });
      // An IPv4 raw socket hands over the IP header too (its length is in the low nibble of the first byte); it also
      // sees our own request on loopback, so match type, id and sequence.
      const icmp = v6 ? data : data.subarray((data[0]! & 0x0f) * 4);
      if (icmp[0] === (v6 ? ECHO_REPLY.v6 : ECHO_REPLY.v4) && icmp.readUInt16BE(4) === id && icmp.readUInt16BE(6) === sequence) {
        return performance.now() - started;
      }
    }
  } finally {
    ws.closesocket(s);
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split(/[\\/]/).pop()!)) {
  ws.startup();
  const hosts = process.argv.length > 2 ? process.argv.slice(2) : ['127.0.0.1', '::1'];
  for (const host of hosts) {
    try {
      console.log(`reply from ${host}: time=${(await ping(host)).toFixed(3)} ms`);
    } catch (error) {
      console.log(`ping ${host} failed: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  }
}
