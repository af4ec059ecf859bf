// The review queue (or, on the sample tab, the quality sample of unflagged
// posts): the filters (category, status, score, time, source, order), one
// page of items from ListQueue with the items that are new
// since the last load marked, the pager, and moving the selection (j/k,
// a click), which opens the item beside the list (item.js draws it). The
// category filter lists the categories the server named.
import {api} from './api.js';
import {categoryChip, categoryOptions, h, scoreBar, select, snippet, statusChip} from './dom.js';
import {fmtTime, locale, t} from './i18n.js';
import {listLoader, showError} from './session.js';
import {PAGE_SIZE, PENDING, RANGES, render, state, STATUSES} from './state.js';

// The ListQueue request for the filters and the page shown: the flagged
// queue, or the quality sample on the sample tab.
function queueRequest() {
  const f = state.filter;
  const filter = {};
  if (state.view === 'sample') filter.queue = 'QUEUE_SAMPLE';
  if (f.category) filter.categories = [f.category];
  if (f.status === 'pending')
    filter.statuses = PENDING;
  else if (f.status)
    filter.statuses = [f.status];
  if (f.minScore !== '') filter.min_score = Number(f.minScore);
  if (f.since !== 'any') {
    filter.flagged_after =
        new Date(Date.now() - RANGES[f.since] * 1000).toISOString();
  }
  if (f.source) filter.source = f.source;
  return {
    filter,
    order: f.order,
    page_size: PAGE_SIZE,
    page_token: state.pageTokens[state.page]
  };
}

export const loadQueue = listLoader('ListQueue', queueRequest, (reply) => {
  const selectedId = state.item?.item_id;
  state.items = reply.items || [];
  state.nextPageToken = reply.next_page_token || '';
  const firstLoad = state.seen.size === 0;
  state.fresh = new Set();
  for (const item of state.items) {
    if (!state.seen.has(item.item_id) && !firstLoad)
      state.fresh.add(item.item_id);
    state.seen.add(item.item_id);
  }
  state.selected = state.items.findIndex((i) => i.item_id === selectedId);
  state.updatedAt = new Date();
});

export async function openItem(index) {
  if (index < 0 || index >= state.items.length) return;
  state.selected = index;
  const id = state.items[index].item_id;
  state.item = state.items[index];
  render();
  try {
    const [item, history] = await Promise.all([
      api('ReviewService', 'GetItem', {item_id: id}),
      api('ReviewService', 'GetHistory', {item_id: id}),
    ]);
    if (state.item?.item_id !== id) return;  // moved on meanwhile
    state.item = item;
    state.history = history.events || [];
    render();
    document.querySelector('.queue-row.selected')?.scrollIntoView({
      block: 'nearest'
    });
  } catch (e) {
    showError(e);
  }
}

export function move(delta) {
  if (state.items.length === 0) return;
  const next = state.selected < 0 ?
      0 :
      Math.min(state.items.length - 1, Math.max(0, state.selected + delta));
  openItem(next);
}

export function goPage(delta) {
  if (delta > 0 && !state.nextPageToken) return;
  if (delta < 0 && state.page === 0) return;
  if (delta > 0) state.pageTokens[state.page + 1] = state.nextPageToken;
  state.page += delta;
  state.selected = -1;
  loadQueue();
}

export function setFilter(key, value) {
  state.filter[key] = value;
  state.pageTokens = [''];
  state.page = 0;
  loadQueue();
}

// The queue list (filters, one page of items, the pager).
export function renderQueue() {
  const f = state.filter;
  const statuses = [
    ['pending', t('pending')], ['', t('all')],
    ...STATUSES.map((s) => [s, t('status_' + s)])
  ];
  const since = [
    ['any', t('anyTime')], ['hour', t('lastHour')], ['day', t('lastDay')],
    ['week', t('lastWeek')], ['month', t('lastMonth')]
  ];
  const orders =
      [['QUEUE_ORDER_SCORE', t('byScore')], ['QUEUE_ORDER_TIME', t('byTime')]];
  const filters = h(
      'div', {class: 'filters'},
      select(
          'f-category', f.category, categoryOptions(),
          (v) => setFilter('category', v), t('category')),
      select(
          'f-status', f.status, statuses, (v) => setFilter('status', v),
          t('status')),
      h('label', {class: 'field'}, h('span', {}, t('minScore')), h('input', {
          id: 'f-score',
          type: 'number',
          min: 0,
          max: 1,
          step: 0.05,
          value: f.minScore,
          onchange: (ev) => setFilter('minScore', ev.target.value)
        })),
      select(
          'f-since', f.since, since, (v) => setFilter('since', v), t('since')),
      h('label', {class: 'field'}, h('span', {}, t('source')), h('input', {
          id: 'f-source',
          type: 'text',
          value: f.source,
          onchange: (ev) => setFilter('source', ev.target.value.trim())
        })),
      select(
          'f-order', f.order, orders, (v) => setFilter('order', v), t('sort')));
  const rows = state.items.map((item, i) => {
    const cats = item.verdict?.flagged_categories || [];
    const text = item.post?.text || '';
    return h(
        'li', {
          class: [
            'queue-row', i === state.selected ? 'selected' : '',
            state.fresh.has(item.item_id) ? 'fresh' : ''
          ].join(' ').trim(),
          'data-item-id': item.item_id,
          'data-status': item.status,
          onclick: () => openItem(i),
        },
        h('span', {class: 'score'},
          h('span', {class: 'bar'}, scoreBar(item.max_score)),
          (item.max_score ?? 0).toFixed(2)),
        h('span', {class: 'cats'}, cats.map(categoryChip)),
        h('span', {class: 'snippet'}, snippet(text, 140)),
        statusChip(item.status),
        h('span', {class: 'meta'}, item.post?.source || '', ' · ',
          fmtTime(item.last_flagged_at)),
        state.fresh.has(item.item_id) ?
            h('span', {class: 'new-badge'}, t('newItems')) :
            null);
  });
  const pager = h(
      'div', {class: 'pager'},
      h('button',
        {id: 'prev', disabled: state.page === 0, onclick: () => goPage(-1)},
        t('prev')),
      h('span', {}, `${t('page')} ${state.page + 1}`),
      h('button',
        {id: 'next', disabled: !state.nextPageToken, onclick: () => goPage(1)},
        t('next')),
      h('span', {class: 'updated'},
        state.updatedAt ?
            `${t('updated')} ${state.updatedAt.toLocaleTimeString(locale())}` :
            ''),
      state.fresh.size ? h('span', {class: 'new-count', id: 'new-count'},
                           `+${state.fresh.size} ${t('newItems')}`) :
                         null);
  return h(
      'section', {class: 'queue'},
      state.view === 'sample' ?
          h('p', {class: 'notice', id: 'sample-note'}, t('sampleNote')) :
          null,
      filters,
      rows.length ? h('ol', {id: 'queue-list'}, rows) :
                    h('p', {class: 'notice', id: 'queue-empty'}, t('empty')),
      pager);
}
