// The emulated PC: CPUs, sparse physical memory, devices (debug console, COM1, isa-debug-exit, PIC, PIT, 8042/A20,
// local APICs), start states, a deterministic run loop in bounded slices, breakpoints/watchpoints, events and
// copy-on-write snapshots. The instruction semantics plug in through `Executor`.
import { CR0_ET as CR0_ET_, CR0_MP as CR0_MP_, CR0_NE as CR0_NE_, CR0_PE as CR0_PE_, CR0_PG as CR0_PG_, CR0_WP as CR0_WP_, CR4_PAE as CR4_PAE_, EFER_LMA as EFER_LMA_, EFER_LME as EFER_LME_, EFER_NXE as EFER_NXE_, EFER_SCE as EFER_SCE_, EFL_IF as EFL_IF_, EFL_RF as EFL_RF_, EFL_TF as EFL_TF_ } from '../isa/bits/control';
import { Cpu, type InterruptSource } from './cpu/cpu';
import { cpuModelWith as cpuModelWith_, defaultCpuModel as defaultCpuModel_, type CpuModel } from './cpu/cpuid';
import { initMsrs as initMsrs_ } from './cpu/control';
import type { BlockStops, Executor } from './cpu/executor';
import { X86Executor } from './exec';
import { CpuFault } from './cpu/fault';
import { deliverException as deliverException_, deliverExternal as deliverExternal_ } from './cpu/interrupts';
import { ATTR_ACCESSED as ATTR_ACCESSED_, ATTR_CODE as ATTR_CODE_, ATTR_DB as ATTR_DB_, ATTR_G as ATTR_G_, ATTR_L as ATTR_L_, ATTR_P as ATTR_P_, ATTR_RW as ATTR_RW_, ATTR_S as ATTR_S_, CS as CS_, DS as DS_, ES as ES_, FS as FS_, GS as GS_, SS as SS_ } from './cpu/segment';
import { CpuState, RDX as RDX_, RSP as RSP_ } from './cpu/state';
import { VirtualClock } from './devices/clock';
import { DebugConsole } from './devices/debugcon';
import { DebugExit } from './devices/debugexit';
import { IoBus } from './devices/iobus';
import { Keyboard8042 } from './devices/keyboard8042';
import { Cmos } from './devices/cmos';
import { APIC_DEFAULT_BASE as APIC_DEFAULT_BASE_, ApicSystem, type ApicTarget } from './devices/lapic';
import { DualPic } from './devices/pic8259';
import { Pit8254 } from './devices/pit8254';
import { Uart16550 } from './devices/uart16550';
import { MachineEvents, type EventSite, type MachineEvent } from './events';
import { KIND_WATCH as KIND_WATCH_, PhysicalMemory, type MemorySnapshot } from './memory/physical';
import type { Platform } from './cpu/mmu';
import { restoreFields as restoreFields_, saveFields as saveFields_, type Saved } from './snapshot-fields';
import { MachineStop, type StopReason } from './stop';
import { BIOS_STUB_OFFSET as BIOS_STUB_OFFSET_, StubBios } from './bios';
// Local copies of imported bindings: module loaders that expose exports through getters (tsx) would
// otherwise pay a call on every use in the hot path.
const CR0_ET = CR0_ET_;
const CR0_MP = CR0_MP_;
const CR0_NE = CR0_NE_;
const CR0_PE = CR0_PE_;
const CR0_PG = CR0_PG_;
const CR0_WP = CR0_WP_;
const CR4_PAE = CR4_PAE_;
const EFER_LMA = EFER_LMA_;
const EFER_LME = EFER_LME_;
const EFER_NXE = EFER_NXE_;
const EFER_SCE = EFER_SCE_;
const EFL_IF = EFL_IF_;
const EFL_TF = EFL_TF_;
const EFL_RF = EFL_RF_;
const cpuModelWith = cpuModelWith_;
const defaultCpuModel = defaultCpuModel_;
const initMsrs = initMsrs_;
const deliverException = deliverException_;
const deliverExternal = deliverExternal_;
const ATTR_ACCESSED = ATTR_ACCESSED_;
const ATTR_CODE = ATTR_CODE_;
const ATTR_DB = ATTR_DB_;
const ATTR_G = ATTR_G_;
const ATTR_L = ATTR_L_;
const ATTR_P = ATTR_P_;
const ATTR_RW = ATTR_RW_;
const ATTR_S = ATTR_S_;
const CS = CS_;
const DS = DS_;
const ES = ES_;
const FS = FS_;
const GS = GS_;
const SS = SS_;
const RDX = RDX_;
const RSP = RSP_;
const APIC_DEFAULT_BASE = APIC_DEFAULT_BASE_;
const KIND_WATCH = KIND_WATCH_;
const restoreFields = restoreFields_;
const saveFields = saveFields_;

export type OutputSource = 'debugcon' | 'uart' | 'bios';

export interface MachineConfig {
  /** Guest RAM in MiB (default 256). */
  memoryMiB?: number;
  /** Number of CPUs (default 1); CPU 0 is the bootstrap processor. */
  cpus?: number;
  /** CPUID model, or overrides of the default model (`{ la57: false, vendor: 'AuthenticAMD' }`). */
  cpu?: CpuModel | Record<string, boolean | string | number>;
  /** Host memory cap for guest pages in MiB (default RAM + 16). */
  hostCapMiB?: number;
  /** Instruction semantics (default: machine/exec X86Executor); tests may plug in their own. */
  executor?: Executor;
  /** Console bytes from port 0xE9 and COM1. */
  output?: (byte: number, source: OutputSource) => void;
}

