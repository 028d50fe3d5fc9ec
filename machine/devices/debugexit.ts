// QEMU's isa-debug-exit device (iobase 0xF4, iosize 1): a write ends the machine with status (value << 1) | 1.
import type { StopReason } from '../stop';
import type { PortDevice } from './iobus';

export class DebugExit implements PortDevice {
  constructor(private readonly requestStop: (r: StopReason) => void) {}
  portRead(): number {
    return 0xff;
  }
  portWrite(port: number, size: 1 | 2 | 4, value: number): void {
    const v = size === 1 ? value & 0xff : size === 2 ? value & 0xffff : value >>> 0;
    const status = ((v << 1) | 1) >>> 0;
    this.requestStop({
      kind: 'exit-port',
      exitStatus: status & 0xff, // what the QEMU process returns to its shell
      message: `isa-debug-exit: wrote 0x${v.toString(16)} to port 0x${port.toString(16)} (exit status ${status & 0xff})`,
    });
  }
}
