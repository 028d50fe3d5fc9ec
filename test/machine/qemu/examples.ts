// The integration examples: how each one starts, how it must end, and a few lines its console output must
// contain. Statuses and lines were checked on qemu-system-x86_64 7.2 (TCG, -cpu max); examples-on-qemu.test.ts
// re-checks them, and the machine's tests compare our machine with QEMU over the same list.
import { join } from 'node:path';
import { assembleWithGnu, gnuSymbols, type AssembleOptions, type QemuRunOptions } from './qemu-oracle';

export type ExampleStart = 'reset' | 'boot-sector' | 'ap' | 'long64';

export interface ExampleFixture {
  /** Source path relative to the repository root. */
  path: string;
  start: ExampleStart;
  cpus: number;
  /** Link address for `ld -Ttext`: 0 for ROM images (code adds the 0xF0000 alias itself), 0x7c00 for boot sectors,
   *  the load address for `ap` and `long64` payloads. */
  ttext: number;
  /** `ap` and `long64`: where the image is loaded. */
  load?: number;
  /** `long64`: the symbol to start at (default: the load address). */
  entrySymbol?: string;
  /** Preprocess with the built-in kernel headers (gas/headers) on the include path. */
  kernelHeaders?: boolean;
  /** Extra include directories, relative to the repository root. */
  includeDirs?: string[];
  /** Take this section's bytes from the object instead of linking (position-independent trampolines). */
  section?: string;
  /** Whether it runs on QEMU (`ap` and `long64` behind the shim ROMs of qemu-oracle.ts). */
  qemu: boolean;
  /** Exit status on QEMU: (V << 1) | 1 for the byte V written to port 0xF4. */
  status?: number;
  /** Text the console output must contain (each checked on QEMU). */
  mustPrint: string[];
  /** What the example proves, for reports. */
  proves: string;
  /** Why it is not run on QEMU, when it is not. */
  notOnQemu?: string;
}

export const REPO_ROOT = join(__dirname, '..', '..', '..');