export type StartState =
  /** ROM mapped below 4 GiB (last 64-128 KiB aliased below 1 MiB); CPU 0 at F000:FFF0, CS base 0xFFFF0000. */
  | { kind: 'reset'; rom: Uint8Array }
  /**
   * First 512 bytes of `image` at 0x7C00, CS:IP 0000:7C00, DL = 0x80; the whole image is disk 0x80 for the
   * built-in BIOS (INT 10h/13h/15h/16h/1Ah); INT 10h output appears as source 'bios'.
   */
  | { kind: 'boot-sector'; image: Uint8Array }
  /** Image at `load` (4 KiB aligned, below 1 MiB); real mode with CS = load >> 4, IP = 0, as after SIPI. */
  | { kind: 'ap'; image: Uint8Array; load: number }
  /** 64-bit mode, identity-mapped 4-level paging of the first 4 GiB, flat GDT; RIP = entry (default load). */
  | { kind: 'long64'; image: Uint8Array; load: number; entry?: number; stack?: number };

export interface RunOptions {
  /** Stop with 'slice-end' after this many instructions in this call (default 1,000,000). */
  sliceInstructions?: number;
  /** Stop with 'slice-end' after roughly this many milliseconds of host time (default none). */
  sliceMs?: number;
}

export interface MachineSnapshot {
  readonly cpus: CpuState[];
  readonly cpuExtra: { nmiPending: boolean; initPending: boolean; sipiVector: number }[];
  readonly memory: MemorySnapshot;
  readonly devices: Saved;
  readonly clock: number;
  readonly a20: boolean;
  readonly totalInstructions: number;
}

const FOUR_GIB = 0x1_0000_0000;
/** Timer events that wake no CPU before a halted machine counts as stopped for good. */
const IDLE_ROUNDS_LIMIT = 100_000;
const BIOS_STUB_OFFSET = BIOS_STUB_OFFSET_;

/** Most instructions one Executor.runBlock call may run (well under a millisecond at block speed). */
const BLOCK_BUDGET = 0x10000;

export class Machine {
  readonly memory: PhysicalMemory;
  readonly io = new IoBus();
  readonly platform: Platform = { a20Enabled: true };
  readonly clock = new VirtualClock();
  readonly model: CpuModel;
  readonly cpus: Cpu[] = [];
  readonly pic = new DualPic();
  readonly pit: Pit8254;
  readonly uart: Uart16550;
  readonly keyboard: Keyboard8042;
  readonly cmos: Cmos;
  readonly apics: ApicSystem;
  readonly events: MachineEvents;
  executor: Executor | null;
  /** Instructions retired by all CPUs. */
  totalInstructions = 0;
  /** Instructions that raised an exception instead of retiring; they count toward `maxInstructions`. */
  faultedInstructions = 0;
  /** Stop after this many total instructions ('instruction-limit'); Infinity by default. */
  maxInstructions = Infinity;
  private pendingStop: StopReason | null = null;
  private pauseRequested = false;
  private readonly output: (byte: number, source: OutputSource) => void;
  private readonly linearBreaks = new Map<number, number[]>();
  private readonly physicalBreaks = new Set<number>();
  private breakCount = 0;
  private skipBreakCpu = -1;
  private readonly watches: { first: number; last: number; read: boolean; write: boolean }[] = [];
  /** Consecutive rounds in which no CPU could run (timer fast-forwarding). */
  private idleRounds = 0;
  /** Bumped whenever a PIC or APIC changes state that could make an interrupt deliverable. */
  private irqEpoch = 0;
  /** The built-in BIOS of the boot-sector start (null otherwise): its services run when a CPU reaches a stub. */
  bios: StubBios | null = null;

