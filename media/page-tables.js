// Renders the page-table map the extension posts (a MapModel from extension/logic/page-map.ts) and sends clicks
// and translation requests back. No network, no eval: the panel's CSP allows only this script.
(function () {
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  let model;
  let selected = -1;

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function select(row) {
    selected = row;
    document.querySelectorAll('[data-row]').forEach((n) => n.classList.toggle('selected', Number(n.dataset.row) === row));
    if (model && model.rows[row]) vscode.postMessage({ type: 'walk', address: model.rows[row].linear });
  }

  function renderLegend(legend) {
    const box = $('legend');
    box.replaceChildren();
    for (const l of legend) {
      const item = el('span', { title: l.description });
      const sw = el('span', { class: `swatch ${l.cls === 'user' ? 'user user-key' : l.cls === 'global' ? 'global global-key' : l.cls}` });
      item.append(sw, document.createTextNode(`${l.label} — ${l.description}`));
      box.append(item);
    }
  }

  function render(m) {
    model = m;
    $('title').textContent = m.title;
    $('total').textContent = m.total || '';
    const strip = $('strip');
    const body = $('rows');
    strip.replaceChildren();
    body.replaceChildren();
    $('empty').textContent = m.empty || (m.rows.length ? '' : 'No present mappings.');
    $('table').hidden = m.rows.length === 0;
    strip.hidden = m.rows.length === 0;
    for (const p of m.strip) {
      const d = el('div', { class: p.kind === 'gap' ? 'gap' : `range ${m.rows[p.row].classes.join(' ')}`, title: p.title });
      d.style.flexGrow = String(p.weight);
      if (p.kind === 'range') {
        d.dataset.row = String(p.row);
        d.addEventListener('click', () => select(p.row));
      }
      strip.append(d);
    }
    for (const r of m.rows) {
      const tr = el('tr', { 'data-row': String(r.index) });
      const first = el('td');
      first.append(el('span', { class: `swatch ${r.classes.join(' ')}` }), document.createTextNode(r.linear));
      tr.append(first, el('td', {}, r.last), el('td', {}, r.identity ? '= linear' : r.physical), el('td', {}, r.size), el('td', {}, r.pageSize), el('td', {}, r.flags));
      tr.addEventListener('click', () => select(r.index));
      body.append(tr);
    }
    if (selected >= 0 && selected < m.rows.length) select(selected);
  }

  function renderWalk(w) {
    const box = $('walk');
    box.hidden = false;
    box.classList.toggle('fault', !!w.fault);
    box.replaceChildren(el('div', { class: 'summary' }, w.summary));
    const t = el('table');
    const head = el('tr');
    for (const h of ['Level', 'Entry address', 'Value', 'Flags']) head.append(el('th', {}, h));
    t.append(head);
    for (const l of w.levels) {
      const tr = el('tr');
      tr.append(el('td', {}, l.name + (l.leaf ? ' (leaf)' : '')), el('td', {}, l.entryAddress), el('td', {}, l.value), el('td', {}, l.flags));
      t.append(tr);
    }
    box.append(t);
  }

  $('translate').addEventListener('submit', (e) => {
    e.preventDefault();
    vscode.postMessage({ type: 'translate', address: $('address').value });
  });
  $('refresh').addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));

  window.addEventListener('message', (e) => {
    const m = e.data;
    if (m.type === 'model') render(m.model);
    else if (m.type === 'legend') renderLegend(m.legend);
    else if (m.type === 'walk') renderWalk(m.walk);
    else if (m.type === 'error') {
      $('walk').hidden = false;
      $('walk').classList.add('fault');
      $('walk').replaceChildren(el('div', { class: 'summary' }, m.message));
    } else if (m.type === 'idle') {
      render({ title: 'No x86 Trampoline session is stopped', rows: [], strip: [], total: '', empty: m.message });
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
