// Building the page: h() makes an element (svg() an SVG one) from a tag,
// attributes and children, where children are nodes or strings and strings
// always become text, never HTML; everything the server sends reaches the
// page only this way. Also the small widgets several views share: a
// labelled <select>, a score bar and a category chip.
import {categoryLabel} from './i18n.js';

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

// A share as a percentage ('—' when absent: no data), and a 95% interval
// after it.
export const percent = (x) =>
    x === undefined || x === null ? '—' : `${(100 * x).toFixed(1)}%`;
export const interval = (low, high) => low === undefined || low === null ?
    '' :
    ` (${percent(low)}–${percent(high)})`;
