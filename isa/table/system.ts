// System instructions boot, trampoline and mode-switch code uses, plus x87/SSE state management and fences.
// Same line format as general.ts.

export const systemRows = `
lgdt | wl | m | 0f 01 /2 | no64 quiet
lgdt | q | m | 0f 01 /2 | only64 osz0 quiet
lidt | wl | m | 0f 01 /3 | no64 quiet
lidt | q | m | 0f 01 /3 | only64 osz0 quiet
sgdt | wl | m | 0f 01 /0 | no64 quiet
sgdt | q | m | 0f 01 /0 | only64 osz0 quiet
sidt | wl | m | 0f 01 /1 | no64 quiet
sidt | q | m | 0f 01 /1 | only64 osz0 quiet
lmsw | w | rm | 0f 01 /6 | osz0
smsw | wlq | rr | 0f 01 /4 |
smsw | w | m | 0f 01 /4 | osz0 quiet
invlpg | - | m | 0f 01 /7 |
swapgs | - | - | 0f 01 =f8 | only64
swapgs | - | - | 0f 01 =f8 | no64 dec
rdtscp | - | - | 0f 01 =f9 |
monitor | - | - | 0f 01 =c8 | dis=monitor_{A},%ecx,%edx!
mwait | - | - | 0f 01 =c9 | dis=mwait_%eax,%ecx!
clac | - | - | 0f 01 =ca |
stac | - | - | 0f 01 =cb |
xgetbv | - | - | 0f 01 =d0 |
xsetbv | - | - | 0f 01 =d1 |
sldt | wl | rr | 0f 00 /0 |
sldt | q | rr | 0f 00 /0 | osz0
sldt | w | m | 0f 00 /0 | osz0 quiet
str | wl | rr | 0f 00 /1 |
str | q | rr | 0f 00 /1 | osz0
str | w | m | 0f 00 /1 | osz0 quiet
lldt | w | rm | 0f 00 /2 | osz0
ltr | w | rm | 0f 00 /3 | osz0
verr | w | rm | 0f 00 /4 | osz0
verw | w | rm | 0f 00 /5 | osz0
lar | wlq | rm16,r | 0f 02 /r | enc
lar | wlq | m,r | 0f 02 /r |
lar | wlq | rr,r | 0f 02 /r |
lsl | wlq | rm16,r | 0f 03 /r | enc
lsl | wlq | m,r | 0f 03 /r |
lsl | wlq | rr,r | 0f 03 /r |
syscall | - | - | 0f 05 |
clts | - | - | 0f 06 |
sysret | l | - | 0f 07 | only64 dis=sysretl! warnbare no66
sysret | l | - | 0f 07 | no64 enc
sysret | q | - | 0f 07 | only64
sysret | - | - | 0f 07 |
invd | - | - | 0f 08 |
wbinvd | - | - | 0f 09 | np
wrmsr | - | - | 0f 30 |
rdtsc | - | - | 0f 31 |
rdmsr | - | - | 0f 32 |
rdpmc | - | - | 0f 33 |
sysenter | - | - | 0f 34 |
sysexit | l | - | 0f 35 | only64 dis=sysexitl! warnbare no66
sysexit | q | - | 0f 35 | only64
sysexit | - | - | 0f 35 |
rsm | - | - | 0f aa |
getsec | - | - | 0f 37 |
mov | l | tr,rrn | 0f 24 /r | osz0 quiet no64 dec op=mov_tr
mov | l | rrn,tr | 0f 26 /r | osz0 quiet no64 dec op=mov_tr
invpcid | - | m,rn | P66 0f 38 82 /r | osz0 npbare
invept | - | m,rn | P66 0f 38 80 /r | osz0 npbare op=invept
invvpid | - | m,rn | P66 0f 38 81 /r | osz0 npbare op=invept
fxsave | - | m | 0f ae /0 |
fxsave64 | - | m | 0f ae /0 | only64 rexw
fxrstor | - | m | 0f ae /1 |
fxrstor64 | - | m | 0f ae /1 | only64 rexw
ldmxcsr | - | m | 0f ae /2 |
stmxcsr | - | m | 0f ae /3 |
xsave | - | m | 0f ae /4 | np
xsave64 | - | m | 0f ae /4 | only64 rexw np
xrstor | - | m | 0f ae /5 | np npbare
xrstor64 | - | m | 0f ae /5 | only64 rexw np npbare
clflush | - | m | 0f ae /7 | np
lfence | - | - | 0f ae =e8+r | np
mfence | - | - | 0f ae =f0 | np
sfence | - | - | 0f ae =f8 |
emms | - | - | 0f 77 | np npbare
fwait,wait | - | - | 9b |
fninit | - | - | db =e3 |
fnclex | - | - | db =e2 |
fnstsw | - | %ax | df =e0 |
fnstsw | - | m | dd /7 |
fnstcw | - | m | d9 /7 |
finit | - | - | 9b db =e3 |
fclex | - | - | 9b db =e2 |
fstsw | - | %ax | 9b df =e0 |
fstsw | - | m | 9b dd /7 |
fstcw | - | m | 9b d9 /7 |
fldcw | - | m | d9 /5 |
`;