export const EXAMPLES: ExampleFixture[] = [
  {
    path: 'examples/boot-sector/long-mode-boot.S',
    start: 'boot-sector',
    cpus: 1,
    ttext: 0x7c00,
    qemu: true,
    status: 33,
    mustPrint: ['real mode\n', 'protected mode\n', 'long mode\n'],
    proves: 'real -> protected -> long mode with 4-level paging from a boot sector',
  },
  {
    path: 'examples/boot-sector/disk-read.S',
    start: 'boot-sector',
    cpus: 1,
    ttext: 0x7c00,
    qemu: true,
    status: 39,
    mustPrint: [
      'boot: drive 0x80\n',
      'boot: stage 2 read by LBA (INT 13h AH=42h)\n',
      'boot: data read by CHS (INT 13h AH=02h)\n',
      'stage 2: #DE delivered through the IVT and stepped over\n',
      // sum of the 256 words (i * 0x101 + 0x1357) mod 2^16, computed independently in Python
      'stage 2: data sector sum 0x5680\n',
    ],
    proves: 'BIOS disk services (INT 13h AH=41h/42h LBA, AH=02h CHS) on a 4-sector disk; real-mode #DE through the IVT',
  },
  {
    path: 'examples/boot-sector/bios-services.S',
    start: 'boot-sector',
    cpus: 1,
    ttext: 0x7c00,
    qemu: true,
    status: 43,
    mustPrint: [
      'E820: 0x7c00 and 1 MiB..201 MiB are usable RAM\n',
      'INT 12h: >= 512 KiB conventional memory\n',
      'INT 16h: no key waiting\n',
      'INT 1Ah: ticks do not go backwards\n',
    ],
    proves: 'BIOS services every boot loader uses (INT 15h E820 walk, INT 12h, INT 16h AH=01h, INT 1Ah), checked by firmware-independent facts',
  },
  {
    path: 'examples/boot-sector/cpu-features.S',
    start: 'boot-sector',
    cpus: 1,
    ttext: 0x7c00,
    qemu: true,
    status: 25,
    mustPrint: [
      // QEMU 7.2 TCG -cpu max: no PCID and no x2APIC
      '+pse +pae +apic +sep +pge +pse36 -pcid -x2apic +fsgsbase +smep +smap +umip +la57 +syscall +nx +pdpe1gb ' +
        '+rdtscp +lm +lahf_lm \n',
      'physical address bits 40, linear 57\n',
    ],
    proves: 'the CPUID feature bits and address widths the other examples rely on, as the default CPU model must report them',
  },
  {
    path: 'examples/real-mode/a20-unreal.S',
    start: 'reset',
    cpus: 1,
    ttext: 0,
    qemu: true,
    status: 85,
    mustPrint: [
      'real mode; printing through our own INT 60h\n',
      // QEMU TCG does not check data segment limits, so this line passes on QEMU even without unreal mode;
      // our machine does check them and must honour the cached 4 GiB limit.
      'unreal mode: DS = 0 reaches 0x200500 with a 32-bit offset\n',
      'A20 off (port 0x92): 0x100500 wraps to 0x500, 0x300500 to 0x200500\n',
      'A20 on (port 0x92): no wrap\n',
      'A20 off (8042 output port): wraps again\n',
      'A20 on (8042 output port): no wrap\n',
    ],
    proves: 'unreal mode (cached 4 GiB limit in real mode), A20 masking via port 0x92 and the 8042, INT n through the IVT',
  },
  {
    path: 'examples/modes/round-trip.S',
    start: 'reset',
    cpus: 1,
    ttext: 0,
    qemu: true,
    status: 155,
    mustPrint: [
      'real mode\n32-bit protected mode\n64-bit mode\n' +
        '32-bit compatibility mode (LRETQ)\n64-bit mode (far jump)\n' +
        '16-bit compatibility mode (IRETQ)\n64-bit mode (far jump)\n' +
        '32-bit compatibility mode (far CALL)\n64-bit mode (32-bit far RET)\n' +
        '32-bit protected mode again: paging off, EFER.LMA clear, LME cleared\n' +
        'real mode again: CR0.PE clear, EFER clear\n',
    ],
    proves:
      'every CS.L/CS.D transition (far jump, LRETQ, IRETQ to a 16-bit segment, far CALL/RET across modes) and the ' +
      'way back from 64-bit to real mode',
  },
  {
    path: 'examples/smp-rom/smp-wakeup.S',
    start: 'reset',
    cpus: 4,
    ttext: 0,
    qemu: true,
    status: 65,
    mustPrint: ['BSP: waking 3 APs\n', 'BSP: all APs checked in, APIC ID sum 6\n'],
    proves: 'INIT-SIPI-SIPI wakes three APs that share one spin-locked stack',
  },
  {
    path: 'examples/smp/five-level-aps.S',
    start: 'reset',
    cpus: 4,
    ttext: 0,
    qemu: true,
    status: 181,
    mustPrint: [
      // the three APs print under the stack lock, so their lines never interleave
      'BSP: tables ready, waking 3 APs\n' +
        ('AP: holding the stack lock, protected mode\n' +
          'AP: long mode with 4-level paging, LA57 wanted: switching\n' +
          'AP: long mode with 5-level paging\n').repeat(3) +
        'BSP: all APs run 5-level paging, APIC ID sum 6\n',
    ],
    proves:
      'three APs serialised by a stack lock from real mode on, each switching 4 -> 5-level paging the ' +
      'trampoline_start64 way (far return to compatibility mode, paging off, LA57, PML5, paging on)',
  },
  {
    path: 'examples/ap-trampoline/trampoline.S',
    start: 'ap',
    cpus: 1,
    ttext: 0x8000,
    load: 0x8000,
    kernelHeaders: true,
    qemu: true,
    status: 67,
    mustPrint: ['trampoline: 64-bit mode reached\n'],
    proves: 'the kernel-style AP trampoline entered at trampoline_start in real mode (CS = 0x800, IP = 0) reaches 64-bit mode',
  },
  {
    path: 'examples/ap-trampoline/trampoline.S',
    start: 'long64',
    cpus: 1,
    ttext: 0x8000,
    load: 0x8000,
    entrySymbol: 'trampoline_start64',
    kernelHeaders: true,
    qemu: true,
    status: 67,
    mustPrint: ['trampoline: 64-bit mode reached\n'],
    proves: 'the same trampoline entered at trampoline_start64 in 64-bit mode takes its lock RIP-relative and finishes',
  },
  {
    path: 'examples/long64/entry-state.S',
    start: 'long64',
    cpus: 1,
    ttext: 0x200000,
    load: 0x200000,
    qemu: true,
    status: 129,
    mustPrint: [
      'CR0 0x80010033 CR4 0x20 EFER 0xd01\n',
      'CS 0x8 SS 0x10 RSP 0x200000 RFLAGS 0x2\n',
      'GDT limit 0x17 CR3 0xfff8000\n',
      'identity map of 4 GiB: 2 MiB pages checked 0x800\n',
    ],
    proves: 'the long64 start state (control registers, selectors, GDT, RSP, RFLAGS, the 4 GiB identity map from CR3)',
  },
  {
    path: 'examples/paging/five-level.S',
    start: 'reset',
    cpus: 1,
    ttext: 0,
    qemu: true,
    status: 175,
    mustPrint: [
      'setting CR4.LA57 in long mode\n#GP error code 0x0\nCR4.LA57 still clear\n',
      'reading 1 << 48 with 4-level paging\n#GP error code 0x0\n',
      'paging off, EFER.LMA clear; LA57 on, CR3 = PML5, paging on\n',
      'long mode, 5-level paging\n',
      'read through PML5[1]: 0x1a57c0de00000005\n',
      '#GP count 0x2\n',
    ],
    proves:
      '#GP for CR4.LA57 in long mode; 4 -> 5-level switch through compatibility mode with paging off; ' +
      '1 << 48 non-canonical before, mapped through PML5[1] after',
  },
  {
    path: 'examples/paging/demand-paging.S',
    start: 'reset',
    cpus: 1,
    ttext: 0,
    qemu: true,
    status: 137,
    mustPrint: [
      'written 256 values: faults 0x100 pool resets 0x15\n',
      'read back 256 values: faults 0x200 pool resets 0x2a\n',
      // sum over k < 256 of address(k) ^ (k + 1) * 0x9e3779b97f4a7c15, computed independently in Python
      'checksum 0x27697bdee1b38a80\n',
    ],
    proves: 'a #PF handler building PDPT/PD/PT/PTEs on demand from an 8-page pool, resetting when it runs out',
  },
  {
    path: 'examples/paging/page-protection.S',
    start: 'reset',
    cpus: 1,
    ttext: 0,
    qemu: true,
    status: 95,
    mustPrint: [
      'A/D: PTE flags 0x3, after a read 0x23, after a write 0x63\n',
      '#PF error 0x3 CR2 0x101000\n',
      '#PF error 0x11 CR2 0x102000\n',
      '#PF error 0x11 CR2 0x103000\n#PF error 0x1 CR2 0x103000\nSMAP read allowed after STAC\n',
      '1 GiB page at 512 GiB reads physical memory\n',
      // QEMU 7.2 TCG reports a reserved-bit fault as 0x8 where the SDM (and hardware) give 0x9 (P set too);
      // the example compares and prints only the bits other than P, so a correct machine matches QEMU here.
      '#PF error 0x8 (P not compared) CR2 0x10000000000\n',
      '#PF error 0x0 CR2 0x104000\n#PF error 0x2 CR2 0x104000\n',
      'all checks passed; page faults 0x7\n',
    ],
    proves:
      'A/D write-back, CR0.WP on a read-only page, NX fetch, SMEP and SMAP (with STAC), a 1 GiB page, ' +
      'RSVD for PS in a PML4E, not-present read/write error codes',
  },
  {
    path: 'examples/paging/legacy-paging.S',
    start: 'reset',
    cpus: 1,
    ttext: 0,
    qemu: true,
    status: 101,
    mustPrint: [
      '32-bit paging on: 4 MiB page and 4 KiB page read the planted values\n',
      '4 MiB PDE flags after a write 0xe3\n',
      '#PF error 0x2 CR2 0x80000000\n',
      'PAE paging on\n',
      '4 KiB PTE flags after a write 0x63\n',
      'paging off: the write through the PAE 4 KiB page is in physical memory\n',
    ],
    proves:
      '32-bit paging with 4 KiB and PSE 4 MiB pages, #PF through a 32-bit gate, PAE paging with 2 MiB and ' +
      '4 KiB pages, switching between them with paging off',
  },
  {
    path: 'examples/exceptions/faults.S',
    start: 'reset',
    cpus: 1,
    ttext: 0,
    qemu: true,
    status: 27,
    mustPrint: [
      'vector 0x0 error 0x0 at',
      'vector 0x6 error 0x0 at',
      'vector 0x3 error 0x0 at',
      'vector 0x41 error 0x0 at',
      'vector 0xd error 0x1234 at',
      'vector 0xb error 0x20 at',
      '#DF on the IST1 stack after #PF while pushing to the unmapped stack; CR2 page 0x3ffff000\n',
      'exceptions taken 0x7\n',
    ],
    proves:
      'fault vs trap RIPs (#DE, #UD, #BP, INT n), selector error codes (#GP, #NP), #PF during delivery -> #DF on IST1',
  },
  {
    path: 'examples/interrupts/timers.S',
    start: 'reset',
    cpus: 1,
    ttext: 0,
    qemu: true,
    status: 227,
    mustPrint: [
      'PIT ticks through the 8259 (vector 0x20), each waking HLT: 10\n',
      'local APIC timer ticks (vector 0x30): 5\n',
    ],
    proves: '8259 initialisation and IRQ 0 from the PIT through LAPIC LINT0 (ExtINT), LAPIC periodic timer and EOI, HLT wake-up',
  },
  {
    path: 'examples/syscall/ring3-syscall.S',
    start: 'reset',
    cpus: 1,
    ttext: 0,
    qemu: true,
    status: 103,
    mustPrint: [
      'user: hello from ring 3 via SYSCALL\n',
      'user: CPL 3\n',
      "user: GS base is the user's again\n",
      'kernel: entered with CR3 0x11000, switched to 0x10000, GS base 0x20800, user RSP 0x41000\n',
      'kernel: exception 0xd error 0x0 from CS 0x2b SS 0x23\n',
      'kernel: exception 0xe error 0x4 from CS 0x2b SS 0x23 CR2 0x30ff8\n',
      'kernel: exception 0x3 error 0x0 from CS 0x2b SS 0x23\n',
      'kernel: exit after syscalls 0x9\n',
    ],
    proves:
      'SYSRET to ring 3 and SYSCALL back with SWAPGS and a CR3 switch between paired roots (kernel | 0x1000 = user); ' +
      'exceptions from ring 3 on the TSS RSP0 stack',
  },
  {
    path: 'examples/syscall/ring3-legacy.S',
    start: 'reset',
    cpus: 1,
    ttext: 0,
    qemu: true,
    status: 121,
    mustPrint: [
      'user: ring 3, INT 0x80 works\n',
      'kernel: INT 0x80 on the TSS ESP0 stack from CS 0x1b SS 0x23 user ESP 0x5000\n',
      'user: one character per SYSENTER: SYSEXIT\n',
      'kernel: #GP error 0x0 from CS 0x1b\nuser: CLI was refused, exiting\n',
    ],
    proves: '32-bit privilege changes: IRET to ring 3, INT 0x80 through a DPL 3 gate onto SS0:ESP0, SYSENTER/SYSEXIT, #GP for CLI at CPL 3',
  },
];

