// Building the page: h() makes an element (svg() an SVG one) from a tag,
// attributes and children, where children are nodes or strings and strings
// always become text, never HTML; everything the server sends reaches the
// page only this way. Also the small widgets several views share: a
// labelled <select> (and the category options), a score bar, a category
// chip, a status chip, a text snippet, and text with spans marked.
import {categoryLabel, t} from './i18n.js';
import {state} from './state.js';

// h('div', {class: 'x', onclick: f}, child, 'text', ...): children are
// nodes or strings (as text, never HTML).
export function h(tag, attrs, ...children) {
  const el = tag.startsWith('svg:') ?
      document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) :
      document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on'))
      el.addEventListener(k.slice(2), v);
    else
      el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function svg(tag, attrs, ...children) {
  return h('svg:' + tag, attrs, ...children);
}

// A <select> with id `id` in a labelled field; `options` are [value, text].
export function select(id, value, options, onchange, label) {
  return h(
      'label', {class: 'field'}, h('span', {}, label),
      h('select', {id, onchange: (ev) => onchange(ev.target.value)},
        options.map(
            ([v, text]) =>
                h('option', {value: v, selected: v === value}, text))));
}

// The fill of a bar `score` (in [0, 1]) wide.
export function scoreBar(score) {
  const el = h('span', {class: 'fill'});
  el.style.width = `${Math.round((score || 0) * 100)}%`;
  return el;
}

export function categoryChip(c) {
  return h('span', {class: `chip cat-${c}`}, categoryLabel(c));
}

// The options of a category filter: all, then the server's categories.
export function categoryOptions() {
  return [
    ['', t('all')], ...state.categories.map((c) => [c, categoryLabel(c)])
  ];
}

// An item's status, labelled; `attrs` (an id) go on the element.
export function statusChip(status, attrs = {}) {
  return h(
      'span', {class: `status st-${status}`, ...attrs}, t('status_' + status));
}

// The first `length` code points of `text`, with '…' when it is longer.
export function snippet(text, length) {
  const chars = Array.from(text || '');
  return chars.length > length ? chars.slice(0, length).join('') + '…' :
                                 text || '';
}

// Merges overlapping spans ({begin, end}, in any unit: code points, bytes)
// into regions {begin, end, members} in text order; `members` are the
// indices in `spans` of the spans it holds, ascending.
export function mergeSpans(spans) {
  const sorted = spans.map(({begin, end}, index) => ({begin, end, index}))
                     .sort((x, y) => x.begin - y.begin || y.end - x.end);
  const regions = [];
  for (const s of sorted) {
    const last = regions[regions.length - 1];
    if (last && s.begin < last.end) {
      last.end = Math.max(last.end, s.end);
      last.members.push(s.index);
    } else {
      regions.push({begin: s.begin, end: s.end, members: [s.index]});
    }
  }
  for (const r of regions) r.members.sort((a, b) => a - b);
  return regions;
}

// The children showing a text `length` units long (read with
// slice(begin, end)) with each of `regions` (from mergeSpans, same unit)
// drawn by mark(region, its text) and the text between them as text.
export function markRegions(length, slice, regions, mark) {
  const out = [];
  let at = 0;
  for (const region of regions) {
    if (region.begin > at) out.push(slice(at, region.begin));
    out.push(mark(region, slice(region.begin, region.end)));
    at = Math.max(at, region.end);
  }
  if (at < length) out.push(slice(at, length));
  return out;
}

// A share as a percentage ('—' when absent: no data), and a 95% interval
// after it.
export const percent = (x) =>
    x === undefined || x === null ? '—' : `${(100 * x).toFixed(1)}%`;
export const interval = (low, high) => low === undefined || low === null ?
    '' :
    ` (${percent(low)}–${percent(high)})`;