  constructor(config: MachineConfig = {}) {
    const cpus = Math.max(1, Math.min(255, config.cpus ?? 1));
    this.model = config.cpu === undefined ? defaultCpuModel() : 'features' in config.cpu ? (config.cpu as CpuModel) : cpuModelWith(config.cpu as Record<string, boolean | string | number>);
    const ram = (config.memoryMiB ?? 256) * 1024 * 1024;
    this.memory = new PhysicalMemory({ ramBytes: ram, hostCapBytes: config.hostCapMiB !== undefined ? config.hostCapMiB * 1048576 : undefined });
    this.executor = config.executor ?? new X86Executor({ cpuCount: cpus });
    this.output = config.output ?? (() => {});
    this.events = new MachineEvents({ site: (i) => this.site(i) });
    this.events.onActiveChange = (on) => {
      for (const c of this.cpus) c.hooks = on ? this.events : null;
    };
    const targets: ApicTarget[] = [];
    for (let i = 0; i < cpus; i++) {
      const cpu = new Cpu(i, this.memory, this.platform, this.model, this.io, i);
      this.cpus.push(cpu);
      targets.push({
        init: () => this.initCpu(cpu),
        startup: (v) => this.startupCpu(cpu, v),
        nmi: () => { cpu.nmiPending = true; },
        wake: () => {},
        tprChanged: (tpr) => {
          cpu.cr8 = (tpr >> 4) & 0xf;
        },
      });
    }
    this.apics = new ApicSystem(this.clock, targets, () => this.refreshTimerDeadline());
    this.apics.onIpi = (from, to, kind, vector) => {
      for (const c of this.cpus) c.exitBlock = true;
      if ((kind === 'init' || kind === 'sipi') && this.cpus[to].hooks !== null) this.events.ipi(to, kind, vector, from);
    };
    this.memory.mapMmio(APIC_DEFAULT_BASE, 0x1000, this.apics.mmio);
    this.apics.onChange = () => this.interruptStateChanged();
    this.pic.onChange = () => this.interruptStateChanged();
    for (const cpu of this.cpus) {
      const apic = this.apics.apics[cpu.id];
      cpu.tprSink = (tpr) => {
        apic.tpr = tpr;
        this.interruptStateChanged();
      };
      initMsrs(cpu);
      cpu.interrupts = this.interruptSource(cpu);
      cpu.runState = cpu.id === 0 ? 'running' : 'wait-for-sipi';
    }
    this.resetApic(0);
    // Devices on the port bus.
    this.io.register(0xe9, 1, new DebugConsole((b, s) => this.output(b, s)));
    this.io.register(0xf4, 1, new DebugExit((r) => this.requestStop(r)));
    this.uart = new Uart16550(0x3f8, (b, s) => this.output(b, s), (level) => this.pic.setIrq(4, level));
    this.io.register(0x3f8, 8, this.uart);
    this.io.register(0x20, 2, this.pic);
    this.io.register(0xa0, 2, this.pic);
    this.pit = new Pit8254(this.clock, () => {
      this.pic.setIrq(0, true);
      this.pic.setIrq(0, false);
    });
    this.pit.onSchedule = () => this.refreshTimerDeadline();
    this.io.register(0x40, 4, this.pit);
    this.io.register(0x61, 1, this.pit);
    this.keyboard = new Keyboard8042(
      () => this.platform.a20Enabled,
      (on) => this.setA20(on),
      (why) => this.requestStop({ kind: 'reset', message: `the guest reset the machine (${why})` }),
    );
    this.io.register(0x60, 1, this.keyboard);
    this.io.register(0x64, 1, this.keyboard);
    this.io.register(0x92, 1, this.keyboard);
    this.cmos = new Cmos(this.clock, this.memory.lowRamEnd, this.memory.highRamBytes);
    this.io.register(0x70, 2, this.cmos);
    this.io.register(0xcf9, 1, {
      portRead: () => 0,
      portWrite: (_p, _s, v) => {
        if (v & 4) this.requestStop({ kind: 'reset', message: 'the guest reset the machine (port 0xCF9)' });
      },
    });
    this.memory.onCodeWrite = (page) => this.executor?.invalidatePage?.(page);
    this.memory.onWatch = (addr, size, write, value) => this.watchHit(addr, size, write, value);
  }

  // ---- configuration helpers -----------------------------------------------------------------------------------

  /** Opens or closes the A20 gate; every CPU's TLB is flushed since translations change. */
  setA20(on: boolean): void {
    if (this.platform.a20Enabled === on) return;
    this.platform.a20Enabled = on;
    for (const c of this.cpus) c.mmu.flushAll();
  }

  /** Asks the run loop to stop after the current instruction. */
  requestStop(r: StopReason): void {
    if (this.pendingStop === null) this.pendingStop = r;
    for (const c of this.cpus) c.exitBlock = true;
  }

  /** Re-polls interrupt sources before the next instruction (after a host changed device state directly). */
  pokeInterrupts(): void {
    this.interruptStateChanged();
  }

  /** A PIC/APIC change may make an interrupt deliverable: poll before the next instruction (and end any block). */
  private interruptStateChanged(): void {
    this.irqEpoch++;
    for (const c of this.cpus) c.exitBlock = true;
  }

  /** Makes the current or next run() return 'paused' within one slice check (call from the host's event loop). */
  pause(): void {
    this.pauseRequested = true;
  }

  private resetApic(i: number): void {
    const a = this.apics.apics[i];
    a.reset();
    if (i === 0) a.lvt[3] = 0x700; // BSP LINT0 = ExtINT: the 8259 reaches CPU 0 (as QEMU's APIC reset does)
  }

  private interruptSource(cpu: Cpu): InterruptSource {
    const apic = this.apics.apics[cpu.id];
    const picRouted = (): boolean => {
      if (cpu.id !== 0) return false;
      const lint0 = apic.lvt[3];
      return !apic.globalEnable || ((lint0 & 0x10000) === 0 && ((lint0 >> 8) & 7) === 7);
    };
    return {
      pending: () => (apic.softwareEnabled && apic.hasPending()) || (picRouted() && this.pic.pending()),
      acknowledge: () => (apic.softwareEnabled && apic.hasPending() ? apic.acknowledge() : this.pic.acknowledge()),
    };
  }

  /** INIT: the CPU resets its registers and waits for a STARTUP IPI (the BSP too, but it then stays waiting). */
  private initCpu(cpu: Cpu): void {
    cpu.resetRegisters();
    cpu.mmu.flushAll();
    cpu.mmu.modeChanged();
    cpu.runState = 'wait-for-sipi';
    cpu.nmiPending = false;
  }

  private startupCpu(cpu: Cpu, vector: number): void {
    if (cpu.runState !== 'wait-for-sipi') return; // a second SIPI to a running CPU is ignored
    const s = cpu.seg[CS];
    s.set(vector << 8, vector << 12, 0xffff, ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED);
    cpu.ripLo = 0;
    cpu.ripHi = 0;
    cpu.runState = 'running';
    cpu.modeChanged();
  }

  // ---- start states --------------------------------------------------------------------------------------------

