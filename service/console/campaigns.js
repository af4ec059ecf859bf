// The campaigns view: clusters of near-duplicate flagged posts
// (ReviewService.ListClusters), largest, fastest growing or most recent
// first, filtered by category and to those with open items. Each row shows
// a cluster's size, open items, growth, new posts per hour over the last
// day, categories, sources and a few samples with what varies between them
// marked. Opening one (a click, Enter, j/k) shows it beside the list
// (GetCluster: samples and its posts, newest first); a/d/e decide every
// open post of it at once (DecideCluster, through item.js's reason
// dialog), and the view says what happened: posts decided, skipped
// (another reviewer's claim), not open.
import {api} from './api.js';
import {sparkline} from './charts.js';
import {categoryChip, categoryOptions, h, markRegions, mergeSpans, select, snippet, statusChip} from './dom.js';
import {fmtTime, t} from './i18n.js';
import {decisionButtons, openDialog} from './item.js';
import {listLoader, showError} from './session.js';
import {render, state} from './state.js';

const ORDERS =
    ['CLUSTER_ORDER_SIZE', 'CLUSTER_ORDER_GROWTH', 'CLUSTER_ORDER_RECENT'];
const LIST_SIZE = 50;  // the first clusters in the chosen order

function listRequest() {
  const f = state.campaignFilter;
  const filter = {open_only: f.openOnly};
  if (f.category) filter.categories = [f.category];
  return {filter, order: f.order, page_size: LIST_SIZE};
}

const loadList = listLoader('ListClusters', listRequest, (reply) => {
  const c = state.campaigns;
  c.clusters = reply.clusters || [];
  c.more = Boolean(reply.next_page_token);
  const openId = c.open?.cluster.cluster_id;
  c.selected = c.clusters.findIndex((x) => x.cluster_id === openId);
});

// Reads cluster `id` with its posts, unless another was opened meanwhile.
async function loadCluster(id) {
  try {
    const reply = await api('ReviewService', 'GetCluster', {cluster_id: id});
    const c = state.campaigns;
    if (c.open?.cluster.cluster_id !== id) return;
    c.open = {cluster: reply.cluster, items: reply.items || []};
    render();
  } catch (e) {
    showError(e);
  }
}

// Reloads the list and the open cluster.
export async function loadCampaigns() {
  const id = state.campaigns.open?.cluster.cluster_id;
  await Promise.all([loadList(), id ? loadCluster(id) : null]);
}

function setFilter(key, value) {
  state.campaignFilter[key] = value;
  loadList();
}

export async function openCluster(index) {
  const c = state.campaigns;
  if (index < 0 || index >= c.clusters.length) return;
  c.selected = index;
  const cluster = c.clusters[index];
  if (c.open?.cluster.cluster_id !== cluster.cluster_id)
    c.open = {cluster, items: null};
  render();
  await loadCluster(cluster.cluster_id);
  document.querySelector('.cluster-row.selected')?.scrollIntoView({
    block: 'nearest'
  });
}

export function moveCluster(delta) {
  const c = state.campaigns;
  if (c.clusters.length === 0) return;
  openCluster(
      c.selected < 0 ?
          0 :
          Math.min(c.clusters.length - 1, Math.max(0, c.selected + delta)));
}

// Whether DecideCluster has posts to decide: open ones, or claimed ones
// (the server decides the caller's and reports the others').
function decidable(open) {
  return Number(open.cluster.open_count || 0) > 0 ||
      (open.items || []).some((i) => i.status === 'ITEM_STATUS_CLAIMED');
}

// Asks for the reason of `decision` (a DECISION_*) on the open cluster;
// actioning starts with every category of the cluster checked.
export function askClusterDecision(decision) {
  const open = state.campaigns.open;
  if (!open || !decidable(open)) return;
  const id = open.cluster.cluster_id;
  openDialog(decision, {
    categories:
        decision === 'DECISION_ACTIONED' ? open.cluster.categories || [] : [],
    note: `${t('campaign')} #${id}: ${t('decidesOpen')} (${
        Number(open.cluster.open_count || 0)} ${t('openPosts')})`,
    send: (reason, categories) => {
      decideCluster(id, decision, reason, categories);
      return '';
    }
  });
}

