import { SerialPort } from 'serialport';

/** The device end of a socat pty pair: a simulator reads requests and writes replies here. */
export async function openDevicePort(
  path: string,
  onData: (chunk: Buffer, port: SerialPort) => void,
  baudRate = 9600,
): Promise<{ port: SerialPort; write(bytes: Buffer): Promise<void>; close(): Promise<void> }> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  port.on('data', (chunk: Buffer) => onData(chunk, port));
  port.on('error', () => {}); // the pty vanishing under a test is expected
  return {
    port,
    async write(bytes) {
      if (!port.isOpen) return;
      await new Promise<void>((resolve) => port.write(bytes, () => resolve()));
      await new Promise<void>((resolve) => port.drain(() => resolve()));
    },
    async close() {
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
