// One review item: the post with every hit highlighted at its exact span
// (code points, as the server counts them), hovering a span lights its
// hits in the side panel, scores and severities per category, the event
// history, and the workflow buttons (claim, release, decide with a reason,
// reopen) with the dialog that asks for the reason and, actioning, the
// categories the post is harmful in (required for a sampled post).
import {api} from './api.js';
import {categoryChip, h, scoreBar} from './dom.js';
import {categoryLabel, fmtTime, t} from './i18n.js';
import {loadQueue} from './queue.js';
import {showError} from './session.js';
import {DECISIONS, render, state} from './state.js';

// Calls `method` (Claim, Release, Decide, Reopen) on the open item, then
// reloads its history and the queue.
export async function act(method, body) {
  if (!state.item) return;
  const id = state.item.item_id;
  try {
    const item = await api('ReviewService', method, {item_id: id, ...body});
    state.error = '';
    state.item = item;
    const history = await api('ReviewService', 'GetHistory', {item_id: id});
    state.history = history.events || [];
    render();
    await loadQueue();
  } catch (e) {
    showError(e);
  }
}

const isSample = (item) => item?.queue === 'QUEUE_SAMPLE';

// Opens the reason dialog for `decision` (a DECISION_* or REOPEN). Actioning
// also asks in which categories the post is harmful: the flagged ones to
// start with, none for a sampled post (its verdict flagged nothing).
export function askReason(decision) {
  if (!state.item) return;
  state.dialog = {
    decision,
    reason: '',
    categories: new Set(
        decision === 'DECISION_ACTIONED' && !isSample(state.item) ?
            state.item.verdict?.flagged_categories || [] :
            []),
    problem: ''
  };
  render();
}

function sendDecision() {
  const {decision, reason, categories} = state.dialog;
  if (decision === 'DECISION_ACTIONED' && isSample(state.item) &&
      categories.size === 0) {
    // The server refuses it too; say so before asking.
    state.dialog.problem = t('needCategories');
    render();
    return;
  }
  state.dialog = null;
  if (decision === 'REOPEN')
    act('Reopen', {reason});
  else if (decision === 'DECISION_ACTIONED')
    act('Decide', {
      decision,
      reason,
      categories: state.categories.filter((c) => categories.has(c))
    });
  else
    act('Decide', {decision, reason});
}

// The category boxes of the actioning dialog.
function categoryBoxes() {
  return h(
      'fieldset', {class: 'categories', id: 'decide-categories'},
      h('legend', {}, t('harmfulIn')),
      state.categories.map(
          (c) =>
              h('label', {class: 'check'}, h('input', {
                  type: 'checkbox',
                  id: 'decide-cat-' + c,
                  checked: state.dialog.categories.has(c),
                  onchange: (ev) => {
                    if (ev.target.checked)
                      state.dialog.categories.add(c);
                    else
                      state.dialog.categories.delete(c);
                    state.dialog.problem = '';
                  }
                }),
                categoryLabel(c))));
}

export function renderDialog() {
  const decision = state.dialog.decision;
  const label = {
    DECISION_ACTIONED: 'actioned',
    DECISION_DISMISSED: 'dismissed',
    DECISION_ESCALATED: 'escalated',
    REOPEN: 'reopen'
  }[decision];
  return h(
      'div', {class: 'overlay'},
      h('form', {
        class: 'dialog',
        id: 'decide-dialog',
        role: 'dialog',
        onsubmit: (ev) => {
          ev.preventDefault();
          sendDecision();
        }
      },
        h('h2', {}, t(label)),
        decision === 'DECISION_ACTIONED' ? categoryBoxes() : null,
        state.dialog.problem ? h('p', {class: 'problem', id: 'dialog-problem'},
                                 state.dialog.problem) :
                               null,
        h('label',
          { for: 'reason'
          },
          t('reason')),
        h('textarea', {
          id: 'reason',
          rows: 3,
          placeholder: t('reasonPlaceholder'),
          oninput: (ev) => {
            state.dialog.reason = ev.target.value;
          },
          onkeydown: (ev) => {
            if (ev.key === 'Enter' && !ev.shiftKey) {
              ev.preventDefault();
              sendDecision();
            }
          }
        }),
        h('div', {class: 'buttons'},
          h('button', {
            type: 'button',
            onclick: () => {
              state.dialog = null;
              render();
            }
          },
            t('cancel')),
          h('button', {type: 'submit', class: 'primary'}, t('confirm')))));
}

