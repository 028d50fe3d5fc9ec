// The 8042 keyboard controller as far as boot code uses it: status polling, the output port (A20 gate via
// command 0xD1, read back via 0xD0), 0xDD/0xDF A20 shortcuts, self test, pulse reset (0xFE); plus the "fast A20"
// System Control Port A at 0x92 (bit 1 = A20, bit 0 = reset).
import type { PortDevice } from './iobus';

export class Keyboard8042 implements PortDevice {
  private outBuf: number[] = [];
  private pendingCommand = 0;
  private commandByte = 0x45;
  private port92 = 0x02;

  constructor(
    private readonly getA20: () => boolean,
    private readonly setA20: (on: boolean) => void,
    private readonly reset: (why: string) => void,
  ) {}

  portRead(port: number): number {
    if (port === 0x92) return (this.port92 & ~2) | (this.getA20() ? 2 : 0);
    if (port === 0x64) return (this.outBuf.length > 0 ? 0x01 : 0) | 0x04 | 0x10; // OBF, system flag, unlocked
    return this.outBuf.shift() ?? 0;
  }

  portWrite(port: number, _size: 1 | 2 | 4, value: number): void {
    const v = value & 0xff;
    if (port === 0x92) {
      this.port92 = v & ~1;
      if (((v & 2) !== 0) !== this.getA20()) this.setA20((v & 2) !== 0);
      if (v & 1) this.reset('fast reset through port 0x92');
      return;
    }
    if (port === 0x64) {
      switch (v) {
        case 0xd1: // next data byte is the output port
        case 0x60: // next data byte is the command byte
          this.pendingCommand = v;
          break;
        case 0xd0:
          this.outBuf.push(0x01 | (this.getA20() ? 0x02 : 0));
          break;
        case 0x20:
          this.outBuf.push(this.commandByte);
          break;
        case 0xdd:
          this.setA20(false);
          break;
        case 0xdf:
          this.setA20(true);
          break;
        case 0xaa:
          this.outBuf.push(0x55);
          break;
        case 0xab:
          this.outBuf.push(0x00);
          break;
        case 0xfe:
          this.reset('pulse reset through the keyboard controller');
          break;
      }
      return;
    }
    // port 0x60
    if (this.pendingCommand === 0xd1) {
      this.pendingCommand = 0;
      this.setA20((v & 2) !== 0);
      if ((v & 1) === 0) this.reset('keyboard controller output port reset line');
      return;
    }
    if (this.pendingCommand === 0x60) {
      this.pendingCommand = 0;
      this.commandByte = v;
      return;
    }
    this.outBuf.push(0xfa); // keyboard ACK
    if (v === 0xff) this.outBuf.push(0xaa);
  }

  /** Host key input (scan codes) for INT 16h / polling drivers. */
  queueScanCodes(codes: ArrayLike<number>): void {
    for (let i = 0; i < codes.length; i++) this.outBuf.push(codes[i] & 0xff);
  }
}