// VIA PadLock. GNU as writes the REP they need (all but xstore-rng); objdump shows it as `repz` and also names
// them without it.
function padlockRows(): string {
  const ops: [string, string, string][] = [
    ['montmul', 'a6 =c0', 'montmul'], ['xsha1', 'a6 =c8', 'xsha1'], ['xsha256', 'a6 =d0', 'xsha256'],
    ['xstorerng', 'a7 =c0', 'xstore-rng'], ['xcryptecb', 'a7 =c8', 'xcrypt-ecb'], ['xcryptcbc', 'a7 =d0', 'xcrypt-cbc'],
    ['xcryptctr', 'a7 =d8', 'xcrypt-ctr'], ['xcryptcfb', 'a7 =e0', 'xcrypt-cfb'], ['xcryptofb', 'a7 =e8', 'xcrypt-ofb'],
  ];
  return ops
    .map(([n, enc, dis]) =>
      n === 'xstorerng'
        ? `${n} | - | - | 0f ${enc} | rep op=padlock dis=${dis}!`
        : `${n} | - | - | PF3 0f ${enc} | op=padlock dis=${dis}!\n${n} | - | - | 0f ${enc} | dec rep op=padlock dis=${dis}!`,
    )
    .join('\n');
}

// MPX (bndldx … bndcn, %bnd0–%bnd3) executes as hint NOPs on CPUs without it (and on QEMU): decoded with op=nop.

