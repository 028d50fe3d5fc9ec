// Generic save/restore of a device's plain fields (numbers, booleans, strings, typed arrays, arrays and nested
// plain objects), skipping callbacks and back-references. Devices are small, so this is cheap enough per snapshot.

const SKIP = new Set(['system', 'clock', 'output', 'setIrq', 'requestStop', 'irq0', 'getA20', 'setA20', 'reset', 'targets', 'timersChanged', 'onIpi', 'mmio']);

export type Saved = { [k: string]: unknown };

export function saveFields(obj: object): Saved {
  const out: Saved = {};
  for (const [k, v] of Object.entries(obj)) {
    if (SKIP.has(k) || typeof v === 'function') continue;
    out[k] = saveValue(v);
  }
  return out;
}

function saveValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) return (v as unknown as Uint8Array).slice();
  if (Array.isArray(v)) return v.map(saveValue);
  return saveFields(v);
}

export function restoreFields(obj: object, saved: Saved): void {
  const o = obj as Saved;
  for (const [k, v] of Object.entries(saved)) {
    const cur = o[k];
    if (ArrayBuffer.isView(cur)) (cur as unknown as Uint8Array).set(v as Uint8Array);
    else if (Array.isArray(cur) && Array.isArray(v)) {
      if (cur.length > 0 && typeof cur[0] === 'object' && cur[0] !== null) v.forEach((x, i) => restoreFields(cur[i] as object, x as Saved));
      else {
        cur.length = 0;
        for (const x of v) cur.push(x);
      }
    } else if (cur !== null && typeof cur === 'object' && v !== null && typeof v === 'object') restoreFields(cur, v as Saved);
    else o[k] = v;
  }
}
