import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** Room for the topic and headers of a PUBLISH above its payload, in the packet-size check. */
const PACKET_OVERHEAD_BYTES = 512;

/**
 * Largest Remaining Length ([MQTT-2.2.3]) accepted for a payload limit: the one number both brokers
 * enforce (this guard on the embedded one, `max_packet_size` in the Mosquitto config we write).
 */
export function maxRemainingLength(maxPayloadBytes: number): number {
  return maxPayloadBytes + PACKET_OVERHEAD_BYTES;
}

/**
 * A TCP connection as aedes sees it, with one check in front of the MQTT parser: a packet whose
 * Remaining Length (fixed header, [MQTT-2.2.3]) is above `maxPacketBytes` closes the connection before
 * its body is read. mqtt-packet buffers a whole packet (up to 256 MB) before aedes sees any of it, so this
 * is the one place an oversize payload can be refused without holding it in memory.
 */
export class PacketSizeGuard extends Duplex {
  /** Bytes of the current packet's body still to pass, or -1 between packets. */
  private bodyLeft = -1;
  /** Remaining Length being decoded (variable byte integer: 1–4 bytes of 7 bits). */
  private length = 0;
  private lengthBytes = 0;
  private inLength = false;

  constructor(
    private readonly socket: Socket,
    private readonly maxPacketBytes: number,
    private readonly onTooLarge: (remainingLength: number) => void,
  ) {
    super({ allowHalfOpen: false });
    socket.on('data', (chunk: Buffer) => {
      if (!this.scan(chunk)) return;
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  /** aedes reads it for logs and auth decisions. */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.socket.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }

  /** Follows packet boundaries through the chunk; false (and the socket closed) on an oversize packet. */
  private scan(chunk: Buffer): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= take;
        i += take;
        continue;
      }
      if (!this.inLength) {
        i++; // fixed header byte 1: packet type and flags
        this.inLength = true;
        this.length = 0;
        this.lengthBytes = 0;
        continue;
      }
      const b = chunk[i++]!;
      this.length += (b & 0x7f) * 128 ** this.lengthBytes++;
      // Malformed beyond 4 bytes: let the parser see it and fail the connection with its own error.
      if (b & 0x80 && this.lengthBytes < 4) continue;
      this.inLength = false;
      if (this.length > this.maxPacketBytes) {
        this.onTooLarge(this.length);
        this.socket.destroy();
        return false;
      }
      this.bodyLeft = this.length;
    }
    return true;
  }
}