async function decideCluster(id, decision, reason, categories) {
  const request = {cluster_id: id, decision, reason};
  if (decision === 'DECISION_ACTIONED') request.categories = categories;
  try {
    const reply = await api('ReviewService', 'DecideCluster', request);
    state.error = '';
    state.campaigns.outcome = {cluster_id: id, ...reply};
    render();
    await Promise.all([loadList(), loadCluster(id)]);
  } catch (e) {
    showError(e);
  }
}

// A sample's text with the spans that vary marked. The spans count UTF-8
// bytes (as the server does), so the text is cut as bytes.
function sampleText(sample) {
  if (!sample.text) return h('span', {class: 'muted'}, t('textErased'));
  const bytes = new TextEncoder().encode(sample.text);
  const decoder = new TextDecoder();
  const spans = sample.varying || [];
  const regions = mergeSpans(spans.map(
      (s) => ({begin: Number(s.begin || 0), end: Number(s.end || 0)})));
  return markRegions(
      bytes.length, (begin, end) => decoder.decode(bytes.subarray(begin, end)),
      regions, (region, text) => h('mark', {class: 'varying'}, text));
}

function hourlyChart(cluster) {
  const hourly = cluster.hourly || [];
  const total = hourly.reduce((n, x) => n + Number(x), 0);
  return sparkline(hourly, `${t('perHour')}: ${total}`);
}

// Size, open posts and growth: the numbers a row and the open cluster
// start with.
function counts(cluster) {
  return [
    h('span', {class: 'size', title: t('clusterSize')},
      `${Number(cluster.size)} ${t('posts')}`),
    h('span', {class: 'open-count'},
      `${Number(cluster.open_count || 0)} ${t('openPosts')}`),
    h('span', {class: 'growth', title: t('growthTitle')},
      `+${Number(cluster.growth || 0)} ${t('growth')}`),
  ];
}

const sources = (cluster) =>
    (cluster.sources || []).map((s) => `${s.source} (${s.items})`).join(', ');

function clusterRow(cluster, index) {
  const open = () => openCluster(index);
  return h(
      'li', {
        class: index === state.campaigns.selected ? 'cluster-row selected' :
                                                    'cluster-row',
        id: 'cluster-row-' + cluster.cluster_id,
        'data-cluster-id': cluster.cluster_id,
        tabindex: 0,
        onclick: open,
        onkeydown: (ev) => {
          if (ev.key !== 'Enter') return;
          ev.preventDefault();
          open();
        }
      },
      h('div', {class: 'cluster-head'}, h('b', {}, `#${cluster.cluster_id}`),
        counts(cluster), hourlyChart(cluster),
        (cluster.categories || []).map(categoryChip)),
      h('div', {class: 'meta'}, `${t('source')}: ${sources(cluster)}`),
      h('ul', {class: 'samples'},
        (cluster.samples || [])
            .map(
                (s) =>
                    h('li', {'data-item-id': s.item_id, title: s.text || ''},
                      sampleText(s)))));
}

function renderList() {
  const c = state.campaigns;
  const f = state.campaignFilter;
  const filters =
      h('div', {class: 'filters'},
        select(
            'c-order', f.order, ORDERS.map((o) => [o, t('order_' + o)]),
            (v) => setFilter('order', v), t('sort')),
        select(
            'c-category', f.category, categoryOptions(),
            (v) => setFilter('category', v), t('category')),
        h('label', {class: 'check'}, h('input', {
            type: 'checkbox',
            id: 'c-open-only',
            checked: f.openOnly,
            onchange: (ev) => setFilter('openOnly', ev.target.checked)
          }),
          t('openOnly')));
  return h(
      'section', {class: 'queue campaigns'}, filters,
      c.clusters.length ?
          h('ol', {id: 'cluster-list'}, c.clusters.map(clusterRow)) :
          h('p', {class: 'notice', id: 'clusters-empty'}, t('noCampaigns')),
      c.more ?
          h('p', {class: 'notice', id: 'clusters-more'}, t('moreCampaigns')) :
          null);
}

