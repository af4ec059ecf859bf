// The backtest view (admin tokens): names a candidate lexicon directory on
// the server, runs AdminService.Backtest over the stored items (flagged and
// sampled) and shows what the candidate would change, streaming progress
// while it runs: items newly flagged or no longer flagged, per category
// the flags before → after and, with analysts' decisions as labels,
// precision and recall before → after with 95% intervals; then the terms
// whose items changed most. Every number lists the first items behind it;
// clicking an id shows that item's text (ReviewService.GetItem). Leaving
// the view or pressing Cancel cancels the backtest on the server.
import {api, ApiError, apiStream, describeError} from './api.js';
import {categoryChip, h, interval, percent, select} from './dom.js';
import {t} from './i18n.js';
import {RANGES, render, state} from './state.js';

const SINCE = ['any', 'day', 'week', 'month'];

export function cancelBacktest() {
  state.backtest.controller?.abort();
}

async function run() {
  const b = state.backtest;
  if (b.running || !b.dir.trim()) return;
  const request = {directory: b.dir.trim(), max_item_ids: 20, max_terms: 50};
  if (b.since !== 'any') {
    request.since = new Date(Date.now() - RANGES[b.since] * 1000).toISOString();
  }
  b.controller = new AbortController();
  b.running = true;
  b.progress = null;
  b.report = null;
  b.error = '';
  b.detail = null;
  render();
  try {
    await apiStream('AdminService', 'Backtest', request, (message) => {
      if (message.progress) b.progress = message.progress;
      if (message.report) b.report = message.report;
      render();
    }, b.controller.signal);
  } catch (e) {
    b.error =
        e.code === 'CANCELLED' ? t('backtestCancelled') : describeError(e);
  }
  b.running = false;
  b.controller = null;
  render();
}

async function showItem(id) {
  const b = state.backtest;
  try {
    const item = await api('ReviewService', 'GetItem', {item_id: id});
    b.detail = {
      id,
      text: item.post?.text || t('textErased'),
      categories: item.verdict?.flagged_categories || [],
      status: item.status
    };
  } catch (e) {
    b.detail = {id, text: describeError(e), categories: [], status: ''};
  }
  render();
}

// The first ids behind a number, each opening its item.
function ids(list, count) {
  const shown = (list || [])
                    .map(
                        (id) =>
                            h('button', {
                              class: 'item-id',
                              'data-item': id,
                              onclick: () => showItem(id)
                            },
                              `#${id}`));
  if (Number(count || 0) > shown.length) shown.push(h('span', {}, '…'));
  return h('span', {class: 'ids'}, shown);
}

const share = (s) => s?.n > 0 ?
    `${percent(s.value)}${interval(s.low, s.high)} · ${s.k}/${s.n}` :
    '—';

function summary(r) {
  return h(
      'div', {id: 'backtest-summary'},
      h('p', {class: 'muted'},
        `${r.before_version} → ${r.after_version} · ${
            Number(r.items).toLocaleString()} ${t('itemsReanalyzed')} · ${
            Number(r.erased)} ${t('itemsErased')} · ${Number(r.decided)} ${
            t('itemsDecided')}`),
      h('table', {class: 'precision', id: 'backtest-items'},
        [
          ['newlyFlagged', r.newly_flagged, r.newly_flagged_item_ids],
          [
            'noLongerFlagged', r.no_longer_flagged, r.no_longer_flagged_item_ids
          ],
          [
            'changedCategories', r.changed_categories,
            r.changed_categories_item_ids
          ]
        ]
            .map(
                ([key, count, list]) =>
                    h('tr', {'data-row': key}, h('th', {}, t(key)),
                      h('td', {class: 'count'}, String(Number(count || 0))),
                      h('td', {}, ids(list, count))))));
}