// Later general-purpose and system extensions that kernel entry and boot code also meets (CET landing pads,
// FSGSBASE, bit counting, random numbers, cache-line management).
export const extensionRows = `
endbr64 | - | - | PF3 0f 1e =fa |
endbr32 | - | - | PF3 0f 1e =fb |
popcnt | wlq | rm,r | PF3 0f b8 /r |
lzcnt | wlq | rm,r | PF3 0f bd /r |
tzcnt | wlq | rm,r | PF3 0f bc /r |
movbe | wlq | m,r | 0f 38 f0 /r | np
movbe | wlq | r,m | 0f 38 f1 /r | np
crc32 | b | rm,r32 | PF2 0f 38 f0 /r | op=crc32 warnbare
crc32 | wl | rm,r32 | PF2 0f 38 f1 /r | op=crc32
crc32 | q | rm,r64 | PF2 0f 38 f1 /r | only64 op=crc32 warnbare
crc32 | b | rm,r64 | PF2 0f 38 f0 /r | only64 rexw op=crc32
rdrand | wlq | rr | 0f c7 /6 | nosuffix np
rdseed | wlq | rr | 0f c7 /7 | nosuffix np
rdfsbase | q | rr | PF3 0f ae /0 | nosuffix only64
rdfsbase | l | rr | PF3 0f ae /0 | nosuffix osz0
rdgsbase | q | rr | PF3 0f ae /1 | nosuffix only64
rdgsbase | l | rr | PF3 0f ae /1 | nosuffix osz0
wrfsbase | q | rr | PF3 0f ae /2 | nosuffix only64
wrfsbase | l | rr | PF3 0f ae /2 | nosuffix osz0
wrgsbase | q | rr | PF3 0f ae /3 | nosuffix only64
wrgsbase | l | rr | PF3 0f ae /3 | nosuffix osz0
rdpid | - | rrn | PF3 0f c7 /7 |
xsaveopt | - | m | 0f ae /6 | np
xsaveopt64 | - | m | 0f ae /6 | only64 rexw np
xsavec | - | m | 0f c7 /4 |
xsavec64 | - | m | 0f c7 /4 | only64 rexw
xsaves | - | m | 0f c7 /5 |
xsaves64 | - | m | 0f c7 /5 | only64 rexw
xrstors | - | m | 0f c7 /3 |
xrstors64 | - | m | 0f c7 /3 | only64 rexw
clflushopt | - | m | P66 0f ae /7 |
clwb | - | m | P66 0f ae /6 |
wbnoinvd | - | - | PF3 0f 09 |
rdpkru | - | - | 0f 01 =ee | np
wrpkru | - | - | 0f 01 =ef | np
serialize | - | - | 0f 01 =e8 | np
prefetchnta | - | m | 0f 18 /0 |
prefetcht0 | - | m | 0f 18 /1 |
prefetcht1 | - | m | 0f 18 /2 |
prefetcht2 | - | m | 0f 18 /3 |
prefetchw | - | m | 0f 0d /1 |
prefetch | - | m | 0f 0d /0 |
prefetchwt1 | - | m | 0f 0d /2 |
${[3, 4, 5, 6, 7].map((r) => `prefetch | - | m | 0f 0d /${r} | dec`).join('\n')}
cldemote | - | m | 0f 1c /0 | np
wrssd | - | r32,m | 0f 38 f6 /r | np op=wrss
wrussd | - | r32,m | P66 0f 38 f5 /r | npbare op=wrss
wrussq | - | r64,m | P66 0f 38 f5 /r | only64 rexw npbare op=wrss
clrssbsy | - | m | PF3 0f ae /6 | op=cet
ptwrite | q | rm | PF3 0f ae /4 | only64
ptwrite | l | rm | PF3 0f ae /4 | osz0 only64 warnbare
ptwrite | l | rm | PF3 0f ae /4 | osz0 no64
umonitor | - | rra | PF3 0f ae /6 | dec op=waitpkg
umwait | - | rr32 | PF2 0f ae /6 | op=waitpkg
umwait | - | rr64 | PF2 0f ae /6 | only64 rexw dec op=waitpkg
tpause | - | rr32 | P66 0f ae /6 | op=waitpkg
tpause | - | rr64 | P66 0f ae /6 | only64 rexw dec op=waitpkg
senduipi | - | rr64 | PF3 0f c7 /6 | only64
movdir64b | - | m,ra | P66 0f 38 f8 /r | dec op=movdir64b
enqcmd | - | m,ra | PF2 0f 38 f8 /r | dec op=enqcmd
enqcmds | - | m,ra | PF3 0f 38 f8 /r | dec op=enqcmd
incsspd | - | rr32 | PF3 0f ae /5 | op=cet
incsspq | - | rr64 | PF3 0f ae /5 | only64 rexw op=cet
rdsspd | - | rr32 | PF3 0f 1e /1 | op=cet
rdsspq | - | rr64 | PF3 0f 1e /1 | only64 rexw op=cet
setssbsy | - | - | PF3 0f 01 =e8 | op=cet
saveprevssp | - | - | PF3 0f 01 =ea | op=cet
rstorssp | - | m | PF3 0f 01 /5 | op=cet
wrssq | - | r64,m | 0f 38 f6 /r | only64 rexw np op=wrss
aadd | q | r,m | 0f 38 fc /r | only64 np op=rao nosuffix
aadd | l | r,m | 0f 38 fc /r | osz0 np op=rao nosuffix
aand | q | r,m | P66 0f 38 fc /r | only64 op=rao nosuffix
aand | l | r,m | P66 0f 38 fc /r | osz0 op=rao nosuffix
axor | q | r,m | PF3 0f 38 fc /r | only64 op=rao nosuffix
axor | l | r,m | PF3 0f 38 fc /r | osz0 op=rao nosuffix
aor | q | r,m | PF2 0f 38 fc /r | only64 op=rao nosuffix
aor | l | r,m | PF2 0f 38 fc /r | osz0 op=rao nosuffix
movdiri | q | r,m | 0f 38 f9 /r | only64 np npbare
movdiri | l | r,m | 0f 38 f9 /r | osz0 np npbare
nop | wlq | rm | 0f 18 /r | dec
nop | wlq | rr | 0f 1a /r | dec
nop | wlq | rr | 0f 1b /r | dec
bndldx | - | m,bnd | 0f 1a /r | dec np op=nop
bndstx | - | bnd,m | 0f 1b /r | dec np op=nop
bndmov | - | bndrm,bnd | P66 0f 1a /r | dec op=nop
bndmov | - | bnd,bndrm | P66 0f 1b /r | dec op=nop
bndcl | - | rmn,bnd | PF3 0f 1a /r | dec op=nop
bndmk | - | m,bnd | PF3 0f 1b /r | dec op=nop
bndcu | - | rmn,bnd | PF2 0f 1a /r | dec op=nop
bndcn | - | rmn,bnd | PF2 0f 1b /r | dec op=nop
nop | wlq | rm | 0f 19 /r | dec
nop | wlq | rm | 0f 1c /r | dec
nop | wlq | rm | 0f 1d /r | dec
nop | wlq | rm | 0f 1e /r | dec
nop | wlq | rm | 0f 1f /r | dec
movnti | q | r,m | 0f c3 /r | only64 np npbare
movnti | l | r,m | 0f c3 /r | osz0 np npbare
adcx | q | rm,r | P66 0f 38 f6 /r | only64
adcx | l | rm,r | P66 0f 38 f6 /r | osz0
adox | q | rm,r | PF3 0f 38 f6 /r | only64
adox | l | rm,r | PF3 0f 38 f6 /r | osz0
xend | - | - | 0f 01 =d5 |
xtest | - | - | 0f 01 =d6 |
xabort | - | i8 | c6 =f8 |
vmcall | - | - | 0f 01 =c1 |
vmlaunch | - | - | 0f 01 =c2 |
vmresume | - | - | 0f 01 =c3 |
vmxoff | - | - | 0f 01 =c4 |
vmmcall | - | - | 0f 01 =d9 | np
enclv | - | - | 0f 01 =c0 | op=sgx
encls | - | - | 0f 01 =cf | op=sgx np
enclu | - | - | 0f 01 =d7 | op=sgx
pconfig | - | - | 0f 01 =c5 |
wrmsrns | - | - | 0f 01 =c6 | np
vmfunc | - | - | 0f 01 =d4 |
vmrun | - | - | 0f 01 =d8 | op=svm
vmload | - | - | 0f 01 =da | op=svm
vmsave | - | - | 0f 01 =db | op=svm
stgi | - | - | 0f 01 =dc | op=svm
clgi | - | - | 0f 01 =dd | op=svm
skinit | - | - | 0f 01 =de | op=svm
invlpga | - | - | 0f 01 =df | op=svm
monitorx | - | - | 0f 01 =fa | dis=monitorx_{A},%ecx,%edx! np
mwaitx | - | - | 0f 01 =fb | dis=mwaitx_%eax,%ecx,%ebx! npbare
clzero | - | - | 0f 01 =fc |
rdpru | - | - | 0f 01 =fd | np
invlpgb | - | - | 0f 01 =fe | np
tlbsync | - | - | 0f 01 =ff | np
xsusldtrk | - | - | PF2 0f 01 =e8 | op=tsxldtrk
xresldtrk | - | - | PF2 0f 01 =e9 | op=tsxldtrk
vmgexit | - | - | PF3 0f 01 =d9 | op=svm
vmgexit | - | - | PF2 0f 01 =d9 | dec op=svm
mcommit | - | - | PF3 0f 01 =fa |
clui | - | - | PF3 0f 01 =ee | only64 op=uintr
stui | - | - | PF3 0f 01 =ef | only64 op=uintr
uiret | - | - | PF3 0f 01 =ec | only64 op=uintr
testui | - | - | PF3 0f 01 =ed | only64 op=uintr
seamcall | - | - | P66 0f 01 =cf | only64 op=tdx
seamret | - | - | P66 0f 01 =cd | only64 op=tdx
seamops | - | - | P66 0f 01 =ce | only64 op=tdx
tdcall | - | - | P66 0f 01 =cc | op=tdx
rdmsrlist | - | - | PF2 0f 01 =c6 | only64 op=msrlist
wrmsrlist | - | - | PF3 0f 01 =c6 | only64 op=msrlist
rmpquery | - | - | PF3 0f 01 =fd | only64 op=snp
rmpadjust | - | - | PF3 0f 01 =fe | only64 op=snp
rmpupdate | - | - | PF2 0f 01 =fe | only64 op=snp
psmash | - | - | PF3 0f 01 =ff | only64 op=snp
pvalidate | - | - | PF2 0f 01 =ff | op=snp
${padlockRows()}
vmread | - | rn,rmn | 0f 78 /r | dec np
vmptrld | - | m | 0f c7 /6 | np
vmptrst | - | m | 0f c7 /7 |
vmclear | - | m | P66 0f c7 /6 |
vmxon | - | m | PF3 0f c7 /6 |
vmwrite | - | rmn,rn | 0f 79 /r | dec np
`;

