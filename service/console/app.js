// vigil analyst console: a dependency-free single-page app over vigil's
// HTTP JSON API (POST /api/vigil.v1.<Service>/<Method>, proto3 JSON), in
// plain browser modules. This entry module draws the page (sign-in, or the
// header with the queue, campaigns, sample, statistics or (admin) backtest
// view, help and the reason dialog),
// keeps what is being typed across redraws, refreshes the current view
// every few seconds while the tab is visible, and starts the session.
// Everything the server sends is untrusted text: it reaches the page only
// through textContent and attributes (dom.js), never as HTML. The token
// lives in sessionStorage (this tab, until it closes); the language choice
// in localStorage.
import {cancelBacktest, renderBacktest} from './backtest.js';
import {loadCampaigns, renderCampaigns} from './campaigns.js';
import {h} from './dom.js';
import {t} from './i18n.js';
import {renderDialog, renderItem} from './item.js';
import {installKeys} from './keys.js';
import {loadQueue, renderQueue} from './queue.js';
import {resume, signIn, signOut} from './session.js';
import {POLL_MS, setRedraw, state} from './state.js';
import {loadStats, statsContainer} from './stats.js';

const app = document.getElementById('app');

function render() {
  document.documentElement.lang = state.lang;
  document.title = t('title');
  // Re-rendering (polls do it every few seconds) must not lose what is
  // being typed: carry the focused field's value and caret over.
  const active = document.activeElement;
  const typing = active?.id &&
          (active.tagName === 'INPUT' || active.tagName === 'TEXTAREA') ?
      {
        id: active.id,
        value: active.value,
        start: active.selectionStart,
        end: active.selectionEnd
      } :
      null;
  app.replaceChildren(state.role ? renderMain() : renderSignIn());
  if (state.dialog) {
    const reason = document.getElementById('reason');
    reason.value = state.dialog.reason || '';
    reason.focus();
  } else if (typing && document.getElementById(typing.id)) {
    const el = document.getElementById(typing.id);
    el.value = typing.value;
    el.focus();
    try {
      el.setSelectionRange(typing.start, typing.end);
    } catch (e) { /* number inputs */
    }
  } else if (active?.id && document.getElementById(active.id)) {
    document.getElementById(active.id).focus();
  }
}

function errorBanner() {
  return state.error ? h('div', {class: 'error', role: 'alert'}, state.error) :
                       null;
}

function langButton() {
  return h(
      'button', {
        class: 'lang',
        title: t('langTitle'),
        onclick: () => {
          state.lang = state.lang === 'vi' ? 'en' : 'vi';
          localStorage.setItem('vigil.lang', state.lang);
          render();
        }
      },
      t('lang'));
}

function renderSignIn() {
  const form = h(
      'form', {
        class: 'signin',
        onsubmit: (ev) => {
          ev.preventDefault();
          signIn(document.getElementById('token').value.trim());
        }
      },
      h('h1', {}, 'vigil'), h('p', {}, t('signInHelp')),
      h('label',
        { for: 'token'
        },
        t('token')),
      h('input', {
        id: 'token',
        type: 'password',
        autocomplete: 'off',
        spellcheck: 'false'
      }),
      h('button', {type: 'submit', id: 'signin'}, t('signIn')), errorBanner());
  return h(
      'div', {class: 'signin-page'},
      h('div', {class: 'topright'}, langButton()), form);
}

// The tab of `view` (its label is the word of the same name).
function tab(view) {
  return h(
      'button', {
        class: state.view === view ? 'tab active' : 'tab',
        id: 'tab-' + view,
        onclick: () => switchView(view)
      },
      t(view));
}

function renderMain() {
  const analyst = state.role === 'analyst';
  const tabs =
      h('nav', {class: 'tabs'}, tab('queue'), analyst ? tab('campaigns') : null,
        tab('sample'), tab('stats'), state.admin ? tab('backtest') : null);
  const header =
      h('header', {}, h('span', {class: 'brand'}, 'vigil'), tabs,
        h('span', {class: 'spacer'}),
        h('button',
          {class: 'help-button', title: t('help'), onclick: toggleHelp}, '?'),
        langButton(),
        h('button', {id: 'signout', onclick: () => signOut('')}, t('signOut')));
  let body;
  if (state.view === 'queue' || state.view === 'sample') {
    body = analyst ?
        h('div', {class: 'queue-layout'}, renderQueue(), renderItem()) :
        h('p', {class: 'notice', id: 'viewer-only'}, t('viewerOnly'));
  } else if (state.view === 'campaigns') {
    body = renderCampaigns();
  } else if (state.view === 'backtest') {
    body = renderBacktest();
  } else {
    body = statsContainer;
  }
  return h(
      'div', {class: 'main'}, header, errorBanner(), body,
      state.help ? renderHelp() : null, state.dialog ? renderDialog() : null);
}

function switchView(view) {
  if (view !== state.view && state.view === 'backtest') cancelBacktest();
  if (view !== state.view) {
    // The queue and the sample are different lists: start each afresh.
    state.pageTokens = [''];
    state.page = 0;
    state.selected = -1;
    state.item = null;
    state.items = [];
    state.seen = new Set();
    state.fresh = new Set();
  }
  state.view = view;
  render();
  refresh();
}

function toggleHelp() {
  state.help = !state.help;
  render();
}

function renderHelp() {
  return h(
      'div', {class: 'overlay', onclick: toggleHelp},
      h('div', {class: 'dialog', id: 'help', role: 'dialog'},
        h('h2', {}, t('help')),
        h('table', {},
          t('keys').map(
              ([k, what]) =>
                  h('tr', {}, h('td', {}, h('kbd', {}, k)),
                    h('td', {}, what))))));
}

// Reloads the current view's data.
function refresh() {
  if (!state.role) return;
  if (state.view === 'queue' || state.view === 'sample')
    loadQueue();
  else if (state.view === 'campaigns')
    loadCampaigns();
  else if (state.view === 'stats')
    loadStats();
}

// New items appear without reloading: poll while the tab is visible.
setInterval(() => {
  if (document.visibilityState === 'visible' && !state.dialog) refresh();
}, POLL_MS);

setRedraw({render, refresh});
installKeys({toggleHelp, switchView});
render();
resume();