/** The seeds' own code, run through wrappers of ours in test/machine/qemu/fixtures (the seeds stay outside). */
export const SEEDS_DIR = join(REPO_ROOT, '..', 'shared', 'seeds');

export const SEED_RUNS: ExampleFixture[] = [
  {
    path: 'test/machine/qemu/fixtures/bsp-trampoline-wrapper.S',
    start: 'ap',
    cpus: 1,
    ttext: 0,
    load: 0x10000,
    kernelHeaders: true,
    includeDirs: ['../shared/seeds'],
    section: '.x86_trampoline_bsp',
    qemu: true,
    status: 201,
    mustPrint: [
      'trampoline_64_bsp: jumped to kernel_phys_addr\n',
      'CS 0x10 with L=1 (64-bit)\n',
      'trampoline_status_bsp = 0xa5a5a5a5\n',
      // ET reads as 1 whatever is written (QEMU, and hardware since the i486)
      'CR0 0x80000011 CR4 0x20 EFER 0x500\n',
      'CR3 = trampoline + 0x2000\n',
      'identity map of 4 GiB: 2 MiB pages checked 0x800\n',
    ],
    proves:
      "the seeds' trampoline_64_bsp.S entered as an AP reaches its 64-bit jump with CS.L = 1 and its 4 GiB identity map",
  },
];