// x87 memory forms and the operand-less register forms (GNU/objdump spellings: s = 32-bit real or 16-bit
// integer, l = 64-bit real or 32-bit integer, t = 80-bit, ll = 64-bit integer). Register-operand forms such as
// `fadd %st(1), %st` are not in the table yet.
const x87Mem: [number, string[]][] = [
  [0xd8, ['fadds', 'fmuls', 'fcoms', 'fcomps', 'fsubs', 'fsubrs', 'fdivs', 'fdivrs']],
  [0xdc, ['faddl', 'fmull', 'fcoml', 'fcompl', 'fsubl', 'fsubrl', 'fdivl', 'fdivrl']],
  [0xda, ['fiaddl', 'fimull', 'ficoml', 'ficompl', 'fisubl', 'fisubrl', 'fidivl', 'fidivrl']],
  [0xde, ['fiadds', 'fimuls', 'ficoms', 'ficomps', 'fisubs', 'fisubrs', 'fidivs', 'fidivrs']],
  [0xd9, ['flds', '', 'fsts', 'fstps', 'fldenv', '', 'fnstenv', '']],
  [0xdd, ['fldl', 'fisttpll', 'fstl', 'fstpl', 'frstor', '', 'fnsave', '']],
  [0xdb, ['fildl', 'fisttpl', 'fistl', 'fistpl', '', 'fldt', '', 'fstpt']],
  [0xdf, ['filds', 'fisttps', 'fists', 'fistps', 'fbld', 'fildll', 'fbstp', 'fistpll']],
];
/** Bare spellings GNU accepts with a "no suffix" warning, and q spellings of the ll forms. */
const x87Alias: Record<string, string> = {
  fadds: 'fadd', fmuls: 'fmul', fcoms: 'fcom', fcomps: 'fcomp', fsubs: 'fsub', fsubrs: 'fsubr', fdivs: 'fdiv', fdivrs: 'fdivr',
  fiadds: 'fiadd', fimuls: 'fimul', ficoms: 'ficom', ficomps: 'ficomp', fisubs: 'fisub', fisubrs: 'fisubr', fidivs: 'fidiv',
  fidivrs: 'fidivr', flds: 'fld', fsts: 'fst', fstps: 'fstp', filds: 'fild', fists: 'fist', fistps: 'fistp', fisttps: 'fisttp',
};
const x87Fixed: [string, string][] = [
  ['fnop', 'd9 =d0'], ['fchs', 'd9 =e0'], ['fabs', 'd9 =e1'], ['ftst', 'd9 =e4'], ['fxam', 'd9 =e5'], ['fld1', 'd9 =e8'],
  ['fldl2t', 'd9 =e9'], ['fldl2e', 'd9 =ea'], ['fldpi', 'd9 =eb'], ['fldlg2', 'd9 =ec'], ['fldln2', 'd9 =ed'], ['fldz', 'd9 =ee'],
  ['f2xm1', 'd9 =f0'], ['fyl2x', 'd9 =f1'], ['fptan', 'd9 =f2'], ['fpatan', 'd9 =f3'], ['fxtract', 'd9 =f4'], ['fprem1', 'd9 =f5'],
  ['fdecstp', 'd9 =f6'], ['fincstp', 'd9 =f7'], ['fprem', 'd9 =f8'], ['fyl2xp1', 'd9 =f9'], ['fsqrt', 'd9 =fa'], ['fsincos', 'd9 =fb'],
  ['frndint', 'd9 =fc'], ['fscale', 'd9 =fd'], ['fsin', 'd9 =fe'], ['fcos', 'd9 =ff'], ['fucompp', 'da =e9'], ['fcompp', 'de =d9'],
];