// What the last DecideCluster did.
function outcomeNote(o) {
  const skipped = o.skipped || [];
  return h(
      'p', {class: 'outcome', id: 'cluster-outcome', role: 'status'},
      h('span', {id: 'outcome-decided'},
        `${(o.decided || []).length} ${t('clusterDecided')}`),
      ' · ',
      h('span', {id: 'outcome-skipped'},
        `${skipped.length} ${t('clusterSkipped')}`,
        skipped.length ?
            `: ${
                skipped.map((s) => `#${s.item_id} (${s.claimed_by})`)
                    .join(', ')}` :
            ''),
      ' · ',
      h('span', {id: 'outcome-not-open'},
        `${Number(o.not_open || 0)} ${t('clusterNotOpen')}`));
}

function itemTable(open) {
  if (!open.items) return h('p', {class: 'notice'}, '…');
  return h(
      'table', {class: 'precision', id: 'cluster-items'},
      h('tr', {}, h('th', {}, '#'), h('th', {}, t('status')),
        h('th', {}, t('firstFlagged')), h('th', {}, t('source')),
        h('th', {}, t('text'))),
      open.items.map(
          (item) => h(
              'tr', {'data-item-id': item.item_id, 'data-status': item.status},
              h('td', {}, `#${item.item_id}`),
              h('td', {}, statusChip(item.status),
                item.claimed_by ? ` ${item.claimed_by}` : ''),
              h('td', {}, fmtTime(item.first_flagged_at)),
              h('td', {}, item.post?.source || ''),
              h('td', {class: 'snippet'},
                item.text_erased_at ? t('textErased') :
                                      snippet(item.post?.text, 120)))));
}

function renderCluster() {
  const open = state.campaigns.open;
  if (!open)
    return h(
        'section', {class: 'item empty'},
        h('p', {class: 'notice'}, t('pickCampaign')));
  const cluster = open.cluster;
  const outcome = state.campaigns.outcome;
  const items = open.items || [];
  return h(
      'section', {
        class: 'item cluster',
        id: 'cluster',
        'data-cluster-id': cluster.cluster_id,
        'data-open-count': Number(cluster.open_count || 0)
      },
      h('div', {class: 'item-head'},
        h('h2', {}, `${t('campaign')} #${cluster.cluster_id}`),
        (cluster.categories || []).map(categoryChip)),
      h('div', {class: 'cluster-head'}, counts(cluster), hourlyChart(cluster)),
      h('dl', {class: 'facts'}, h('dt', {}, t('firstSeen')),
        h('dd', {}, fmtTime(cluster.first_seen)), h('dt', {}, t('lastSeen')),
        h('dd', {}, fmtTime(cluster.last_seen)), h('dt', {}, t('source')),
        h('dd', {}, sources(cluster))),
      h('div', {class: 'actions'},
        decisionButtons('cluster-decide', decidable(open), askClusterDecision),
        h('span', {class: 'muted'}, t('decidesOpen'))),
      outcome?.cluster_id === cluster.cluster_id ? outcomeNote(outcome) : null,
      h('h3', {}, t('samples')),
      h('ol', {class: 'samples', id: 'cluster-samples'},
        (cluster.samples || [])
            .map(
                (s) =>
                    h('li', {class: 'post-text', 'data-item-id': s.item_id},
                      sampleText(s)))),
      h('h3', {},
        open.items && items.length < Number(cluster.size) ?
            `${t('clusterPosts')} (${items.length}/${Number(cluster.size)})` :
            t('clusterPosts')),
      itemTable(open));
}

export function renderCampaigns() {
  return h('div', {class: 'queue-layout'}, renderList(), renderCluster());
}
