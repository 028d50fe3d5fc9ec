// The two cascaded 8259A interrupt controllers (master 0x20/0x21, slave 0xA0/0xA1, slave on master IRQ 2):
// ICW1-ICW4 initialization, IMR, specific/non-specific EOI, IRR/ISR reads, edge-triggered inputs.
import type { PortDevice } from './iobus';

class Pic8259 {
  irr = 0;
  isr = 0;
  imr = 0xff;
  vectorBase = 0x08;
  private initStep = 0; // 0 = ready; 2,3,4 = expecting that ICW
  private icw4Needed = false;
  private single = false;
  private readIsr = false;
  private autoEoi = false;
  /** Input line levels, for edge detection. */
  private lines = 0;

  constructor(readonly isMaster: boolean) {
    this.vectorBase = isMaster ? 0x08 : 0x70;
  }

  setLine(irq: number, level: boolean): void {
    const bit = 1 << irq;
    if (level && !(this.lines & bit)) this.irr |= bit;
    if (level) this.lines |= bit;
    else this.lines &= ~bit;
  }

  /** Highest-priority requested, unmasked IRQ not blocked by an in-service one of equal/higher priority; or -1. */
  pendingIrq(): number {
    const req = this.irr & ~this.imr;
    for (let i = 0; i < 8; i++) {
      if (this.isr & (1 << i)) return -1; // fully nested mode: a higher-priority IRQ is in service
      if (req & (1 << i)) return i;
    }
    return -1;
  }

  ack(irq: number): void {
    this.irr &= ~(1 << irq);
    if (!this.autoEoi) this.isr |= 1 << irq;
  }

  read(a0: number): number {
    if (a0) return this.imr;
    return this.readIsr ? this.isr : this.irr;
  }

  write(a0: number, v: number): void {
    if (!a0 && v & 0x10) {
      // ICW1
      this.initStep = 2;
      this.icw4Needed = (v & 1) !== 0;
      this.single = (v & 2) !== 0;
      this.imr = 0;
      this.isr = 0;
      this.irr = 0;
      this.readIsr = false;
      this.autoEoi = false;
      return;
    }
    if (a0 && this.initStep === 2) {
      this.vectorBase = v & 0xf8;
      this.initStep = this.single ? (this.icw4Needed ? 4 : 0) : 3;
      return;
    }
    if (a0 && this.initStep === 3) {
      this.initStep = this.icw4Needed ? 4 : 0;
      return;
    }
    if (a0 && this.initStep === 4) {
      this.autoEoi = (v & 2) !== 0;
      this.initStep = 0;
      return;
    }
    if (a0) {
      this.imr = v;
      return;
    }
    if ((v & 0x18) === 0) {
      // OCW2
      const cmd = v >> 5;
      if (cmd === 1) {
        for (let i = 0; i < 8; i++) if (this.isr & (1 << i)) {
          this.isr &= ~(1 << i);
          break;
        }
      } else if (cmd === 3) this.isr &= ~(1 << (v & 7));
    } else if ((v & 0x18) === 0x08) {
      // OCW3
      if (v & 2) this.readIsr = (v & 1) !== 0;
    }
  }
}

export class DualPic implements PortDevice {
  readonly master = new Pic8259(true);
  readonly slave = new Pic8259(false);
  /** Told when what the PIC could deliver may have changed (the machine then re-polls interrupt sources). */
  onChange: (() => void) | null = null;

  /** Raises or lowers ISA IRQ line 0-15. */
  setIrq(irq: number, level: boolean): void {
    this.onChange?.();
    if (irq < 8) this.master.setLine(irq, level);
    else {
      this.slave.setLine(irq - 8, level);
      this.master.setLine(2, this.slave.pendingIrq() >= 0);
    }
  }

  pending(): boolean {
    return this.master.pendingIrq() >= 0;
  }

  /** INTA cycle: returns the vector of the highest-priority IRQ (spurious IRQ 7/15 when none). */
  acknowledge(): number {
    const m = this.master.pendingIrq();
    if (m < 0) return this.master.vectorBase + 7;
    this.master.ack(m);
    if (m === 2) {
      const s = this.slave.pendingIrq();
      if (s < 0) return this.slave.vectorBase + 7;
      this.slave.ack(s);
      this.master.setLine(2, this.slave.pendingIrq() >= 0);
      return this.slave.vectorBase + s;
    }
    return this.master.vectorBase + m;
  }

  portRead(port: number): number {
    return port >= 0xa0 ? this.slave.read(port & 1) : this.master.read(port & 1);
  }

  portWrite(port: number, _size: 1 | 2 | 4, value: number): void {
    this.onChange?.();
    if (port >= 0xa0) {
      this.slave.write(port & 1, value & 0xff);
      this.master.setLine(2, this.slave.pendingIrq() >= 0);
    } else this.master.write(port & 1, value & 0xff);
  }
}