function categoryTable(r) {
  return h(
      'table', {class: 'precision', id: 'backtest-categories'},
      h('tr', {}, h('th', {}, t('category')), h('th', {}, t('flagged')),
        h('th', {}, t('gained')), h('th', {}, t('lost')),
        h('th', {}, t('precision')), h('th', {}, t('recall'))),
      (r.categories || [])
          .map(
              (c) => h(
                  'tr', {'data-category': c.category},
                  h('td', {}, categoryChip(c.category)),
                  h('td', {class: 'flagged'},
                    `${c.flagged_before} → ${c.flagged_after}`),
                  h('td', {class: 'gained'}, `+${c.gained}`,
                    ids(c.gained_item_ids, c.gained)),
                  h('td', {class: 'lost'}, `−${c.lost}`,
                    ids(c.lost_item_ids, c.lost)),
                  h('td', {class: 'precision'},
                    `${share(c.precision_before)} → ${
                        share(c.precision_after)}`),
                  h('td', {class: 'recall'},
                    `${share(c.recall_before)} → ${share(c.recall_after)}`))));
}

function termTable(r) {
  if (!(r.terms || []).length)
    return h('p', {class: 'notice'}, t('noTermChanged'));
  return h(
      'table', {class: 'precision', id: 'backtest-terms'},
      h('tr', {}, h('th', {}, t('category')), h('th', {}, t('term')),
        h('th', {}, t('flagged')), h('th', {}, t('gained')),
        h('th', {}, t('lost'))),
      r.terms.map(
          (x) =>
              h('tr', {'data-term': x.term},
                h('td', {}, categoryChip(x.category)),
                h('td', {}, x.term + (x.learned ? ` (${t('learned')})` : '')),
                h('td', {}, `${x.items_before} → ${x.items_after}`),
                h('td', {}, `+${x.gained}`, ids(x.gained_item_ids, x.gained)),
                h('td', {}, `−${x.lost}`, ids(x.lost_item_ids, x.lost)))));
}

export function renderBacktest() {
  const b = state.backtest;
  const form = h(
      'form', {
        class: 'backtest-form',
        onsubmit: (ev) => {
          ev.preventDefault();
          run();
        }
      },
      h('label', {class: 'field'}, h('span', {}, t('candidateDir')),
        h('input', {
          id: 'backtest-dir',
          type: 'text',
          spellcheck: 'false',
          placeholder: '/srv/vigil/lexicons-next',
          value: b.dir,
          oninput: (ev) => {
            b.dir = ev.target.value;
          }
        })),
      select(
          'backtest-since', b.since,
          SINCE.map(
              (s) =>
                  [s,
                   s === 'any' ? t('anyTime') :
                                 t('last' + s[0].toUpperCase() + s.slice(1))]),
          (v) => {
            b.since = v;
          },
          t('since')),
      b.running ?
          h('button',
            {type: 'button', id: 'backtest-cancel', onclick: cancelBacktest},
            t('cancel')) :
          h('button', {type: 'submit', id: 'backtest-run'}, t('runBacktest')));
  const p = b.progress;
  const progress = b.running ?
      h('p', {id: 'backtest-progress', role: 'status'},
        `${t('backtestRunning')} ${
            Number(p?.items_read || 0).toLocaleString()} ${t('itemsRead')}`) :
      null;
  const r = b.report;
  const detail = b.detail ?
      h('div', {class: 'item-detail', id: 'backtest-item'},
        h('h4', {}, `#${b.detail.id}`), h('p', {class: 'post'}, b.detail.text),
        b.detail.categories.map(categoryChip)) :
      null;
  return h(
      'div', {class: 'backtest', id: 'backtest'}, h('h2', {}, t('backtest')),
      h('p', {class: 'muted'}, t('backtestNote')), form, progress,
      b.error ? h('div', {class: 'error', role: 'alert', id: 'backtest-error'},
                  b.error) :
                null,
      r ? h('div', {id: 'backtest-report'}, summary(r),
            h('h3', {}, t('byCategory')), categoryTable(r),
            h('h3', {},
              `${t('termsChanged')} (${Number(r.terms_changed || 0)})`),
            termTable(r)) :
          null,
      detail);
}

// Whether `token` may run backtests (an admin token): a request without a
// directory is refused after the role check, so it costs nothing.
export async function mayBacktest(token) {
  try {
    await apiStream('AdminService', 'Backtest', {}, () => {}, undefined, token);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'INVALID_ARGUMENT') return true;
  }
  return false;
}