  /** Puts the machine into a start state: loads the image and sets CPU 0; other CPUs wait for INIT-SIPI-SIPI. */
  start(state: StartState): void {
    for (const cpu of this.cpus) {
      cpu.resetRegisters();
      cpu.mmu.flushAll();
      cpu.mmu.modeChanged();
      cpu.runState = cpu.id === 0 ? 'running' : 'wait-for-sipi';
    }
    const bsp = this.cpus[0];
    this.bios = null;
    switch (state.kind) {
      case 'reset': {
        const size = Math.ceil(state.rom.length / 4096) * 4096;
        const rom = new Uint8Array(size);
        rom.set(state.rom, size - state.rom.length); // a ROM ends at the 4 GiB boundary
        this.memory.mapRom(FOUR_GIB - size, rom);
        const alias = Math.min(size, 128 * 1024);
        this.memory.mapRom(0x100000 - alias, rom.subarray(size - alias));
        break; // resetRegisters already put CPU 0 at F000:FFF0 with CS base 0xFFFF0000
      }
      case 'boot-sector': {
        this.installStubBios();
        this.bios = new StubBios(state.image, {
          output: (b) => this.output(b, 'bios'),
          setA20: (on) => this.setA20(on),
          getA20: () => this.platform.a20Enabled,
          nowNs: () => this.clock.now,
          lowRamEnd: this.memory.lowRamEnd,
          highRamBytes: this.memory.highRamBytes,
          pic: (port, v) => this.io.write(port, 1, v),
          keyboardPort: () => this.io.read(0x60, 1),
        });
        this.memory.load(0x7c00, state.image.subarray(0, 512));
        this.realModeAt(bsp, 0, 0x7c00);
        bsp.gprLo[RDX] = 0x80;
        bsp.gprLo[RSP] = 0x7c00;
        break;
      }
      case 'ap': {
        if (state.load % 4096 !== 0 || state.load >= 0x100000) throw new RangeError(`ap start: load address 0x${state.load.toString(16)} must be 4 KiB aligned and below 1 MiB`);
        this.memory.load(state.load, state.image);
        this.realModeAt(bsp, state.load >>> 4, 0);
        break;
      }
      case 'long64':
        this.memory.load(state.load, state.image);
        this.enterLong64(bsp, state.entry ?? state.load, state.stack ?? state.load);
        break;
    }
  }

  private realModeAt(cpu: Cpu, cs: number, ip: number): void {
    cpu.seg[CS].set(cs, cs << 4, 0xffff, ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED);
    cpu.ripLo = ip;
    cpu.ripHi = 0;
    cpu.modeChanged();
  }

  /** A 64 KiB stub BIOS at 0xF0000 (and the reset alias): every IVT vector points at F000:E000+v (an IRET byte). */
  private installStubBios(): void {
    const rom = new Uint8Array(0x10000).fill(0xcf); // IRET everywhere
    rom.set([0xea, 0x00, 0x7c, 0x00, 0x00], 0xfff0); // reset vector: jmp 0000:7C00
    this.memory.mapRom(0xf0000, rom);
    this.memory.mapRom(FOUR_GIB - 0x10000, rom);
    for (let v = 0; v < 256; v++) {
      this.memory.write16(v * 4, BIOS_STUB_OFFSET + v);
      this.memory.write16(v * 4 + 2, 0xf000);
    }
    this.memory.write16(0x413, 639); // BDA: base memory in KiB
  }

  /** Builds identity-mapped 4-level paging (2 MiB pages, first 4 GiB) and a flat GDT, and enters 64-bit mode. */
  private enterLong64(cpu: Cpu, entry: number, stack: number): void {
    const area = Math.min(this.memory.lowRamEnd, 0xc0000000) - 0x8000; // 8 pages below the top of low RAM
    const pml4 = area, pdpt = area + 0x1000, pd = area + 0x2000, gdt = area + 0x6000;
    this.memory.load(pml4, u64s([pdpt + 0x3]));
    this.memory.load(pdpt, u64s([0, 1, 2, 3].map((i) => pd + i * 0x1000 + 0x3)));
    const pds: number[] = [];
    for (let i = 0; i < 2048; i++) pds.push(i * 0x200000 + 0x83); // P RW PS
    this.memory.load(pd, u64s(pds));
    // null, 64-bit code (0x08), data (0x10)
    this.memory.load(gdt, u64s([0n, 0x00af9b000000ffffn, 0x00cf93000000ffffn]));
    cpu.gdtBase = gdt;
    cpu.gdtLimit = 0x17;
    cpu.cr3Lo = pml4;
    cpu.cr4 = CR4_PAE;
    cpu.efer = EFER_LME | EFER_LMA | (this.model.features.nx ? EFER_NXE : 0) | (this.model.features.syscall ? EFER_SCE : 0);
    cpu.cr0 = (CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG) >>> 0;
    cpu.seg[CS].set(0x08, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED | ATTR_L | ATTR_G);
    for (const s of [DS, ES, SS, FS, GS]) cpu.seg[s].set(0x10, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | ATTR_DB | ATTR_G);
    cpu.ripLo = entry >>> 0;
    cpu.ripHi = Math.floor(entry / FOUR_GIB);
    cpu.gprLo[RSP] = stack >>> 0;
    cpu.mmu.flushAll();
    cpu.modeChanged();
  }

  // ---- breakpoints and watchpoints -----------------------------------------------------------------------------

