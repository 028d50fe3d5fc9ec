# Runs instruction cases on Unicorn (QEMU's CPU) for the executor's differential test. Reads a JSON list of cases on
# stdin, writes one JSON result per case. Memory: code page at 0x1000, data window 0x7000-0x8fff filled with a fixed
# pattern (sent once per mode) and restored after every case; results report the bytes that changed.
import json
import sys
from unicorn import Uc, UcError, UC_ARCH_X86, UC_MODE_16, UC_MODE_32, UC_MODE_64, UC_HOOK_INTR, UC_HOOK_INSN
from unicorn import x86_const as X

CODE = 0x1000
DATA = 0x7000
DATA_LEN = 0x2000

GPR64 = [X.UC_X86_REG_RAX, X.UC_X86_REG_RCX, X.UC_X86_REG_RDX, X.UC_X86_REG_RBX, X.UC_X86_REG_RSP, X.UC_X86_REG_RBP,
         X.UC_X86_REG_RSI, X.UC_X86_REG_RDI, X.UC_X86_REG_R8, X.UC_X86_REG_R9, X.UC_X86_REG_R10, X.UC_X86_REG_R11,
         X.UC_X86_REG_R12, X.UC_X86_REG_R13, X.UC_X86_REG_R14, X.UC_X86_REG_R15]
GPR32 = [X.UC_X86_REG_EAX, X.UC_X86_REG_ECX, X.UC_X86_REG_EDX, X.UC_X86_REG_EBX, X.UC_X86_REG_ESP, X.UC_X86_REG_EBP,
         X.UC_X86_REG_ESI, X.UC_X86_REG_EDI]
SEGS = [X.UC_X86_REG_ES, X.UC_X86_REG_CS, X.UC_X86_REG_SS, X.UC_X86_REG_DS, X.UC_X86_REG_FS, X.UC_X86_REG_GS]

req = json.load(sys.stdin)
pattern = bytes.fromhex(req['pattern'])
out = {'selectors': {}, 'results': []}
emus = {}
io = []


def emulator(mode):
    if mode in emus:
        return emus[mode]
    uc = Uc(UC_ARCH_X86, {16: UC_MODE_16, 32: UC_MODE_32, 64: UC_MODE_64}[mode])
    uc.ctl_set_cpu_model(X.UC_CPU_X86_HASWELL)  # popcnt, lzcnt, movbe, cmpxchg16b like our model
    uc.mem_map(0, 0x200000)
    state = {'vector': -1}

    def on_intr(u, intno, user):
        state['vector'] = intno
        u.emu_stop()
    uc.hook_add(UC_HOOK_INTR, on_intr)

    # A test device on every port: reads return a value derived from port and size, writes are recorded.
    def on_in(u, port, size, user):
        return (((port * 0x9E3779B1) & 0xffffffff) ^ (size * 0x01010101)) & ((1 << (8 * size)) - 1)

    def on_out(u, port, size, value, user):
        io.append([port, size, value & ((1 << (8 * size)) - 1)])
    uc.hook_add(UC_HOOK_INSN, on_in, None, 1, 0, X.UC_X86_INS_IN)
    uc.hook_add(UC_HOOK_INSN, on_out, None, 1, 0, X.UC_X86_INS_OUT)
    uc.mem_write(DATA, pattern)
    if 'gdtr' in req:
        uc.reg_write(X.UC_X86_REG_GDTR, (0, req['gdtr'][0], req['gdtr'][1], 0))
    out['selectors'][str(mode)] = [uc.reg_read(s) for s in SEGS]
    emus[mode] = (uc, state)
    return emus[mode]


for case in req['cases']:
    mode = case['mode']
    uc, state = emulator(mode)
    code = bytes.fromhex(case['code'])
    uc.mem_write(CODE, code + b'\x90' * 16)
    uc.ctl_remove_cache(CODE, CODE + 0x100)  # mem_write does not drop translated blocks
    regs = GPR64 if mode == 64 else GPR32
    for i, r in enumerate(regs):
        uc.reg_write(r, int(case['regs'][i], 16))
    for i, s in enumerate(case.get('segs') or []):
        if s is not None and i != 1:
            uc.reg_write(SEGS[i], s)
    uc.reg_write(X.UC_X86_REG_EFLAGS, case['flags'])
    state['vector'] = -1
    io.clear()
    err = None
    fetch_fault = False
    start = CODE
    try:
        if mode == 16:
            uc.reg_write(X.UC_X86_REG_CS, 0)
        uc.emu_start(start, CODE + 0x100000, count=case.get('count', 1))
    except UcError as e:
        err = str(e)
        if 'INSN_INVALID' in err:  # Unicorn reports #UD as an error, not through the interrupt hook
            state['vector'] = 6
            err = None
        elif 'FETCH_UNMAPPED' in err:
            # count=1 still fetches the next instruction: a branch to an unmapped target is a completed branch.
            fetch_fault = True
            err = None
    res = {
        'regs': ['%x' % uc.reg_read(r) for r in regs],
        'rip': uc.reg_read(X.UC_X86_REG_RIP if mode == 64 else X.UC_X86_REG_EIP),
        'flags': uc.reg_read(X.UC_X86_REG_EFLAGS),
        'segs': [uc.reg_read(s) for s in SEGS],
        'vector': state['vector'],
        'error': err,
        'fetchFault': fetch_fault,
        'io': list(io),
    }
    mem = uc.mem_read(DATA, DATA_LEN)
    diffs = []
    if mem != pattern:
        for c in range(0, DATA_LEN, 64):
            if mem[c:c + 64] != pattern[c:c + 64]:
                for k in range(c, c + 64):
                    if mem[k] != pattern[k]:
                        diffs.append([k, mem[k]])
        uc.mem_write(DATA, pattern)
    res['mem'] = diffs
    out['results'].append(res)
    if state['vector'] >= 0 or err is not None or fetch_fault or case.get('fresh'):
        # After an exception stopped by the hook, the next exception in the same engine is misreported (as #DF,
        # then not at all): start a fresh engine for this mode.
        del emus[mode]

json.dump(out, sys.stdout)
