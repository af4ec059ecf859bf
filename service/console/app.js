// vigil analyst console: a dependency-free single-page app over vigil's
// HTTP JSON API (POST /api/vigil.v1.<Service>/<Method>, proto3 JSON).
//
// Views: sign-in, the review queue with the item beside it, statistics.
// Everything the server sends is untrusted text: it reaches the page only
// through textContent and attributes, never as HTML. The token lives in
// sessionStorage (this tab, until it closes); the language choice in
// localStorage.
'use strict';

(() => {
  // ---------------------------------------------------------------- i18n
  const STRINGS = {
    vi: {
      title: 'vigil — kiểm duyệt',
      signIn: 'Đăng nhập',
      signInHelp:
          'Dán token truy cập của bạn (vigil token). Token chỉ được giữ trong tab này.',
      token: 'Token',
      signOut: 'Đăng xuất',
      queue: 'Hàng đợi',
      stats: 'Thống kê',
      help: 'Phím tắt',
      lang: 'EN',
      langTitle: 'Switch to English',
      category: 'Danh mục',
      status: 'Trạng thái',
      minScore: 'Điểm từ',
      since: 'Thời gian',
      source: 'Nguồn',
      sort: 'Sắp xếp',
      all: 'Tất cả',
      pending: 'Cần xử lý',
      byScore: 'Theo điểm',
      byTime: 'Mới nhất',
      lastHour: '1 giờ qua',
      lastDay: '24 giờ qua',
      lastWeek: '7 ngày qua',
      lastMonth: '30 ngày qua',
      anyTime: 'Mọi lúc',
      prev: '← Trang trước',
      next: 'Trang sau →',
      page: 'Trang',
      updated: 'Cập nhật',
      newItems: 'mục mới',
      empty: 'Không có mục nào khớp bộ lọc.',
      pickItem: 'Chọn một mục (j/k) để xem chi tiết.',
      score: 'Điểm',
      scores: 'Điểm theo danh mục',
      hits: 'Các đoạn bị gắn cờ',
      term: 'Từ khóa',
      weight: 'Trọng số',
      steps: 'Chuẩn hóa',
      exact: 'khớp trực tiếp',
      learned: 'học từ dữ liệu',
      severity: 'Mức độ',
      sev_none: '—',
      sev_mild: 'nhẹ',
      sev_moderate: 'vừa',
      sev_severe: 'nặng',
      history: 'Lịch sử',
      claim: 'Nhận (c)',
      release: 'Trả lại (u)',
      actioned: 'Xử lý (a)',
      dismissed: 'Bỏ qua (d)',
      escalated: 'Chuyển cấp (e)',
      reopen: 'Mở lại (o)',
      reason: 'Lý do',
      reasonPlaceholder: 'Vì sao? (Enter để gửi, Esc để hủy)',
      confirm: 'Gửi',
      cancel: 'Hủy',
      claimedBy: 'Đang xử lý bởi',
      until: 'đến',
      decidedBy: 'Quyết định bởi',
      flaggedAt: 'Gắn cờ lúc',
      timesFlagged: 'Số lần gắn cờ',
      textErased: 'Nội dung đã bị xóa theo chính sách lưu trữ.',
      unaccented: 'Bài viết không dấu',
      lexicon: 'Bộ từ điển',
      viewerOnly:
          'Token này chỉ được xem thống kê; hàng đợi cần quyền kiểm duyệt viên.',
      noAccess: 'Token không hợp lệ hoặc đã hết hạn.',
      analyzed: 'Bài đã phân tích',
      flagged: 'Bài bị gắn cờ',
      flagRate: 'Tỉ lệ gắn cờ',
      queueNow: 'Hàng đợi hiện tại',
      flagsOverTime: 'Số cờ theo danh mục theo thời gian',
      outcomes: 'Kết quả kiểm duyệt theo danh mục',
      topTerms: 'Từ khóa xuất hiện nhiều nhất',
      termPrecision: 'Độ chính xác theo từ khóa',
      precision: 'Độ chính xác',
      noData: 'Chưa có dữ liệu trong khoảng này.',
      range: 'Khoảng',
      keys: [
        ['j / k', 'mục sau / mục trước'],
        ['c', 'nhận mục đang chọn'],
        ['u', 'trả lại mục'],
        ['a', 'quyết định: xử lý'],
        ['d', 'quyết định: bỏ qua'],
        ['e', 'quyết định: chuyển cấp'],
        ['o', 'mở lại mục đã quyết định'],
        ['n / p', 'trang sau / trang trước'],
        ['r', 'làm mới'],
        ['s', 'chuyển hàng đợi / thống kê'],
        ['?', 'hiện / ẩn trợ giúp'],
        ['Esc', 'đóng hộp thoại'],
      ],
      status_ITEM_STATUS_OPEN: 'mở',
      status_ITEM_STATUS_CLAIMED: 'đang xử lý',
      status_ITEM_STATUS_ESCALATED: 'đã chuyển cấp',
      status_ITEM_STATUS_ACTIONED: 'đã xử lý',
      status_ITEM_STATUS_DISMISSED: 'đã bỏ qua',
      event_EVENT_KIND_FLAGGED: 'gắn cờ',
      event_EVENT_KIND_REFLAGGED: 'gắn cờ lại',
      event_EVENT_KIND_CLAIMED: 'nhận',
      event_EVENT_KIND_RELEASED: 'trả lại',
      event_EVENT_KIND_DECIDED: 'quyết định',
      event_EVENT_KIND_REOPENED: 'mở lại',
      event_EVENT_KIND_COMMENTED: 'bình luận',
      decision_DECISION_ACTIONED: 'xử lý',
      decision_DECISION_DISMISSED: 'bỏ qua',
      decision_DECISION_ESCALATED: 'chuyển cấp',
      cat_profanity: 'tục tĩu',
      cat_insult: 'xúc phạm',
      cat_hate: 'thù ghét',
      cat_threat: 'đe dọa',
      cat_sexual: 'tình dục',
      cat_self_harm: 'tự hại',
      cat_scam: 'lừa đảo',
      cat_spam: 'spam',
      step_teencode: 'teencode',
      step_folded: 'bỏ dấu',
      step_leetspeak: 'leetspeak',
      step_confusable: 'ký tự giả dạng',
      step_repeated_letters: 'lặp chữ',
      step_joined_separators: 'ký tự chen giữa',
      step_format_removed: 'ký tự ẩn',
      step_eth: 'đ → d',
      err_UNAUTHENTICATED: 'Chưa đăng nhập hoặc token hết hạn',
      err_PERMISSION_DENIED: 'Không có quyền',
      err_FAILED_PRECONDITION: 'Không thực hiện được ở trạng thái này',
      err_NOT_FOUND: 'Không tìm thấy',
      err_UNAVAILABLE: 'Máy chủ tạm thời không phục vụ được',
      err_network: 'Không kết nối được máy chủ',
    },
    en: {
      title: 'vigil — review',
      signIn: 'Sign in',
      signInHelp:
          'Paste your access token (vigil token). It is kept for this tab only.',
      token: 'Token',
      signOut: 'Sign out',
      queue: 'Queue',
      stats: 'Statistics',
      help: 'Shortcuts',
      lang: 'VI',
      langTitle: 'Chuyển sang tiếng Việt',
      category: 'Category',
      status: 'Status',
      minScore: 'Score from',
      since: 'Time',
      source: 'Source',
      sort: 'Sort',
      all: 'All',
      pending: 'To review',
      byScore: 'By score',
      byTime: 'Newest',
      lastHour: 'Last hour',
      lastDay: 'Last 24 hours',
      lastWeek: 'Last 7 days',
      lastMonth: 'Last 30 days',
      anyTime: 'Any time',
      prev: '← Previous',
      next: 'Next →',
      page: 'Page',
      updated: 'Updated',
      newItems: 'new',
      empty: 'No items match the filters.',
      pickItem: 'Pick an item (j/k) to see it.',
      score: 'Score',
      scores: 'Scores by category',
      hits: 'Flagged spans',
      term: 'Term',
      weight: 'Weight',
      steps: 'Normalization',
      exact: 'direct match',
      learned: 'learned from data',
      severity: 'Severity',
      sev_none: '—',
      sev_mild: 'mild',
      sev_moderate: 'moderate',
      sev_severe: 'severe',
      history: 'History',
      claim: 'Claim (c)',
      release: 'Release (u)',
      actioned: 'Action (a)',
      dismissed: 'Dismiss (d)',
      escalated: 'Escalate (e)',
      reopen: 'Reopen (o)',
      reason: 'Reason',
      reasonPlaceholder: 'Why? (Enter sends, Esc cancels)',
      confirm: 'Send',
      cancel: 'Cancel',
      claimedBy: 'Claimed by',
      until: 'until',
      decidedBy: 'Decided by',
      flaggedAt: 'Flagged at',
      timesFlagged: 'Times flagged',
      textErased: 'Text erased by the retention policy.',
      unaccented: 'Post written without diacritics',
      lexicon: 'Lexicon',
      viewerOnly:
          'This token may read statistics only; the queue needs an analyst token.',
      noAccess: 'The token is not valid or has expired.',
      analyzed: 'Posts analyzed',
      flagged: 'Posts flagged',
      flagRate: 'Flag rate',
      queueNow: 'Queue now',
      flagsOverTime: 'Flags per category over time',
      outcomes: 'Review outcomes by category',
      topTerms: 'Top terms',
      termPrecision: 'Precision by term',
      precision: 'Precision',
      noData: 'No data in this range yet.',
      range: 'Range',
      keys: [
        ['j / k', 'next / previous item'],
        ['c', 'claim the selected item'],
        ['u', 'release it'],
        ['a', 'decide: actioned'],
        ['d', 'decide: dismissed'],
        ['e', 'decide: escalated'],
        ['o', 'reopen a decided item'],
        ['n / p', 'next / previous page'],
        ['r', 'refresh'],
        ['s', 'switch queue / statistics'],
        ['?', 'show / hide help'],
        ['Esc', 'close dialogs'],
      ],
      status_ITEM_STATUS_OPEN: 'open',
      status_ITEM_STATUS_CLAIMED: 'claimed',
      status_ITEM_STATUS_ESCALATED: 'escalated',
      status_ITEM_STATUS_ACTIONED: 'actioned',
      status_ITEM_STATUS_DISMISSED: 'dismissed',
      event_EVENT_KIND_FLAGGED: 'flagged',
      event_EVENT_KIND_REFLAGGED: 'flagged again',
      event_EVENT_KIND_CLAIMED: 'claimed',
      event_EVENT_KIND_RELEASED: 'released',
      event_EVENT_KIND_DECIDED: 'decided',
      event_EVENT_KIND_REOPENED: 'reopened',
      event_EVENT_KIND_COMMENTED: 'commented',
      decision_DECISION_ACTIONED: 'actioned',
      decision_DECISION_DISMISSED: 'dismissed',
      decision_DECISION_ESCALATED: 'escalated',
      cat_profanity: 'profanity',
      cat_insult: 'insult',
      cat_hate: 'hate',
      cat_threat: 'threat',
      cat_sexual: 'sexual',
      cat_self_harm: 'self-harm',
      cat_scam: 'scam',
      cat_spam: 'spam',
      step_teencode: 'teencode',
      step_folded: 'folded',
      step_leetspeak: 'leetspeak',
      step_confusable: 'look-alike letters',
      step_repeated_letters: 'repeated letters',
      step_joined_separators: 'separators inside',
      step_format_removed: 'hidden characters',
      step_eth: 'đ → d',
      err_UNAUTHENTICATED: 'Not signed in, or the token expired',
      err_PERMISSION_DENIED: 'Not allowed',
      err_FAILED_PRECONDITION: 'Not possible in this state',
      err_NOT_FOUND: 'Not found',
      err_UNAVAILABLE: 'The server cannot answer right now',
      err_network: 'Cannot reach the server',
    },
  };

  const CATEGORIES = [
    'profanity', 'insult', 'hate', 'threat', 'sexual', 'self_harm', 'scam',
    'spam'
  ];
  const STATUSES = [
    'ITEM_STATUS_OPEN', 'ITEM_STATUS_CLAIMED', 'ITEM_STATUS_ESCALATED',
    'ITEM_STATUS_ACTIONED', 'ITEM_STATUS_DISMISSED'
  ];
  const PENDING =
      ['ITEM_STATUS_OPEN', 'ITEM_STATUS_CLAIMED', 'ITEM_STATUS_ESCALATED'];
  const DECISIONS = {
    a: 'DECISION_ACTIONED',
    d: 'DECISION_DISMISSED',
    e: 'DECISION_ESCALATED'
  };
  const RANGES = {hour: 3600, day: 86400, week: 7 * 86400, month: 30 * 86400};
  const PAGE_SIZE = 25;
  const POLL_MS = 4000;

  const state = {
    lang: localStorage.getItem('vigil.lang') === 'en' ? 'en' : 'vi',
    token: sessionStorage.getItem('vigil.token') || '',
    role: null,  // 'analyst' (queue + stats) or 'viewer' (stats)
    view: 'queue',
    filter: {
      category: '',
      status: 'pending',
      minScore: '',
      since: 'any',
      source: '',
      order: 'QUEUE_ORDER_SCORE'
    },
    pageTokens: [''],  // page i starts at pageTokens[i]
    page: 0,
    nextPageToken: '',
    items: [],
    seen: new Set(),   // item ids shown before (to mark new ones)
    fresh: new Set(),  // ids that appeared since the last refresh
    selected: -1,
    item: null,
    history: [],
    statsRange: 'day',
    error: '',
    dialog: null,  // {decision} while asking for a reason
    help: false,
    updatedAt: null,
  };

  const t = (key) => (STRINGS[state.lang][key] ?? STRINGS.en[key] ?? key);

  // ---------------------------------------------------------------- DOM
  // h('div', {class: 'x', onclick: f}, child, 'text', ...): children are
  // nodes or strings (as text, never HTML).
  function h(tag, attrs, ...children) {
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

  function svg(tag, attrs, ...children) {
    return h('svg:' + tag, attrs, ...children);
  }

  // ---------------------------------------------------------------- API
  class ApiError extends Error {
    constructor(code, message, status) {
      super(message);
      this.code = code;
      this.status = status;
    }
  }

  async function api(service, method, body, token = state.token) {
    const headers = {'Content-Type': 'application/json'};
    if (token) headers.Authorization = 'Bearer ' + token;
    let response;
    try {
      response = await fetch(
          `/api/vigil.v1.${service}/${method}`,
          {method: 'POST', headers, body: JSON.stringify(body || {})});
    } catch (e) {
      throw new ApiError('network', t('err_network'), 0);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (!response.ok) {
      throw new ApiError(
          data?.code || 'UNKNOWN', data?.message || response.statusText,
          response.status);
    }
    return data;
  }

  function describeError(e) {
    const label = STRINGS[state.lang]['err_' + e.code];
    return label ? `${label} (${e.code}): ${e.message}` :
                   `${e.code || ''} ${e.message}`.trim();
  }

  function showError(e) {
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') {
      signOut(t('noAccess') + ' ' + e.message);
      return;
    }
    state.error = e instanceof ApiError ? describeError(e) : String(e);
    render();
  }

  // ---------------------------------------------------------------- sign-in
  // Finds what `token` may do: the queue (analyst), statistics only
  // (viewer) or nothing (throws).
  async function probe(token) {
    try {
      await api('ReviewService', 'ListQueue', {pageSize: 1}, token);
      return 'analyst';
    } catch (e) {
      if (e.code !== 'PERMISSION_DENIED') throw e;
    }
    await api('StatsService', 'GetSummary', {}, token);
    return 'viewer';
  }

  let signIns = 0;  // sign-in attempts so far
  async function signIn(token) {
    ++signIns;
    try {
      state.role = await probe(token);
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
    state.view = state.role === 'analyst' ? 'queue' : 'stats';
    render();
    refresh();
  }

  function signOut(message) {
    sessionStorage.removeItem('vigil.token');
    Object.assign(state, {
      token: '',
      role: null,
      items: [],
      item: null,
      history: [],
      selected: -1,
      seen: new Set(),
      fresh: new Set(),
      pageTokens: [''],
      page: 0,
      error: message || ''
    });
    render();
  }

  // ---------------------------------------------------------------- queue
  function queueRequest() {
    const f = state.filter;
    const filter = {};
    if (f.category) filter.categories = [f.category];
    if (f.status === 'pending')
      filter.statuses = PENDING;
    else if (f.status)
      filter.statuses = [f.status];
    if (f.minScore !== '') filter.minScore = Number(f.minScore);
    if (f.since !== 'any') {
      filter.flaggedAfter =
          new Date(Date.now() - RANGES[f.since] * 1000).toISOString();
    }
    if (f.source) filter.source = f.source;
    return {
      filter,
      order: f.order,
      pageSize: PAGE_SIZE,
      pageToken: state.pageTokens[state.page]
    };
  }

  let loading = false;
  async function loadQueue() {
    if (state.role !== 'analyst' || loading) return;
    loading = true;
    try {
      const reply = await api('ReviewService', 'ListQueue', queueRequest());
      const selectedId = state.item?.itemId;
      state.items = reply.items || [];
      state.nextPageToken = reply.nextPageToken || '';
      const firstLoad = state.seen.size === 0;
      state.fresh = new Set();
      for (const item of state.items) {
        if (!state.seen.has(item.itemId) && !firstLoad)
          state.fresh.add(item.itemId);
        state.seen.add(item.itemId);
      }
      state.selected = state.items.findIndex((i) => i.itemId === selectedId);
      state.updatedAt = new Date();
      if (state.error && state.error.startsWith(t('err_network')))
        state.error = '';
      render();
    } catch (e) {
      showError(e);
    } finally {
      loading = false;
    }
  }

  async function openItem(index) {
    if (index < 0 || index >= state.items.length) return;
    state.selected = index;
    const id = state.items[index].itemId;
    state.item = state.items[index];
    render();
    try {
      const [item, history] = await Promise.all([
        api('ReviewService', 'GetItem', {itemId: id}),
        api('ReviewService', 'GetHistory', {itemId: id}),
      ]);
      if (state.item?.itemId !== id) return;  // moved on meanwhile
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

  function move(delta) {
    if (state.items.length === 0) return;
    const next = state.selected < 0 ?
        0 :
        Math.min(state.items.length - 1, Math.max(0, state.selected + delta));
    openItem(next);
  }

  async function act(method, body) {
    if (!state.item) return;
    const id = state.item.itemId;
    try {
      const item = await api('ReviewService', method, {itemId: id, ...body});
      state.error = '';
      state.item = item;
      const history = await api('ReviewService', 'GetHistory', {itemId: id});
      state.history = history.events || [];
      render();
      await loadQueue();
    } catch (e) {
      showError(e);
    }
  }

  function askReason(decision) {
    if (!state.item) return;
    state.dialog = {decision, reason: ''};
    render();
  }

  function sendDecision() {
    const {decision, reason} = state.dialog;
    state.dialog = null;
    if (decision === 'REOPEN')
      act('Reopen', {reason});
    else
      act('Decide', {decision, reason});
  }

  function goPage(delta) {
    if (delta > 0 && !state.nextPageToken) return;
    if (delta < 0 && state.page === 0) return;
    if (delta > 0) state.pageTokens[state.page + 1] = state.nextPageToken;
    state.page += delta;
    state.selected = -1;
    loadQueue();
  }

  function setFilter(key, value) {
    state.filter[key] = value;
    state.pageTokens = [''];
    state.page = 0;
    loadQueue();
  }

  // ---------------------------------------------------------------- render
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
    return state.error ?
        h('div', {class: 'error', role: 'alert'}, state.error) :
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
    const form =
        h('form', {
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
          h('button', {type: 'submit', id: 'signin'}, t('signIn')),
          errorBanner());
    return h(
        'div', {class: 'signin-page'},
        h('div', {class: 'topright'}, langButton()), form);
  }

  function renderMain() {
    const tabs =
        h('nav', {class: 'tabs'},
          h('button', {
            class: state.view === 'queue' ? 'tab active' : 'tab',
            id: 'tab-queue',
            onclick: () => switchView('queue')
          },
            t('queue')),
          h('button', {
            class: state.view === 'stats' ? 'tab active' : 'tab',
            id: 'tab-stats',
            onclick: () => switchView('stats')
          },
            t('stats')));
    const header = h(
        'header', {}, h('span', {class: 'brand'}, 'vigil'), tabs,
        h('span', {class: 'spacer'}),
        h('button',
          {class: 'help-button', title: t('help'), onclick: toggleHelp}, '?'),
        langButton(),
        h('button', {id: 'signout', onclick: () => signOut('')}, t('signOut')));
    let body;
    if (state.view === 'queue') {
      body = state.role === 'analyst' ?
          renderQueue() :
          h('p', {class: 'notice', id: 'viewer-only'}, t('viewerOnly'));
    } else {
      body = statsContainer;
    }
    return h(
        'div', {class: 'main'}, header, errorBanner(), body,
        state.help ? renderHelp() : null, state.dialog ? renderDialog() : null);
  }

  function switchView(view) {
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

  function renderDialog() {
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

  function select(id, value, options, onchange, label) {
    return h(
        'label', {class: 'field'}, h('span', {}, label),
        h('select', {id, onchange: (ev) => onchange(ev.target.value)},
          options.map(
              ([v, text]) =>
                  h('option', {value: v, selected: v === value}, text))));
  }

  function fmtTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return d.toLocaleString(
        state.lang === 'vi' ? 'vi-VN' : 'en-GB',
        {dateStyle: 'short', timeStyle: 'medium'});
  }

  function categoryChip(c) {
    return h('span', {class: `chip cat-${c}`}, t('cat_' + c));
  }

  function renderQueue() {
    const f = state.filter;
    const filters = h('div', { class: 'filters' },
      select('f-category', f.category, [['', t('all')], ...CATEGORIES.map((c) => [c, t('cat_' + c)])], (v) => setFilter('category', v), t('category')),
      select('f-status', f.status, [['pending', t('pending')], ['', t('all')], ...STATUSES.map((s) => [s, t('status_' + s)])], (v) => setFilter('status', v), t('status')),
      h('label', { class: 'field' }, h('span', {}, t('minScore')),
        h('input', { id: 'f-score', type: 'number', min: 0, max: 1, step: 0.05, value: f.minScore, onchange: (ev) => setFilter('minScore', ev.target.value) })),
      select('f-since', f.since, [['any', t('anyTime')], ['hour', t('lastHour')], ['day', t('lastDay')], ['week', t('lastWeek')], ['month', t('lastMonth')]], (v) => setFilter('since', v), t('since')),
      h('label', { class: 'field' }, h('span', {}, t('source')),
        h('input', { id: 'f-source', type: 'text', value: f.source, onchange: (ev) => setFilter('source', ev.target.value.trim()) })),
      select('f-order', f.order, [['QUEUE_ORDER_SCORE', t('byScore')], ['QUEUE_ORDER_TIME', t('byTime')]], (v) => setFilter('order', v), t('sort')));
    const rows = state.items.map((item, i) => {
      const cats = item.verdict?.flaggedCategories || [];
      const text = item.post?.text || '';
      return h(
          'li', {
            class: [
              'queue-row', i === state.selected ? 'selected' : '',
              state.fresh.has(item.itemId) ? 'fresh' : ''
            ].join(' ').trim(),
            'data-item-id': item.itemId,
            'data-status': item.status,
            onclick: () => openItem(i),
          },
          h('span', {class: 'score'},
            h('span', {class: 'bar'}, scoreBar(item.maxScore)),
            (item.maxScore ?? 0).toFixed(2)),
          h('span', {class: 'cats'}, cats.map(categoryChip)),
          h('span', {class: 'snippet'},
            text.length > 140 ? Array.from(text).slice(0, 140).join('') + '…' :
                                text),
          h('span', {class: `status st-${item.status}`},
            t('status_' + item.status)),
          h('span', {class: 'meta'}, item.post?.source || '', ' · ',
            fmtTime(item.lastFlaggedAt)),
          state.fresh.has(item.itemId) ?
              h('span', {class: 'new-badge'}, t('newItems')) :
              null);
    });
    const pager = h(
        'div', {class: 'pager'},
        h('button',
          {id: 'prev', disabled: state.page === 0, onclick: () => goPage(-1)},
          t('prev')),
        h('span', {}, `${t('page')} ${state.page + 1}`),
        h('button', {
          id: 'next',
          disabled: !state.nextPageToken,
          onclick: () => goPage(1)
        },
          t('next')),
        h('span', {class: 'updated'},
          state.updatedAt ? `${t('updated')} ${
                                state.updatedAt.toLocaleTimeString(
                                    state.lang === 'vi' ? 'vi-VN' : 'en-GB')}` :
                            ''),
        state.fresh.size ? h('span', {class: 'new-count', id: 'new-count'},
                             `+${state.fresh.size} ${t('newItems')}`) :
                           null);
    const list = h(
        'section', {class: 'queue'}, filters,
        rows.length ? h('ol', {id: 'queue-list'}, rows) :
                      h('p', {class: 'notice', id: 'queue-empty'}, t('empty')),
        pager);
    return h('div', {class: 'queue-layout'}, list, renderItem());
  }

  function scoreBar(score) {
    const el = h('span', {class: 'fill'});
    el.style.width = `${Math.round((score || 0) * 100)}%`;
    return el;
  }

  // Merges overlapping hit spans (code points) into regions; each region
  // takes the category of its strongest hit (hits come strongest first).
  function hitRegions(hits) {
    const spans = hits.map(
                          (hit, index) =>
                              ({begin: hit.beginChar, end: hit.endChar, index}))
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
    return step === 'teencode' || step === 'leetspeak' ?
        `${label}: ${spanText}` :
        label;
  }

  function hitDetails(hit, spanText) {
    const steps = hit.via?.length ?
        hit.via.map((s) => stepLabel(s, spanText)).join(', ') :
        t('exact');
    return [
      `${t('cat_' + hit.category)} · ${t('term')}: ${hit.term}`,
      `${t('weight')}: ${Number(hit.weight).toFixed(2)}${
          hit.learned ? ' (' + t('learned') + ')' : ''} · ${t('severity')}: ${
          t('sev_' + (hit.severity || 'none'))}`,
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
                             chars.slice(hits[i].beginChar, hits[i].endChar)
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

  function renderItem() {
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
    const actions =
        h('div', {class: 'actions'},
          h('button', {
            id: 'claim',
            disabled: decided || claimed,
            onclick: () => act('Claim', {})
          },
            t('claim')),
          h('button', {
            id: 'release',
            disabled: !claimed,
            onclick: () => act('Release', {})
          },
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
    const flaggedCats = new Set(verdict.flaggedCategories || []);
    return h(
        'section', {
          class: 'item',
          id: 'item',
          'data-item-id': item.itemId,
          'data-status': item.status
        },
        h('div', {class: 'item-head'}, h('h2', {}, `#${item.itemId}`),
          h('span', {class: `status st-${item.status}`, id: 'item-status'},
            t('status_' + item.status)),
          (verdict.flaggedCategories || []).map(categoryChip),
          verdict.unaccented ?
              h('span', {class: 'chip plain'}, t('unaccented')) :
              null),
        h('dl', {class: 'facts'}, h('dt', {}, t('source')),
          h('dd', {}, `${item.post?.source || ''} / ${item.post?.id || ''}`),
          h('dt', {}, t('flaggedAt')), h('dd', {}, fmtTime(item.lastFlaggedAt)),
          h('dt', {}, t('timesFlagged')),
          h('dd', {}, String(item.timesFlagged)),
          item.claimedBy ?
              [
                h('dt', {}, t('claimedBy')),
                h('dd', {id: 'claimed-by'},
                  `${item.claimedBy} (${t('until')} ${
                      fmtTime(item.leaseExpiresAt)})`)
              ] :
              null,
          item.decidedBy ?
              [
                h('dt', {}, t('decidedBy')),
                h('dd', {},
                  `${item.decidedBy}: ${t('decision_' + item.decision)} — ${
                      item.decisionReason}`)
              ] :
              null,
          h('dt', {}, t('lexicon')), h('dd', {}, verdict.lexiconVersion || '')),
        item.textErasedAt ? h('p', {class: 'notice'}, t('textErased')) :
                            renderPostText(item),
        actions,
        h('div', {class: 'item-columns'},
          h('div', {}, h('h3', {}, t('hits')),
            h('ul', {class: 'hit-list', id: 'hit-list'},
              hits.map((hit, index) => {
                const spanText =
                    chars.slice(hit.beginChar, hit.endChar).join('');
                const [what, weight, steps] = hitDetails(hit, spanText);
                return h(
                    'li',
                    {class: `cat-border-${hit.category}`, id: 'hit-' + index},
                    h('q', {}, spanText), ' ',
                    h('span', {class: 'muted'}, what),
                    h('div', {class: 'muted'}, weight),
                    h('div', {class: 'steps'}, steps));
              }))),
          h('div', {}, h('h3', {}, t('scores')),
            h('table', {class: 'scores'},
              scores.map(
                  ([c, v]) =>
                      h('tr', {class: flaggedCats.has(c) ? 'flagged' : ''},
                        h('td', {}, t('cat_' + c)),
                        h('td', {class: 'bar-cell'},
                          h('span', {class: `bar cat-bg-${c}`}, scoreBar(v))),
                        h('td', {}, v.toFixed(2)),
                        h('td', {class: 'muted'},
                          t('sev_' +
                            ((verdict.severities || {})[c] || 'none')))))),
            h('h3', {}, t('history')),
            h('ol', {class: 'history', id: 'history'},
              state.history.map(
                  (ev) =>
                      h('li', {}, h('span', {class: 'muted'}, fmtTime(ev.at)),
                        ' ', h('b', {}, t('event_' + ev.kind)),
                        ev.decision && ev.decision !== 'DECISION_UNSPECIFIED' ?
                            ` (${t('decision_' + ev.decision)})` :
                            '',
                        ev.actor ? ` — ${ev.actor}` : '',
                        ev.text ? h('div', {class: 'reason'}, ev.text) :
                                  null))))));
  }

  // ---------------------------------------------------------------- stats
  const statsContainer = h('div', {class: 'stats', id: 'stats'});

  async function loadStats() {
    const seconds = RANGES[state.statsRange];
    const end = new Date();
    const start = new Date(end.getTime() - seconds * 1000);
    const filter = {start: start.toISOString(), end: end.toISOString()};
    const granularity = seconds <= 3600 ? 'GRANULARITY_MINUTE' :
        seconds <= 86400                ? 'GRANULARITY_HOUR' :
                                          'GRANULARITY_DAY';
    try {
      const [summary, series, terms, outcomes] = await Promise.all([
        api('StatsService', 'GetSummary', {filter}),
        api('StatsService', 'GetTimeSeries', {filter, granularity}),
        api('StatsService', 'GetTopTerms', {filter, limit: 15}),
        api('StatsService', 'GetReviewOutcomes', {filter}),
      ]);
      renderStats(summary, series, terms, outcomes, granularity);
    } catch (e) {
      showError(e);
    }
  }

  function card(label, value, id) {
    return h(
        'div', {class: 'card', id}, h('div', {class: 'card-value'}, value),
        h('div', {class: 'card-label'}, label));
  }

  function renderStats(summary, series, terms, outcomes, granularity) {
    const total = summary.total || {};
    const analyzed = Number(total.postsAnalyzed || 0);
    const flagged = Number(total.postsFlagged || 0);
    const queue = summary.queueByStatus || {};
    const rangeSelect = select(
        'stats-range', state.statsRange,
        [
          ['hour', t('lastHour')], ['day', t('lastDay')],
          ['week', t('lastWeek')], ['month', t('lastMonth')]
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
        h('section', {class: 'chart'}, h('h3', {}, t('flagsOverTime')),
          legend(), timeChart(series.buckets || [], granularity)),
        h('div', {class: 'chart-row'},
          h('section', {class: 'chart'}, h('h3', {}, t('outcomes')),
            outcomeChart(outcomes.categories || [])),
          h('section', {class: 'chart'}, h('h3', {}, t('topTerms')),
            termChart(terms.terms || []))),
        h('section', {class: 'chart'}, h('h3', {}, t('termPrecision')),
          precisionTable(outcomes.terms || [])));
  }

  function legend() {
    return h(
        'div', {class: 'legend'},
        CATEGORIES.map(
            (c) =>
                h('span', {}, h('i', {class: `swatch cat-bg-${c}`}),
                  t('cat_' + c))));
  }

  function timeChart(buckets, granularity) {
    const width = 760, height = 220, left = 40, bottom = 24, top = 8;
    const sums = buckets.map(
        (b) => CATEGORIES.reduce(
            (n, c) => n + Number(b.counts?.flagsByCategory?.[c] || 0), 0));
    const max = Math.max(1, ...sums);
    const plotH = height - bottom - top;
    const barW = buckets.length ? (width - left) / buckets.length : 0;
    const chart = chartSvg('time-chart', width, height);
    chart.append(
        svg('line', {
          x1: left,
          y1: top + plotH,
          x2: width,
          y2: top + plotH,
          class: 'axis'
        }),
        svg('text',
            {x: left - 4, y: top + 10, class: 'tick', 'text-anchor': 'end'},
            String(max)),
        svg('text',
            {x: left - 4, y: top + plotH, class: 'tick', 'text-anchor': 'end'},
            '0'));
    const fmt = (iso) => {
      const d = new Date(iso);
      return granularity === 'GRANULARITY_DAY' ?
          d.toLocaleDateString(
              state.lang === 'vi' ? 'vi-VN' : 'en-GB',
              {day: '2-digit', month: '2-digit'}) :
          d.toLocaleTimeString(
              state.lang === 'vi' ? 'vi-VN' : 'en-GB',
              {hour: '2-digit', minute: '2-digit'});
    };
    const labelEvery = Math.max(1, Math.ceil(buckets.length / 8));
    buckets.forEach((b, i) => {
      let y = top + plotH;
      const x = left + i * barW;
      for (const c of CATEGORIES) {
        const n = Number(b.counts?.flagsByCategory?.[c] || 0);
        if (!n) continue;
        const hgt = (n / max) * plotH;
        y -= hgt;
        chart.append(
            svg('rect', {
              x: x + 1,
              y,
              width: Math.max(1, barW - 2),
              height: hgt,
              class: `cat-fill-${c}`,
              'data-category': c,
              'data-count': n
            },
                svg('title', {}, `${fmt(b.start)} · ${t('cat_' + c)}: ${n}`)));
      }
      if (i % labelEvery === 0)
        chart.append(
            svg('text', {
              x: x + barW / 2,
              y: height - 6,
              class: 'tick',
              'text-anchor': 'middle'
            },
                fmt(b.start)));
    });
    if (sums.every((s) => s === 0))
      chart.append(svg(
          'text',
          {x: width / 2, y: height / 2, class: 'tick', 'text-anchor': 'middle'},
          t('noData')));
    return chart;
  }

  // An <svg> of `width` × `height` user units, drawn at that size at most.
  function chartSvg(id, width, height) {
    return svg('svg', {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      class: 'svg-chart',
      id,
      role: 'img'
    });
  }

  function outcomeChart(rows) {
    const decided = (r) =>
        Number(r.actioned) + Number(r.dismissed) + Number(r.escalated);
    const data = rows.filter((r) => decided(r) > 0);
    if (!data.length) return h('p', {class: 'notice'}, t('noData'));
    const width = 380, rowH = 22, left = 90;
    const max = Math.max(...data.map(decided));
    const chart = chartSvg('outcome-chart', width, data.length * rowH + 4);
    data.forEach((r, i) => {
      const y = i * rowH + 2;
      chart.append(svg(
          'text', {x: left - 6, y: y + 14, class: 'tick', 'text-anchor': 'end'},
          t('cat_' + r.category)));
      let x = left;
      for (const kind of ['actioned', 'dismissed', 'escalated']) {
        const n = Number(r[kind]);
        if (!n) continue;
        const w = (n / max) * (width - left - 70);
        chart.append(
            svg('rect',
                {x, y, width: w, height: rowH - 6, class: `outcome-${kind}`},
                svg('title', {},
                    `${t('decision_DECISION_' + kind.toUpperCase())}: ${n}`)));
        x += w;
      }
      const precision =
          r.precision === undefined ? '' : `${Math.round(r.precision * 100)}%`;
      chart.append(
          svg('text', {x: x + 4, y: y + 14, class: 'tick'}, precision));
    });
    return h(
        'div', {}, chart,
        h('div', {class: 'legend'},
          ['actioned', 'dismissed', 'escalated'].map(
              (k) =>
                  h('span', {}, h('i', {class: `swatch outcome-bg-${k}`}),
                    t('decision_DECISION_' + k.toUpperCase())))));
  }

  function termChart(all) {
    // The store answers the top terms of each category; show the top overall.
    const terms =
        [...all].sort((a, b) => Number(b.hits) - Number(a.hits)).slice(0, 15);
    if (!terms.length) return h('p', {class: 'notice'}, t('noData'));
    const width = 380, rowH = 20, left = 130;
    const max = Math.max(...terms.map((x) => Number(x.hits)));
    const chart = chartSvg('term-chart', width, terms.length * rowH + 4);
    terms.forEach((x, i) => {
      const y = i * rowH + 2;
      const label = x.term.length > 22 ? x.term.slice(0, 21) + '…' : x.term;
      chart.append(
          svg('text',
              {x: left - 6, y: y + 13, class: 'tick', 'text-anchor': 'end'},
              label, svg('title', {}, x.term)),
          svg('rect', {
            x: left,
            y,
            width: (Number(x.hits) / max) * (width - left - 40),
            height: rowH - 5,
            class: `cat-fill-${x.category}`
          },
              svg('title', {},
                  `${t('cat_' + x.category)} · ${x.term}: ${x.hits}`)),
          svg('text', {
            x: left + (Number(x.hits) / max) * (width - left - 40) + 4,
            y: y + 13,
            class: 'tick'
          },
              String(x.hits)));
    });
    return chart;
  }

  function precisionTable(rows) {
    const data =
        rows.filter((r) => Number(r.actioned) + Number(r.dismissed) > 0)
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
            (r) =>
                h('tr', {}, h('td', {}, r.term),
                  h('td', {}, categoryChip(r.category)),
                  h('td', {}, String(r.actioned)),
                  h('td', {}, String(r.dismissed)),
                  h('td', {class: 'bar-cell'},
                    h('span', {class: 'bar'}, scoreBar(r.precision)),
                    r.precision === undefined ?
                        '—' :
                        `${Math.round(r.precision * 100)}%`))));
  }

  // ---------------------------------------------------------------- keys
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      if (state.dialog || state.help) {
        state.dialog = null;
        state.help = false;
        render();
      }
      return;
    }
    const tag = ev.target?.tagName;
    if (!state.role || ev.ctrlKey || ev.metaKey || ev.altKey ||
        tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT')
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
    if (state.view !== 'queue' || state.role !== 'analyst') return;
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
  });

  function refresh() {
    if (!state.role) return;
    if (state.view === 'queue')
      loadQueue();
    else
      loadStats();
  }

  // New items appear without reloading: poll while the tab is visible.
  setInterval(() => {
    if (document.visibilityState === 'visible' && !state.dialog) refresh();
  }, POLL_MS);

  // A token from this tab's session, or none (a server without tokens
  // answers anyone on loopback): try it before asking. Its answer counts
  // only if nobody signed in meanwhile (a slow answer must not undo a
  // sign-in that came after it).
  render();
  const initialToken = state.token;
  const signInsBefore = signIns;
  probe(initialToken)
      .then((role) => {
        if (signIns !== signInsBefore) return;
        state.role = role;
        state.view = role === 'analyst' ? 'queue' : 'stats';
        render();
        refresh();
      })
      .catch(() => {
        if (signIns !== signInsBefore) return;
        if (initialToken) signOut(t('noAccess'));
      });
})();
