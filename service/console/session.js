// Who is signed in and what they may do. probe() finds a token's role
// (analyst: queue, campaigns and statistics; viewer: statistics only; an admin
// token also gets the backtest view), signIn() and signOut() keep the token in
// this tab's sessionStorage, resume() tries the tab's token (or none, for a
// server without tokens) when the page opens, and showError() shows a failed
// call (an expired token signs out); listLoader() makes the loader of one of
// the analyst's lists. After a sign-in the categories are read from the server
// (GetSummary lists them in vigil's order), so the console keeps no list of its
// own.
import {api, ApiError, describeError} from './api.js';
import {cancelBacktest, mayBacktest} from './backtest.js';
import {t} from './i18n.js';
import {noCampaigns, refresh, render, state} from './state.js';

// Finds what `token` may do: the queue (analyst), statistics only
// (viewer) or nothing (throws).
async function probe(token) {
  try {
    await api('ReviewService', 'ListQueue', {page_size: 1}, token);
    return 'analyst';
  } catch (e) {
    if (e.code !== 'PERMISSION_DENIED') throw e;
  }
  await api('StatsService', 'GetSummary', {}, token);
  return 'viewer';
}

// Takes the server's category names (from any GetSummary answer).
export function setCategories(names) {
  if (!names?.length || names.join() === state.categories.join()) return;
  state.categories = names;
  render();
}

// Reads the categories with a summary of an empty range (nothing to count).
async function loadCategories() {
  const now = new Date().toISOString();
  try {
    const summary = await api(
        'StatsService', 'GetSummary', {filter: {start: now, end: now}});
    setCategories(summary.categories);
  } catch (e) {
    showError(e);
  }
}

function enter(role) {
  state.role = role;
  state.admin = false;
  state.view = role === 'analyst' ? 'queue' : 'stats';
  render();
  refresh();
  loadCategories();
  const token = state.token;
  mayBacktest(token).then((admin) => {
    if (state.token !== token || !state.role || !admin) return;
    state.admin = true;
    render();
  });
}

let signIns = 0;  // sign-in attempts so far
export async function signIn(token) {
  ++signIns;
  let role;
  try {
    role = await probe(token);
  } catch (e) {
    state.role = null;
    state.error = e.code === 'UNAUTHENTICATED' ?
        `${t('noAccess')} (${e.message})` :
        describeError(e);
    render();
    return;
  }
  state.token = token;
  if (token) sessionStorage.setItem('vigil.token', token);
  state.error = '';
  enter(role);
}

export function signOut(message) {
  sessionStorage.removeItem('vigil.token');
  cancelBacktest();
  Object.assign(state, {
    token: '',
    role: null,
    admin: false,
    items: [],
    item: null,
    history: [],
    campaigns: noCampaigns(),
    selected: -1,
    seen: new Set(),
    fresh: new Set(),
    pageTokens: [''],
    page: 0,
    error: message || ''
  });
  render();
}

export function showError(e) {
  if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') {
    signOut(t('noAccess') + ' ' + e.message);
    return;
  }
  state.error = e instanceof ApiError ? describeError(e) : String(e);
  render();
}

// A loader of one of the analyst's lists: it calls ReviewService's
// `method` with request(), hands the answer to take(answer) and redraws; a
// failure is shown. A call while the last one runs does nothing.
export function listLoader(method, request, take) {
  let loading = false;
  return async () => {
    if (state.role !== 'analyst' || loading) return;
    loading = true;
    try {
      take(await api('ReviewService', method, request()));
      // The server answers again: a banner saying it could not be reached
      // goes.
      if (state.error && state.error.startsWith(t('err_network')))
        state.error = '';
      render();
    } catch (e) {
      showError(e);
    } finally {
      loading = false;
    }
  };
}

// A token from this tab's session, or none (a server without tokens
// answers anyone on loopback): try it before asking. Its answer counts
// only if nobody signed in meanwhile (a slow answer must not undo a
// sign-in that came after it).
export function resume() {
  const initialToken = state.token;
  const signInsBefore = signIns;
  probe(initialToken)
      .then((role) => {
        if (signIns !== signInsBefore) return;
        enter(role);
      })
      .catch(() => {
        if (signIns !== signInsBefore) return;
        if (initialToken) signOut(t('noAccess'));
      });
}