  /** Execution breakpoint at a linear address (CS base + RIP), as a bigint or Number. */
  addBreakpoint(linear: bigint | number): void {
    const v = BigInt(linear);
    const lo = Number(v & 0xffffffffn), hi = Number((v >> 32n) & 0xffffffffn);
    const l = this.linearBreaks.get(lo) ?? [];
    if (!l.includes(hi)) {
      l.push(hi);
      this.breakCount++;
    }
    this.linearBreaks.set(lo, l);
  }
  removeBreakpoint(linear: bigint | number): void {
    const v = BigInt(linear);
    const lo = Number(v & 0xffffffffn), hi = Number((v >> 32n) & 0xffffffffn);
    const l = this.linearBreaks.get(lo);
    if (l?.includes(hi)) {
      l.splice(l.indexOf(hi), 1);
      this.breakCount--;
      if (l.length === 0) this.linearBreaks.delete(lo);
    }
  }
  addPhysicalBreakpoint(physical: number): void {
    if (!this.physicalBreaks.has(physical)) this.breakCount++;
    this.physicalBreaks.add(physical);
  }
  removePhysicalBreakpoint(physical: number): void {
    if (this.physicalBreaks.delete(physical)) this.breakCount--;
  }
  clearBreakpoints(): void {
    this.linearBreaks.clear();
    this.physicalBreaks.clear();
    this.breakCount = 0;
  }

  /** Data watchpoint on a physical range; stops after the accessing instruction. */
  addWatchpoint(physical: number, length: number, access: 'read' | 'write' | 'access'): void {
    this.watches.push({ first: physical, last: physical + length - 1, read: access !== 'write', write: access !== 'read' });
    for (let p = Math.floor(physical / 4096); p <= Math.floor((physical + length - 1) / 4096); p++) this.memory.setPageFlag(p, KIND_WATCH, true);
  }
  /**
   * Data watchpoint on a linear range as CPU `cpu` currently maps it (translated now, page by page; later paging
   * changes do not move it). Returns false when part of the range is unmapped (nothing is set then).
   */
  addLinearWatchpoint(cpu: number, linear: bigint, length: number, access: 'read' | 'write' | 'access'): boolean {
    const parts: [number, number][] = [];
    for (let i = 0; i < length; ) {
      const a = linear + BigInt(i);
      const lo = Number(a & 0xffffffffn), hi = Number((a >> 32n) & 0xffffffffn);
      const w = this.cpus[cpu].mmu.walk(lo, hi);
      if (w.physical === undefined) return false;
      const n = Math.min(length - i, 4096 - (lo & 0xfff));
      parts.push([w.physical, n]);
      i += n;
    }
    for (const [p, n] of parts) this.addWatchpoint(p, n, access);
    return true;
  }

  clearWatchpoints(): void {
    this.watches.length = 0;
    this.memory.clearPageFlagEverywhere(KIND_WATCH);
  }

  private watchHit(addr: number, size: number, write: boolean, value: number): void {
    for (const w of this.watches) {
      if (addr + size - 1 < w.first || addr > w.last || (write ? !w.write : !w.read)) continue;
      const cpu = this.apics.current;
      this.cpus[cpu].exitBlock = true;
      this.events.emit({ ...this.site(cpu), kind: 'watchpoint', address: addr, size, write, value }, true);
      return;
    }
  }

  private site(cpu: number): EventSite {
    const c = this.cpus[cpu];
    return {
      cpu,
      instruction: this.cpus[cpu].instructionsRetired,
      cs: c.startCs,
      rip: (BigInt(c.startHi) << 32n) | BigInt(c.startLo),
    };
  }

  private breakpointAt(cpu: Cpu): MachineEvent | null {
    const cs = cpu.seg[CS];
    let lo: number, hi: number;
    if (cpu.mode === 'long') {
      lo = cpu.ripLo;
      hi = cpu.ripHi;
    } else {
      lo = (cs.base + cpu.ripLo) >>> 0;
      hi = 0;
    }
    const l = this.linearBreaks.get(lo);
    let hit = l !== undefined && l.includes(hi);
    let physical: number | undefined;
    if (!hit && this.physicalBreaks.size > 0) {
      const w = cpu.mmu.walk(lo, hi);
      physical = w.physical;
      hit = physical !== undefined && this.physicalBreaks.has(physical);
    }
    if (!hit) return null;
    const e: MachineEvent = { ...this.site(cpu.id), kind: 'breakpoint', linear: (BigInt(hi) << 32n) | BigInt(lo) };
    if (physical !== undefined) e.physical = physical;
    return e;
  }

  // ---- running ---------------------------------------------------------------------------------------------------