/** The examples QEMU can run as they are. */
export function qemuExamples(): ExampleFixture[] {
  return EXAMPLES.filter((e) => e.qemu);
}

/** The example's flat image as GNU as and ld build it (the reference bytes for QEMU and our machine alike). */
export function buildExample(e: ExampleFixture): Buffer {
  return assembleWithGnu(join(REPO_ROOT, e.path), assembleOptions(e));
}

function assembleOptions(e: ExampleFixture): AssembleOptions {
  return {
    ttext: e.ttext,
    builtinHeaders: e.kernelHeaders,
    includeDirs: (e.includeDirs ?? []).map((d) => join(REPO_ROOT, d)),
    section: e.section,
  };
}

/** How to start the example: the runOnQemu options, with the entry symbol resolved through `nm`. */
export function exampleStart(e: ExampleFixture): QemuRunOptions {
  const options: QemuRunOptions = { start: e.start, cpus: e.cpus, load: e.load };
  if (e.entrySymbol !== undefined) {
    const symbols = gnuSymbols(join(REPO_ROOT, e.path), assembleOptions(e));
    const entry = symbols.get(e.entrySymbol);
    if (entry === undefined) throw new Error(`${e.path}: no symbol ${e.entrySymbol}`);
    options.entry = entry;
  }
  return options;
}