// Register forms. AT&T (SysV) spelling as GNU as and objdump use it: with %st(i) as destination the sub/div
// names are swapped relative to Intel's manual (dc e0+i is `fsub %st,%st(i)`).
const arith = ['add', 'mul', '', '', 'sub', 'subr', 'div', 'divr'];
const x87Reg: string[] = [
  ...arith.flatMap((a, k) => (a ? [`f${a} | - | sti,%st | d8 =${(0xc0 + 8 * k).toString(16)}+r | op=x87`, `f${a} | - | sti | d8 =${(0xc0 + 8 * k).toString(16)}+r | op=x87 enc`] : [])),
  ...arith.flatMap((a, k) => (a ? [`f${a} | - | %st,sti | dc =${(0xc0 + 8 * k).toString(16)}+r | op=x87`] : [])),
  ...arith.flatMap((a, k) => (a ? [`f${a}p | - | %st,sti | de =${(0xc0 + 8 * k).toString(16)}+r | op=x87`, `f${a}p | - | sti | de =${(0xc0 + 8 * k).toString(16)}+r | op=x87 enc`, `f${a}p | - | - | de =${(0xc1 + 8 * k).toString(16)} | op=x87 enc`] : [])),
  'fcom | - | sti | d8 =d0+r | op=x87', 'fcom | - | - | d8 =d1 | op=x87 enc',
  'fcomp | - | sti | d8 =d8+r | op=x87', 'fcomp | - | - | d8 =d9 | op=x87 enc',
  'fld | - | sti | d9 =c0+r | op=x87', 'fxch | - | sti | d9 =c8+r | op=x87', 'fxch | - | - | d9 =c9 | op=x87 enc',
  'ffree | - | sti | dd =c0+r | op=x87', 'fst | - | sti | dd =d0+r | op=x87', 'fstp | - | sti | dd =d8+r | op=x87',
  'fucom | - | sti | dd =e0+r | op=x87', 'fucom | - | - | dd =e1 | op=x87 enc',
  'fucomp | - | sti | dd =e8+r | op=x87', 'fucomp | - | - | dd =e9 | op=x87 enc',
  ...['b', 'e', 'be', 'u'].map((c, k) => `fcmov${c} | - | sti,%st | da =${(0xc0 + 8 * k).toString(16)}+r | op=x87`),
  ...['nb', 'ne', 'nbe', 'nu'].map((c, k) => `fcmov${c} | - | sti,%st | db =${(0xc0 + 8 * k).toString(16)}+r | op=x87`),
  'fucomi | - | sti,%st | db =e8+r | op=x87', 'fucomi | - | sti | db =e8+r | op=x87 enc',
  'fcomi | - | sti,%st | db =f0+r | op=x87', 'fcomi | - | sti | db =f0+r | op=x87 enc',
  'ffreep | - | sti | df =c0+r | op=x87',
  'fucomip | - | sti,%st | df =e8+r | op=x87', 'fucomip | - | sti | df =e8+r | op=x87 enc',
  'fcomip | - | sti,%st | df =f0+r | op=x87', 'fcomip | - | sti | df =f0+r | op=x87 enc',
];

export const x87Rows = [
  ...x87Reg,
  ...x87Mem.flatMap(([op, names]) =>
    names.map((n, digit) => {
      if (!n) return '';
      const alias = x87Alias[n];
      const q = ['fisttpll', 'fildll', 'fistpll'].includes(n) ? `,${n.slice(0, -2)}q` : '';
      return `${n}${alias ? ',' + alias : ''}${q} | - | m | ${op.toString(16)} /${digit} | op=x87${alias ? ' warnalias=' + alias : ''}`;
    }),
  ),
  ...x87Fixed.map(([n, enc]) => `${n} | - | - | ${enc} | op=x87`),
  'fsave | - | m | 9b dd /6 | op=x87',
  'fstenv | - | m | 9b d9 /6 | op=x87',
].filter(Boolean).join('\n');