  /**
   * Runs CPUs round-robin (one instruction each per round, in CPU order) until a stop condition. Returns why it
   * stopped; 'slice-end' means "call again". Host exceptions inside the emulator become 'internal-error'.
   */
  run(options: RunOptions = {}): StopReason {
    const slice = options.sliceInstructions ?? 1_000_000;
    const deadlineMs = options.sliceMs !== undefined ? Date.now() + options.sliceMs : Infinity;
    const executor = this.executor;
    if (executor === null) return { kind: 'internal-error', message: 'no instruction executor is installed in this machine' };
    const cpus = this.cpus;
    const n = cpus.length;
    // A CPU runs decoded blocks (when the executor has them) while it is the only one running: a round is then one
    // instruction of it, as below. Anything that could wake another CPU (an IPI, a PIC/APIC change) ends a block.
    const blocks = executor.runBlock !== undefined;
    let done = 0;
    let nextTimeCheck = 0x1000;
    try {
      for (;;) {
        let anyRunning = false;
        for (let i = 0; i < n; i++) {
          const cpu = cpus[i];
          if (cpu.runState !== 'running' && !this.wakeIfInterrupted(cpu)) continue;
          anyRunning = true;
          const rounds = blocks && (n === 1 || this.soleRunner(cpu)) && this.blockable(cpu) ? this.runBlock(cpu, executor, slice - done) : 0;
          if (rounds === 0) {
            this.stepCpu(cpu, executor);
            done++;
          } else done += rounds;
          if (this.pendingStop !== null || this.events.pendingStops.length > 0) return this.takeStop();
        }
        this.clock.now++;
        if (this.clock.now >= this.timerDeadline) this.fireTimers();
        if (!anyRunning) {
          const r = this.idle();
          if (r !== null) return r;
          // Fast-forwarding executes nothing: let the host's pause and time budget still apply.
          if (++this.idleRounds % 256 === 0) {
            if (this.pauseRequested) {
              this.pauseRequested = false;
              return { kind: 'paused', message: 'paused by the host' };
            }
            if (Date.now() >= deadlineMs) return { kind: 'slice-end', message: `ran ${done} instructions` };
          }
        } else this.idleRounds = 0;
        // Instructions that faulted count too: a handler that faults again retires nothing, forever.
        if (this.totalInstructions + this.faultedInstructions >= this.maxInstructions) {
          return { kind: 'instruction-limit', message: `instruction limit of ${this.maxInstructions} reached` };
        }
        if (done >= slice) return { kind: 'slice-end', message: `ran ${done} instructions` };
        if (done >= nextTimeCheck || this.pauseRequested) {
          nextTimeCheck = done + 0x1000;
          if (this.pauseRequested) {
            this.pauseRequested = false;
            return { kind: 'paused', message: 'paused by the host' };
          }
          if (Date.now() >= deadlineMs) return { kind: 'slice-end', message: `ran ${done} instructions` };
        }
      }
    } catch (e) {
      if (e instanceof MachineStop) return this.machineStop(e.reason);
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      return { kind: 'internal-error', message: `emulator error: ${msg}` };
    }
  }

