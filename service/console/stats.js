// The statistics view: for a chosen range, cards (posts analyzed and
// flagged, the flag rate, the queue now), flags per category over time,
// review outcomes per category, the top terms and per-term precision with
// the worst terms first, and what the quality sample says (prevalence and
// recall per category), from the five StatsService calls. Every summary
// answer also names the categories, which the console takes from it.
import {api} from './api.js';
import {barChart, timeChart} from './charts.js';
import {categoryChip, h, interval, percent, scoreBar, select} from './dom.js';
import {categoryLabel, t} from './i18n.js';
import {setCategories, showError} from './session.js';
import {RANGES, state} from './state.js';

// The view's element: kept across redraws, filled when the data arrive.
export const statsContainer = h('div', {class: 'stats', id: 'stats'});

export async function loadStats() {
  const seconds = RANGES[state.statsRange];
  const end = new Date();
  const start = new Date(end.getTime() - seconds * 1000);
  const filter = {start: start.toISOString(), end: end.toISOString()};
  const granularity = seconds <= 3600 ? 'GRANULARITY_MINUTE' :
      seconds <= 86400                ? 'GRANULARITY_HOUR' :
                                        'GRANULARITY_DAY';
  try {
    const [summary, series, terms, outcomes, sample] = await Promise.all([
      api('StatsService', 'GetSummary', {filter}),
      api('StatsService', 'GetTimeSeries', {filter, granularity}),
      api('StatsService', 'GetTopTerms', {filter, limit: 15}),
      api('StatsService', 'GetReviewOutcomes', {filter}),
      api('StatsService', 'GetSampleEstimates', {filter}),
    ]);
    renderStats(summary, series, terms, outcomes, sample, granularity);
  } catch (e) {
    showError(e);
  }
}

function card(label, value, id) {
  return h(
      'div', {class: 'card', id}, h('div', {class: 'card-value'}, value),
      h('div', {class: 'card-label'}, label));
}

function renderStats(summary, series, terms, outcomes, sample, granularity) {
  setCategories(summary.categories);
  const total = summary.total || {};
  const analyzed = Number(total.posts_analyzed || 0);
  const flagged = Number(total.posts_flagged || 0);
  const queue = summary.queue_by_status || {};
  const rangeSelect = select(
      'stats-range', state.statsRange,
      [
        ['hour', t('lastHour')], ['day', t('lastDay')], ['week', t('lastWeek')],
        ['month', t('lastMonth')]
      ],
      (v) => {
        state.statsRange = v;
        loadStats();
      },
      t('range'));
  statsContainer.replaceChildren(
      h('div', {class: 'stats-head'}, rangeSelect),
      h('div', {class: 'cards'},
        card(t('analyzed'), analyzed.toLocaleString(), 'card-analyzed'),
        card(t('flagged'), flagged.toLocaleString(), 'card-flagged'),
        card(
            t('flagRate'),
            analyzed ? `${(100 * flagged / analyzed).toFixed(1)}%` : '—',
            'card-rate'),
        card(
            t('queueNow'),
            ['open', 'claimed', 'escalated']
                .map(
                    (s) => `${t('status_ITEM_STATUS_' + s.toUpperCase())} ${
                        queue[s] || 0}`)
                .join(' · '),
            'card-queue')),
      h('section', {class: 'chart'}, h('h3', {}, t('flagsOverTime')), legend(),
        timeChart(series.buckets || [], granularity, state.categories)),
      h('div', {class: 'chart-row'},
        h('section', {class: 'chart'}, h('h3', {}, t('outcomes')),
          outcomeChart(outcomes.categories || [])),
        h('section', {class: 'chart'}, h('h3', {}, t('topTerms')),
          termChart(terms.terms || []))),
      h('section', {class: 'chart'}, h('h3', {}, t('termPrecision')),
        precisionTable(outcomes.terms || [])),
      h('section', {class: 'chart'}, h('h3', {}, t('sampleEstimates')),
        sampleTable(sample)));
}


