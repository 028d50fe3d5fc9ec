// A tiny real-mode executor for machine tests (the real one lives elsewhere): just enough opcodes to drive the
// run loop, devices, interrupts, breakpoints and snapshots. Test-only.
import type { Cpu } from '../../machine/cpu/cpu';
import type { Executor } from '../../machine/cpu/executor';
import { deliverSoftwareInterrupt, iret } from '../../machine/cpu/interrupts';
import { DS } from '../../machine/cpu/segment';

export class MiniExecutor implements Executor {
  invalidated: number[] = [];
  step(cpu: Cpu): void {
    const ip = cpu.ripLo;
    const b = cpu.fetch8(ip, 0);
    const imm8 = () => cpu.fetch8((ip + 1) & 0xffff, 0);
    const imm16 = () => cpu.fetch8((ip + 1) & 0xffff, 0) | (cpu.fetch8((ip + 2) & 0xffff, 0) << 8);
    const al = () => cpu.gprLo[0] & 0xff;
    switch (b) {
      case 0x90: cpu.ripLo = (ip + 1) & 0xffff; return;
      case 0xf4: cpu.ripLo = (ip + 1) & 0xffff; cpu.runState = 'halted'; return;
      case 0xfa: cpu.setEflags(cpu.getEflags() & ~0x200); cpu.ripLo = (ip + 1) & 0xffff; return;
      case 0xfb: cpu.setEflags(cpu.getEflags() | 0x200); cpu.interruptShadow = true; cpu.ripLo = (ip + 1) & 0xffff; return;
      case 0xb0: cpu.gprLo[0] = (cpu.gprLo[0] & ~0xff) | imm8(); cpu.ripLo = (ip + 2) & 0xffff; return;
      case 0xb8: cpu.gprLo[0] = (cpu.gprLo[0] & ~0xffff) | imm16(); cpu.ripLo = (ip + 3) & 0xffff; return;
      case 0xe6: cpu.portOut(imm8(), 1, al()); cpu.ripLo = (ip + 2) & 0xffff; return;
      case 0xe4: cpu.gprLo[0] = (cpu.gprLo[0] & ~0xff) | cpu.portIn(imm8(), 1); cpu.ripLo = (ip + 2) & 0xffff; return;
      case 0xeb: cpu.ripLo = (ip + 2 + ((imm8() << 24) >> 24)) & 0xffff; return;
      case 0xa3: cpu.write16(DS, imm16(), 0, cpu.gprLo[0] & 0xffff); cpu.ripLo = (ip + 3) & 0xffff; return;
      case 0xcd: deliverSoftwareInterrupt(cpu, imm8(), (ip + 2) & 0xffff, 0); return;
      case 0xcf: iret(cpu, 2); return;
      case 0x0f:
        if (imm8() === 0x0b) cpu.raise(6, 0, 'UD2');
        break;
      case 0xcc: throw new TypeError('host bug simulated by opcode 0xCC');
    }
    cpu.raise(6, 0, `mini executor: opcode 0x${b.toString(16)}`);
  }
  invalidatePage(page: number): void {
    this.invalidated.push(page);
  }
}