  /** Executes exactly one instruction (or interrupt delivery) on CPU `index`, ignoring breakpoints there. */
  step(index = 0): StopReason {
    const cpu = this.cpus[index];
    const executor = this.executor;
    if (executor === null) return { kind: 'internal-error', message: 'no instruction executor is installed in this machine' };
    try {
      if (cpu.runState !== 'running' && !this.wakeIfInterrupted(cpu)) return { kind: 'slice-end', message: `CPU ${index} is ${cpu.runState}` };
      // One instruction ignoring a breakpoint here: the skip ends with the step (whether or not a breakpoint check
      // consumed it), while another CPU's pending resume-over-breakpoint stays as it was.
      const prior = this.skipBreakCpu;
      this.skipBreakCpu = index;
      try {
        this.stepCpu(cpu, executor);
      } finally {
        this.skipBreakCpu = prior === index ? -1 : prior;
      }
      if (this.pendingStop !== null || this.events.pendingStops.length > 0) return this.takeStop();
      return { kind: 'slice-end', message: 'stepped' };
    } catch (e) {
      if (e instanceof MachineStop) return this.machineStop(e.reason);
      return { kind: 'internal-error', message: `emulator error: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /**
   * A MachineStop thrown inside an instruction. A triple fault keeps the exceptions that escalated into it (first
   * fault, #DF; recorded while hooks are attached) and the triple-fault event itself in `events`, so a debugger
   * can show and stop on the first fault; other pending stops of the abandoned instruction are dropped.
   */
  private machineStop(reason: StopReason): StopReason {
    this.events.pendingStops.length = 0;
    if (reason.kind !== 'triple-fault') return reason;
    const site = this.site(reason.cpu ?? 0);
    const triple: MachineEvent = { ...site, kind: 'triple-fault', message: reason.message };
    this.events.emit(triple);
    this.events.pendingStops.length = 0;
    const chain = this.events.exceptionsAt(site.cpu, site.instruction);
    return { ...reason, events: [...chain, triple] };
  }

  private takeStop(): StopReason {
    const p = this.pendingStop;
    this.pendingStop = null;
    if (p !== null) {
      this.events.pendingStops.length = 0;
      return p;
    }
    const evs = this.events.pendingStops.splice(0);
    const bp = evs.find((e) => e.kind === 'breakpoint');
    return { kind: bp ? 'breakpoint' : 'event', cpu: evs[0].cpu, message: evs.map((e) => e.kind).join(', '), events: evs };
  }

  private wakeIfInterrupted(cpu: Cpu): boolean {
    if (cpu.runState !== 'halted') return false;
    if (cpu.nmiPending || ((cpu.eflags & EFL_IF) !== 0 && cpu.interrupts !== null && cpu.interrupts.pending())) {
      cpu.runState = 'running';
      return true;
    }
    return false;
  }

  /** Breakpoints for block dispatch: a block holding one is left to stepCpu, which stops there. */
  private readonly blockStops: BlockStops = {
    inRange: (lo, hi, physical, length) => {
      for (const [b, his] of this.linearBreaks) if (b >= lo && b - lo < length && his.includes(hi)) return true;
      for (const p of this.physicalBreaks) if (p >= physical && p - physical < length) return true;
      return false;
    },
  };

  /** No other CPU is running (halted or waiting for INIT/SIPI ones wake only through what ends a block). */
  private soleRunner(cpu: Cpu): boolean {
    for (const c of this.cpus) if (c !== cpu && c.runState === 'running') return false;
    return true;
  }

  /** Nothing needs checking between this CPU's next instructions (the conditions stepCpu looks at). */
  private blockable(cpu: Cpu): boolean {
    return (
      this.skipBreakCpu !== cpu.id &&
      !cpu.interruptShadow &&
      !cpu.nmiPending &&
      (cpu.eflags & (EFL_TF | EFL_RF)) === 0 &&
      (cpu.dr[14] & 0xff) === 0 &&
      ((cpu.eflags & EFL_IF) === 0 || cpu.irqSeenEpoch === this.irqEpoch || cpu.interrupts === null) &&
      (this.bios === null || cpu.mode !== 'real' || cpu.seg[CS].base !== 0xf0000)
    );
  }

  /**
   * Runs a decoded block on `cpu` (executor.runBlock) within the slice, instruction limit and next timer event.
   * Returns the rounds used: the retired instructions plus one for an instruction that faulted (0: nothing ran).
   * The clock is left at the last round; the caller's loop advances it past that round.
   */
  private runBlock(cpu: Cpu, executor: Executor, sliceLeft: number): number {
    // At most BLOCK_BUDGET per call, so the loop still looks at the host's pause and time budget (sliceMs) often.
    let budget = Math.min(sliceLeft, BLOCK_BUDGET, this.maxInstructions - this.totalInstructions - this.faultedInstructions);
    if (this.timerDeadline !== Infinity) budget = Math.min(budget, Math.ceil(this.timerDeadline - this.clock.now));
    if (budget < 1) budget = 1;
    this.apics.current = cpu.id;
    const before = cpu.instructionsRetired;
    try {
      // The executor keeps totalInstructions and the clock exact (events read them mid-block).
      const k = executor.runBlock!(cpu, budget, this, this.breakCount > 0 ? this.blockStops : null);
      if (k > 0 && cpu.runState === 'halted' && cpu.hooks !== null) cpu.hooks.halt(cpu.id);
      return k;
    } catch (e) {
      const k = cpu.instructionsRetired - before;
      if (e !== cpu.fault) throw e;
      this.faultedInstructions++;
      deliverException(cpu, cpu.fault.vector, cpu.fault.errorCode, cpu.fault.detail);
      return k + 1;
    }
  }

  private stepCpu(cpu: Cpu, executor: Executor): void {
    this.apics.current = cpu.id;
    const shadow = cpu.interruptShadow;
    cpu.interruptShadow = false;
    if (!shadow) {
      if (cpu.nmiPending && !cpu.nmiBlocked) {
        cpu.nmiPending = false;
        deliverExternal(cpu, 2, true);
        return;
      }
      // Interrupt sources are polled only after something changed them (irqEpoch), not on every instruction.
      if ((cpu.eflags & EFL_IF) !== 0 && cpu.irqSeenEpoch !== this.irqEpoch && cpu.interrupts !== null) {
        if (cpu.interrupts.pending()) {
          deliverExternal(cpu, cpu.interrupts.acknowledge());
          return;
        }
        cpu.irqSeenEpoch = this.irqEpoch;
      }
    }
    const id = cpu.id;
    // The instruction's start, for event sites (events only fire while hooks are attached) and breakpoints.
    if (cpu.hooks !== null || this.breakCount > 0 || this.watches.length > 0) {
      cpu.startLo = cpu.ripLo;
      cpu.startHi = cpu.ripHi;
      cpu.startCs = cpu.seg[CS].selector;
    }
    if (this.bios !== null && cpu.mode === 'real' && cpu.seg[CS].base === 0xf0000 && (cpu.ripLo & 0xff00) === BIOS_STUB_OFFSET) {
      if (this.bios.call(cpu, cpu.ripLo & 0xff)) {
        cpu.instructionsRetired++;
        this.totalInstructions++;
      }
      return;
    }
    if (this.breakCount > 0) {
      if (this.skipBreakCpu === id) this.skipBreakCpu = -1;
      else {
        const e = this.breakpointAt(cpu);
        if (e !== null) {
          this.skipBreakCpu = id; // resume executes this instruction
          this.events.emit(e, true);
          return;
        }
      }
    }
    const singleStep = (cpu.eflags & EFL_TF) !== 0;
    const resume = (cpu.eflags & EFL_RF) !== 0;
    if ((cpu.dr[14] & 0xff) !== 0) {
      // Instruction breakpoints (DR7 RW = 00) fault before the instruction unless EFLAGS.RF suppresses them.
      if ((cpu.eflags & EFL_RF) === 0 && this.instructionBreakpoint(cpu)) return;
      cpu.debugTrapBits = 0;
    }
    try {
      executor.step(cpu);
      cpu.instructionsRetired++;
      this.totalInstructions++;
      if (resume) cpu.eflags &= ~EFL_RF; // RF lasts one instruction (an IRET that sets it again is not cleared)
      if (cpu.debugTrapBits !== 0) {
        // Data breakpoints hit by the instruction: a #DB trap after it (DR6.Bn).
        cpu.dr[12] = ((cpu.dr[12] & ~0xf) | cpu.debugTrapBits | (singleStep ? 0x4000 : 0)) >>> 0; // B0-B3 replaced, as QEMU
        cpu.debugTrapBits = 0;
        deliverException(cpu, 1, -1, 'data breakpoint (DR0-DR3)');
      } else if (cpu.runState === 'halted' && cpu.hooks !== null) cpu.hooks.halt(id);
      // TF set when the instruction began: single-step trap (#DB, DR6.BS) once it completed, unless it halted
      // or delivered a software interrupt itself (which clears TF on the way in).
      else if (singleStep && (cpu.eflags & EFL_TF) !== 0 && cpu.runState === 'running') {
        cpu.dr[12] = (cpu.dr[12] | 0x4000) >>> 0;
        deliverException(cpu, 1, -1, 'single-step trap (EFLAGS.TF)');
      }
    } catch (e) {
      if (e !== cpu.fault) throw e;
      this.faultedInstructions++;
      deliverException(cpu, cpu.fault.vector, cpu.fault.errorCode, cpu.fault.detail);
    }
  }

  /** DR0-DR3 execution breakpoints at the current CS:RIP: delivers #DB (a fault) and returns true on a hit. */
  private instructionBreakpoint(cpu: Cpu): boolean {
    const dr7 = cpu.dr[14];
    let lo: number, hi: number;
    if (cpu.mode === 'long') {
      lo = cpu.ripLo;
      hi = cpu.ripHi;
    } else {
      lo = (cpu.seg[CS].base + cpu.ripLo) >>> 0;
      hi = 0;
    }
    let bits = 0;
    for (let i = 0; i < 4; i++) {
      if (((dr7 >>> (i * 2)) & 3) === 0 || ((dr7 >>> (16 + i * 4)) & 3) !== 0) continue;
      if (cpu.dr[2 * i] === lo && cpu.dr[2 * i + 1] === hi) bits |= 1 << i;
    }
    if (bits === 0) return false;
    cpu.dr[12] = ((cpu.dr[12] & ~0xf) | bits) >>> 0;
    deliverException(cpu, 1, -1, 'instruction breakpoint (DR0-DR3)');
    return true;
  }

  private fireTimers(): void {
    this.pit.tick();
    this.apics.fireTimers(this.clock.now);
    this.refreshTimerDeadline();
  }

  /** Earliest virtual time at which a PIT or local APIC timer fires (cached for the run loop). */
  private timerDeadline = Infinity;

  private refreshTimerDeadline(): void {
    const a = this.apics.nextDeadline();
    this.timerDeadline = this.pit.nextIrqNs < a ? this.pit.nextIrqNs : a;
  }

  /** No CPU can run: fast-forward to the next timer if a halted CPU could take it, else stop. */
  private idle(): StopReason | null {
    const canWake = this.cpus.some((c) => c.runState === 'halted' && (c.eflags & EFL_IF) !== 0);
    const next = Math.min(this.pit.nextIrqNs, this.apics.nextDeadline());
    if (canWake && next !== Infinity && this.idleRounds < IDLE_ROUNDS_LIMIT) {
      if (next > this.clock.now) this.clock.now = Math.ceil(next);
      this.fireTimers();
      return null;
    }
    if (canWake && next !== Infinity) {
      return { kind: 'all-halted', exitStatus: 0, message: `every CPU stays halted: ${IDLE_ROUNDS_LIMIT} timer events in a row reached no CPU (masked in the PIC/APIC?)` };
    }
    const states = this.cpus.map((c) => `CPU ${c.id} ${c.runState}${c.runState === 'halted' ? ((c.eflags & EFL_IF) !== 0 ? ' (IF=1, no interrupt source)' : ' (IF=0)') : ''}`);
    return { kind: 'all-halted', exitStatus: 0, message: `every CPU is stopped: ${states.join(', ')}` };
  }

  // ---- snapshots -------------------------------------------------------------------------------------------------

  /** A cheap full copy: CPU states, copy-on-write memory, device registers, clock. */
  snapshot(): MachineSnapshot {
    return {
      cpus: this.cpus.map((c) => {
        const s = new CpuState(c.id);
        s.copyFrom(c);
        return s;
      }),
      cpuExtra: this.cpus.map((c) => ({ nmiPending: c.nmiPending, initPending: c.initPending, sipiVector: c.sipiVector })),
      memory: this.memory.snapshot(),
      devices: {
        pic: saveFields(this.pic), pit: saveFields(this.pit), uart: saveFields(this.uart), keyboard: saveFields(this.keyboard), cmos: saveFields(this.cmos),
        apics: this.apics.apics.map((a) => saveFields(a)),
      },
      clock: this.clock.now,
      a20: this.platform.a20Enabled,
      totalInstructions: this.totalInstructions,
    };
  }

  restore(s: MachineSnapshot): void {
    this.memory.restore(s.memory);
    this.cpus.forEach((c, i) => {
      c.copyFrom(s.cpus[i]);
      Object.assign(c, s.cpuExtra[i]);
      c.mmu.flushAll();
      c.mmu.modeChanged();
      if (c.paging === 'pae') c.mmu.loadPdptes();
    });
    const d = s.devices as { pic: Saved; pit: Saved; uart: Saved; keyboard: Saved; cmos: Saved; apics: Saved[] };
    restoreFields(this.pic, d.pic);
    restoreFields(this.pit, d.pit);
    restoreFields(this.uart, d.uart);
    restoreFields(this.keyboard, d.keyboard);
    restoreFields(this.cmos, d.cmos);
    this.apics.apics.forEach((a, i) => restoreFields(a, d.apics[i]));
    this.clock.now = s.clock;
    this.refreshTimerDeadline();
    this.irqEpoch++;
    this.platform.a20Enabled = s.a20;
    this.totalInstructions = s.totalInstructions;
    this.pendingStop = null;
    this.events.pendingStops.length = 0;
    this.events.forgetExceptions();
    this.skipBreakCpu = -1; // a breakpoint resume belongs to the state that stopped there, not to the restored one
    this.executor?.flush?.();
  }
}

/** Little-endian bytes of 64-bit values given as Numbers (exact below 2^53). */
function u64s(values: (number | bigint)[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setBigUint64(i * 8, BigInt(v), true));
  return out;
}

export { CpuFault };