// Merges overlapping hit spans (code points) into regions; each region
// takes the category of its strongest hit (hits come strongest first).
function hitRegions(hits) {
  const spans = hits.map(
                        (hit, index) =>
                            ({begin: hit.begin_char, end: hit.end_char, index}))
                    .sort((x, y) => x.begin - y.begin || y.end - x.end);
  const regions = [];
  for (const s of spans) {
    const last = regions[regions.length - 1];
    if (last && s.begin < last.end) {
      last.end = Math.max(last.end, s.end);
      last.hits.push(s.index);
    } else {
      regions.push({begin: s.begin, end: s.end, hits: [s.index]});
    }
  }
  for (const r of regions) r.hits.sort((a, b) => a - b);
  return regions;
}

function stepLabel(step, spanText) {
  const label = t('step_' + step);
  return step === 'teencode' || step === 'leetspeak' ? `${label}: ${spanText}` :
                                                       label;
}

function hitDetails(hit, spanText) {
  const steps = hit.via?.length ?
      hit.via.map((s) => stepLabel(s, spanText)).join(', ') :
      t('exact');
  return [
    `${categoryLabel(hit.category)} · ${t('term')}: ${hit.term}`,
    `${t('weight')}: ${Number(hit.weight).toFixed(2)}${
        hit.learned ?
            ' (' + t('learned') + ')' :
            ''} · ${t('severity')}: ${t('sev_' + (hit.severity || 'none'))}`,
    `${t('steps')}: ${steps}`,
  ];
}

// Hovering a highlighted span lights its hits in the side panel.
function lightHits(indices, on) {
  for (const i of indices)
    document.getElementById('hit-' + i)?.classList.toggle('lit', on);
}

function renderPostText(item) {
  const text = item.post?.text || '';
  const chars = Array.from(text);  // code points, as the spans count
  const hits = item.verdict?.hits || [];
  const out = h('div', {class: 'post-text', id: 'post-text'});
  let at = 0;
  for (const region of hitRegions(hits)) {
    if (region.begin > at) out.append(chars.slice(at, region.begin).join(''));
    const spanText = chars.slice(region.begin, region.end).join('');
    const top = hits[region.hits[0]];
    const tip =
        region.hits
            .map(
                (i) => hitDetails(
                           hits[i],
                           chars.slice(hits[i].begin_char, hits[i].end_char)
                               .join(''))
                           .join('\n'))
            .join('\n\n');
    out.append(
        h('mark', {
          class: `hit cat-${top.category}`,
          'data-category': top.category,
          'data-term': top.term,
          'data-begin-char': region.begin,
          'data-end-char': region.end,
          title: tip,
          tabindex: 0,
          onmouseenter: () => lightHits(region.hits, true),
          onmouseleave: () => lightHits(region.hits, false),
          onfocus: () => lightHits(region.hits, true),
          onblur: () => lightHits(region.hits, false),
        },
          spanText));
    at = Math.max(at, region.end);
  }
  if (at < chars.length) out.append(chars.slice(at).join(''));
  return out;
}

