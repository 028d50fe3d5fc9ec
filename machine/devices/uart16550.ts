// A 16550A UART (COM1 at 0x3F8, IRQ 4): transmit goes to the host immediately, receive takes bytes queued by the
// host (CLI stdin, debug console). Enough of the register set for polled and interrupt-driven drivers.
import type { PortDevice } from './iobus';

const LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;

export class Uart16550 implements PortDevice {
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private dll = 0x0c;
  private dlm = 0;
  private thrEmptyPending = false;
  private readonly rx: number[] = [];

  constructor(
    readonly base: number,
    private readonly output: (byte: number, source: 'uart') => void,
    private readonly setIrq: (level: boolean) => void,
  ) {}

  /** Host → guest bytes. */
  queueInput(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.rx.push(bytes[i] & 0xff);
    this.updateIrq();
  }

  get pendingInput(): number {
    return this.rx.length;
  }

  private updateIrq(): void {
    const rxInt = (this.ier & 1) !== 0 && this.rx.length > 0;
    const txInt = (this.ier & 2) !== 0 && this.thrEmptyPending;
    this.setIrq((rxInt || txInt) && (this.mcr & 8) !== 0); // OUT2 gates the IRQ line on PCs
  }

  portRead(port: number): number {
    const dlab = (this.lcr & 0x80) !== 0;
    switch (port - this.base) {
      case 0:
        if (dlab) return this.dll;
        {
          const b = this.rx.shift();
          this.updateIrq();
          return b ?? 0;
        }
      case 1:
        return dlab ? this.dlm : this.ier;
      case 2: {
        // IIR: receive data has priority over THR empty; FIFOs reported enabled (0xC0)
        let iir = 0x01;
        if (this.ier & 1 && this.rx.length > 0) iir = 0x04;
        else if (this.ier & 2 && this.thrEmptyPending) {
          iir = 0x02;
          this.thrEmptyPending = false;
          this.updateIrq();
        }
        return iir | 0xc0;
      }
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5:
        return LSR_THRE | LSR_TEMT | (this.rx.length > 0 ? LSR_DR : 0);
      case 6:
        return 0xb0; // DCD, DSR, CTS asserted
      case 7:
        return this.scr;
    }
    return 0xff;
  }

  portWrite(port: number, _size: 1 | 2 | 4, value: number): void {
    const v = value & 0xff;
    const dlab = (this.lcr & 0x80) !== 0;
    switch (port - this.base) {
      case 0:
        if (dlab) this.dll = v;
        else {
          if (this.mcr & 0x10) this.rx.push(v); // loopback
          else this.output(v, 'uart');
          this.thrEmptyPending = true;
        }
        break;
      case 1:
        if (dlab) this.dlm = v;
        else {
          this.ier = v & 0x0f;
          if (v & 2) this.thrEmptyPending = true;
        }
        break;
      case 3:
        this.lcr = v;
        break;
      case 4:
        this.mcr = v & 0x1f;
        break;
      case 7:
        this.scr = v;
        break;
    }
    this.updateIrq();
  }
}
