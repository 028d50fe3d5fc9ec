// The I/O port space (IN/OUT). Devices claim port ranges; unclaimed reads return all ones, writes vanish.

export interface PortDevice {
  /** Reads `size` bytes from `port` (a device may treat wider accesses as consecutive byte ports). */
  portRead(port: number, size: 1 | 2 | 4): number;
  portWrite(port: number, size: 1 | 2 | 4, value: number): void;
}

export class IoBus {
  private readonly map: (PortDevice | undefined)[] = new Array<PortDevice | undefined>(0x10000).fill(undefined);

  register(first: number, count: number, device: PortDevice): void {
    for (let p = first; p < first + count && p < 0x10000; p++) this.map[p] = device;
  }

  read(port: number, size: 1 | 2 | 4): number {
    const d = this.map[port & 0xffff];
    const mask = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
    return d === undefined ? mask >>> 0 : (d.portRead(port & 0xffff, size) & mask) >>> 0;
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    this.map[port & 0xffff]?.portWrite(port & 0xffff, size, value);
  }
}