export function renderItem() {
  const item = state.item;
  if (!item)
    return h(
        'section', {class: 'item empty'},
        h('p', {class: 'notice'}, t('pickItem')));
  const verdict = item.verdict || {};
  const hits = verdict.hits || [];
  const chars = Array.from(item.post?.text || '');
  const claimed = item.status === 'ITEM_STATUS_CLAIMED';
  const decided = item.status === 'ITEM_STATUS_ACTIONED' ||
      item.status === 'ITEM_STATUS_DISMISSED';
  const actions = h(
      'div', {class: 'actions'},
      h('button', {
        id: 'claim',
        disabled: decided || claimed,
        onclick: () => act('Claim', {})
      },
        t('claim')),
      h('button',
        {id: 'release', disabled: !claimed, onclick: () => act('Release', {})},
        t('release')),
      ...Object.entries(DECISIONS).map(
          ([key, d]) =>
              h('button', {
                id: 'decide-' + key,
                class: 'decide ' + d,
                disabled: !claimed,
                onclick: () => askReason(d),
              },
                t({a: 'actioned', d: 'dismissed', e: 'escalated'}[key]))),
      h('button', {
        id: 'reopen',
        disabled: !(decided || item.status === 'ITEM_STATUS_ESCALATED'),
        onclick: () => askReason('REOPEN')
      },
        t('reopen')));
  const scores =
      Object.entries(verdict.scores || {}).sort((a, b) => b[1] - a[1]);
  const flaggedCats = new Set(verdict.flagged_categories || []);
  return h(
      'section', {
        class: 'item',
        id: 'item',
        'data-item-id': item.item_id,
        'data-status': item.status
      },
      h('div', {class: 'item-head'}, h('h2', {}, `#${item.item_id}`),
        h('span', {class: `status st-${item.status}`, id: 'item-status'},
          t('status_' + item.status)),
        isSample(item) ?
            h('span', {class: 'chip plain', id: 'sample-chip'}, t('sampled')) :
            null,
        (verdict.flagged_categories || []).map(categoryChip),
        verdict.unaccented ? h('span', {class: 'chip plain'}, t('unaccented')) :
                             null),
      h('dl', {class: 'facts'}, h('dt', {}, t('source')),
        h('dd', {}, `${item.post?.source || ''} / ${item.post?.id || ''}`),
        h('dt', {}, t('flaggedAt')), h('dd', {}, fmtTime(item.last_flagged_at)),
        h('dt', {}, t('timesFlagged')), h('dd', {}, String(item.times_flagged)),
        item.claimed_by ?
            [
              h('dt', {}, t('claimedBy')),
              h('dd', {id: 'claimed-by'},
                `${item.claimed_by} (${t('until')} ${
                    fmtTime(item.lease_expires_at)})`)
            ] :
            null,
        item.decided_by ?
            [
              h('dt', {}, t('decidedBy')),
              h('dd', {},
                `${item.decided_by}: ${t('decision_' + item.decision)} — ${
                    item.decision_reason}`)
            ] :
            null,
        (item.decided_categories || []).length ?
            [
              h('dt', {}, t('harmfulIn')),
              h('dd', {id: 'decided-categories'},
                item.decided_categories.map(categoryChip))
            ] :
            null,
        h('dt', {}, t('lexicon')), h('dd', {}, verdict.lexicon_version || '')),
      item.text_erased_at ? h('p', {class: 'notice'}, t('textErased')) :
                            renderPostText(item),
      actions,
      h('div', {class: 'item-columns'},
        h('div', {}, h('h3', {}, t('hits')),
          h('ul', {class: 'hit-list', id: 'hit-list'},
            hits.map((hit, index) => {
              const spanText =
                  chars.slice(hit.begin_char, hit.end_char).join('');
              const [what, weight, steps] = hitDetails(hit, spanText);
              return h(
                  'li',
                  {class: `cat-border-${hit.category}`, id: 'hit-' + index},
                  h('q', {}, spanText), ' ', h('span', {class: 'muted'}, what),
                  h('div', {class: 'muted'}, weight),
                  h('div', {class: 'steps'}, steps));
            }))),
        h('div', {}, h('h3', {}, t('scores')),
          h('table', {class: 'scores'},
            scores.map(
                ([c, v]) => h(
                    'tr', {class: flaggedCats.has(c) ? 'flagged' : ''},
                    h('td', {}, categoryLabel(c)),
                    h('td', {class: 'bar-cell'},
                      h('span', {class: `bar cat-bg-${c}`}, scoreBar(v))),
                    h('td', {}, v.toFixed(2)),
                    h('td', {class: 'muted'},
                      t('sev_' + ((verdict.severities || {})[c] || 'none')))))),
          h('h3', {}, t('history')),
          h('ol', {class: 'history', id: 'history'},
            state.history.map(
                (ev) => h(
                    'li', {}, h('span', {class: 'muted'}, fmtTime(ev.at)), ' ',
                    h('b', {}, t('event_' + ev.kind)),
                    ev.decision && ev.decision !== 'DECISION_UNSPECIFIED' ?
                        ` (${t('decision_' + ev.decision)})` :
                        '',
                    ev.actor ? ` — ${ev.actor}` : '',
                    ev.text ? h('div', {class: 'reason'}, ev.text) : null))))));
}