// What the quality sample says per category: prevalence among unflagged
// posts and the recall it implies, with their 95% intervals.
function sampleTable(sample) {
  const labeled = Number(sample.labeled || 0);
  const head = h(
      'p', {class: 'muted', id: 'sample-counts'},
      `${t('unflagged')} ${Number(sample.unflagged || 0).toLocaleString()} · ${
          t('sampled')} ${Number(sample.sampled || 0).toLocaleString()} · ${
          t('labeled')} ${labeled.toLocaleString()}`);
  if (!labeled)
    return h('div', {}, head, h('p', {class: 'notice'}, t('noSample')));
  return h(
      'div', {}, head,
      h('table', {class: 'precision', id: 'sample-table'},
        h('tr', {}, h('th', {}, t('category')), h('th', {}, t('harmful')),
          h('th', {}, t('prevalence')), h('th', {}, t('flagged')),
          h('th', {}, t('precision')), h('th', {}, t('recall'))),
        (sample.categories || [])
            .map(
                (e) =>
                    h('tr', {'data-category': e.category},
                      h('td', {}, categoryChip(e.category)),
                      h('td', {}, String(e.labeled_harmful || 0)),
                      h('td', {class: 'prevalence'},
                        percent(e.prevalence) +
                            interval(e.prevalence_low, e.prevalence_high)),
                      h('td', {}, String(e.flagged || 0)),
                      h('td', {}, percent(e.precision)),
                      h('td', {class: 'recall'},
                        percent(e.recall) +
                            interval(e.recall_low, e.recall_high))))),
      h('p', {class: 'muted'}, t('sampleHow')));
}

function legend() {
  return h(
      'div', {class: 'legend'},
      state.categories.map(
          (c) =>
              h('span', {}, h('i', {class: `swatch cat-bg-${c}`}),
                categoryLabel(c))));
}

const OUTCOMES = ['actioned', 'dismissed', 'escalated'];
const outcomeLabel = (kind) => t('decision_DECISION_' + kind.toUpperCase());

// Decisions per category, stacked, with the precision after each bar.
function outcomeChart(rows) {
  const decided =
      rows.filter((r) => OUTCOMES.some((kind) => Number(r[kind]) > 0));
  if (!decided.length) return h('p', {class: 'notice'}, t('noData'));
  const data = decided.map(
      (r) => ({
        label: categoryLabel(r.category),
        segments: OUTCOMES.map((kind) => ({
                                 value: Number(r[kind]),
                                 class: `outcome-${kind}`,
                                 title: `${outcomeLabel(kind)}: ${r[kind]}`
                               })),
        note: r.precision === undefined ? '' :
                                          `${Math.round(r.precision * 100)}%`,
      }));
  return h(
      'div', {},
      barChart(
          'outcome-chart', data,
          {labelWidth: 90, rowHeight: 22, noteWidth: 70}),
      h('div', {class: 'legend'},
        OUTCOMES.map(
            (k) =>
                h('span', {}, h('i', {class: `swatch outcome-bg-${k}`}),
                  outcomeLabel(k)))));
}

// The most-hit terms overall, with the count after each bar.
function termChart(all) {
  // The store answers the top terms of each category; show the top overall.
  const terms =
      [...all].sort((a, b) => Number(b.hits) - Number(a.hits)).slice(0, 15);
  if (!terms.length) return h('p', {class: 'notice'}, t('noData'));
  const data = terms.map(
      (x) => ({
        label: x.term.length > 22 ? x.term.slice(0, 21) + '…' : x.term,
        title: x.term,
        segments: [{
          value: Number(x.hits),
          class: `cat-fill-${x.category}`,
          title: `${categoryLabel(x.category)} · ${x.term}: ${x.hits}`
        }],
        note: String(x.hits),
      }));
  return barChart(
      'term-chart', data, {labelWidth: 130, rowHeight: 20, noteWidth: 40});
}

// Terms with decisions, the lowest precision first.
function precisionTable(rows) {
  const data = rows.filter((r) => Number(r.actioned) + Number(r.dismissed) > 0)
                   .sort((a, b) => (a.precision ?? 1) - (b.precision ?? 1))
                   .slice(0, 30);
  if (!data.length) return h('p', {class: 'notice'}, t('noData'));
  return h(
      'table', {class: 'precision', id: 'precision-table'},
      h('tr', {}, h('th', {}, t('term')), h('th', {}, t('category')),
        h('th', {}, t('decision_DECISION_ACTIONED')),
        h('th', {}, t('decision_DECISION_DISMISSED')),
        h('th', {}, t('precision'))),
      data.map(
          (r) => h(
              'tr', {}, h('td', {}, r.term),
              h('td', {}, categoryChip(r.category)),
              h('td', {}, String(r.actioned)), h('td', {}, String(r.dismissed)),
              h('td', {class: 'bar-cell'},
                h('span', {class: 'bar'}, scoreBar(r.precision)),
                r.precision === undefined ?
                    '—' :
                    `${Math.round(r.precision * 100)}%`))));
}
