// One review item: the post with every hit highlighted at its exact span
// (code points, as the server counts them), hovering a span lights its
// hits in the side panel, scores and severities per category, the event
// history, and the workflow buttons (claim, release, decide with a reason,
// reopen) with the dialog that asks for the reason and, actioning, the
// categories the post is harmful in (required for a sampled post). The
// campaigns view asks for its decisions with the same dialog and buttons.
import {api} from './api.js';
import {categoryChip, h, markRegions, mergeSpans, scoreBar, statusChip} from './dom.js';
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

// The word of each decision (and of reopening) on buttons and dialogs.
const DECISION_WORDS = {
  DECISION_ACTIONED: 'actioned',
  DECISION_DISMISSED: 'dismissed',
  DECISION_ESCALATED: 'escalated',
  REOPEN: 'reopen'
};

// Opens the reason dialog for `decision` (a DECISION_* or REOPEN).
// Actioning also asks in which categories the post is harmful, with
// `categories` checked to start with; `note` says what the decision
// applies to. send(reason, categories) sends it (categories: the checked
// ones, in the server's order), or returns a problem to show instead.
export function openDialog(decision, {categories = [], note = '', send}) {
  state.dialog = {
    decision,
    reason: '',
    categories: new Set(categories),
    note,
    problem: '',
    send
  };
  render();
}

// The dialog for the open item. Actioning starts with its flagged
// categories checked, none for a sampled post (its verdict flagged
// nothing).
export function askReason(decision) {
  const item = state.item;
  if (!item) return;
  openDialog(decision, {
    categories: decision === 'DECISION_ACTIONED' && !isSample(item) ?
        item.verdict?.flagged_categories || [] :
        [],
    send: (reason, categories) =>
        sendItemDecision(item, decision, reason, categories)
  });
}

function sendItemDecision(item, decision, reason, categories) {
  if (decision === 'DECISION_ACTIONED' && isSample(item) &&
      categories.length === 0) {
    // The server refuses it too; say so before asking.
    return t('needCategories');
  }
  if (decision === 'REOPEN')
    act('Reopen', {reason});
  else if (decision === 'DECISION_ACTIONED')
    act('Decide', {decision, reason, categories});
  else
    act('Decide', {decision, reason});
  return '';
}

function sendDecision() {
  const dialog = state.dialog;
  const problem = dialog.send(
      dialog.reason, state.categories.filter((c) => dialog.categories.has(c)));
  if (problem) {
    dialog.problem = problem;
    render();
    return;
  }
  state.dialog = null;
}

// The buttons that decide (a, d, e), with ids `${prefix}-a` ...; each calls
// decide(decision).
export function decisionButtons(prefix, enabled, decide) {
  return Object.entries(DECISIONS).map(
      ([key, d]) =>
          h('button', {
            id: `${prefix}-${key}`,
            class: 'decide ' + d,
            disabled: !enabled,
            onclick: () => decide(d),
          },
            t(DECISION_WORDS[d])));
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
        h('h2', {}, t(DECISION_WORDS[decision])),
        state.dialog.note ?
            h('p', {class: 'muted', id: 'dialog-note'}, state.dialog.note) :
            null,
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
// takes the category of its strongest hit (hits come strongest first), its
// `members` the indices of its hits.
function hitRegions(hits) {
  return mergeSpans(
      hits.map((hit) => ({begin: hit.begin_char, end: hit.end_char})));
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
  const mark = (region, spanText) => {
    const top = hits[region.members[0]];
    const tip =
        region.members
            .map(
                (i) => hitDetails(
                           hits[i],
                           chars.slice(hits[i].begin_char, hits[i].end_char)
                               .join(''))
                           .join('\n'))
            .join('\n\n');
    return h(
        'mark', {
          class: `hit cat-${top.category}`,
          'data-category': top.category,
          'data-term': top.term,
          'data-begin-char': region.begin,
          'data-end-char': region.end,
          title: tip,
          tabindex: 0,
          onmouseenter: () => lightHits(region.members, true),
          onmouseleave: () => lightHits(region.members, false),
          onfocus: () => lightHits(region.members, true),
          onblur: () => lightHits(region.members, false),
        },
        spanText);
  };
  return h(
      'div', {class: 'post-text', id: 'post-text'},
      markRegions(
          chars.length, (begin, end) => chars.slice(begin, end).join(''),
          hitRegions(hits), mark));
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
      ...decisionButtons('decide', claimed, askReason),
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
        statusChip(item.status, {id: 'item-status'}),
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
