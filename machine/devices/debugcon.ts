// Bochs/QEMU debug console on port 0xE9: every byte written appears on the host's output.
import type { PortDevice } from './iobus';

export class DebugConsole implements PortDevice {
  constructor(private readonly output: (byte: number, source: 'debugcon') => void) {}
  portRead(): number {
    return 0xe9; // QEMU's readback value that lets software detect the port
  }
  portWrite(_port: number, _size: 1 | 2 | 4, value: number): void {
    this.output(value & 0xff, 'debugcon');
  }
}
