// The keyboard: j/k next/previous item, c claim, u release, a/d/e decide
// and o reopen (each asks for a reason), n/p pages, r refresh, s queue or
// statistics, ? help, Esc closes dialogs. On the campaigns tab j/k move
// between campaigns and a/d/e decide the open one's posts (Enter opens a
// focused row: campaigns.js). Keys do nothing while typing in a field or a
// dialog is open, and the queue's and campaigns' keys only for analysts.
import {askClusterDecision, moveCluster} from './campaigns.js';
import {act, askReason} from './item.js';
import {goPage, move} from './queue.js';
import {DECISIONS, refresh, render, state} from './state.js';

// Listens to the page's keys; `toggleHelp` and `switchView(view)` are the
// entry module's.
export function installKeys({toggleHelp, switchView}) {
  document.addEventListener(
      'keydown', (ev) => onKey(ev, toggleHelp, switchView));
}

function onKey(ev, toggleHelp, switchView) {
  if (ev.key === 'Escape') {
    if (state.dialog || state.help) {
      state.dialog = null;
      state.help = false;
      render();
    }
    return;
  }
  const tag = ev.target?.tagName;
  if (!state.role || ev.ctrlKey || ev.metaKey || ev.altKey || tag === 'INPUT' ||
      tag === 'TEXTAREA' || tag === 'SELECT')
    return;
  if (state.dialog) return;
  const key = ev.key;
  if (key === '?') {
    toggleHelp();
    return;
  }
  if (key === 's') {
    switchView(state.view === 'queue' ? 'stats' : 'queue');
    return;
  }
  if (key === 'r') {
    refresh();
    return;
  }
  if (state.role !== 'analyst') return;
  if (state.view === 'campaigns') {
    if (key === 'j')
      moveCluster(1);
    else if (key === 'k')
      moveCluster(-1);
    else if (DECISIONS[key])
      askClusterDecision(DECISIONS[key]);
    else
      return;
    ev.preventDefault();
    return;
  }
  if (state.view !== 'queue' && state.view !== 'sample') return;
  if (key === 'j')
    move(1);
  else if (key === 'k')
    move(-1);
  else if (key === 'n')
    goPage(1);
  else if (key === 'p')
    goPage(-1);
  else if (key === 'c')
    act('Claim', {});
  else if (key === 'u')
    act('Release', {});
  else if (key === 'o')
    askReason('REOPEN');
  else if (DECISIONS[key])
    askReason(DECISIONS[key]);
  else
    return;
  ev.preventDefault();
}
