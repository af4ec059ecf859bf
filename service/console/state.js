// The console's one state object and the constants of the review workflow.
// Every view reads and changes `state`; after a change it calls render()
// (redraw the page) or refresh() (reload the current view's data from the
// server). Both forward to the functions app.js installs with
// setRedraw(), so the feature modules never import the entry module. The
// category list is not here: it comes from the server (see session.js).

export const STATUSES = [
  'ITEM_STATUS_OPEN', 'ITEM_STATUS_CLAIMED', 'ITEM_STATUS_ESCALATED',
  'ITEM_STATUS_ACTIONED', 'ITEM_STATUS_DISMISSED'
];
export const PENDING =
    ['ITEM_STATUS_OPEN', 'ITEM_STATUS_CLAIMED', 'ITEM_STATUS_ESCALATED'];
export const DECISIONS = {
  a: 'DECISION_ACTIONED',
  d: 'DECISION_DISMISSED',
  e: 'DECISION_ESCALATED'
};
export const RANGES = {
  hour: 3600,
  day: 86400,
  week: 7 * 86400,
  month: 30 * 86400
};
export const PAGE_SIZE = 25;
export const POLL_MS = 4000;

// What the campaigns view shows (emptied on sign-out): the first clusters
// in the chosen order (`more`: there are others), the selected row, the
// open cluster (GetCluster: {cluster, items}) and what the last
// DecideCluster answered (with its cluster_id).
export const noCampaigns = () =>
    ({clusters: [], more: false, selected: -1, open: null, outcome: null});

export const state = {
  lang: localStorage.getItem('vigil.lang') === 'en' ? 'en' : 'vi',
  token: sessionStorage.getItem('vigil.token') || '',
  role: null,      // 'analyst' (queue, campaigns + stats) or 'viewer' (stats)
  admin: false,    // may run backtests (an admin token)
  categories: [],  // the server's, in its order (GetSummary.categories)
  // 'queue', 'campaigns', 'sample' (the quality sample), 'stats' or
  // 'backtest' (admin)
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
  campaignFilter: {
    order: 'CLUSTER_ORDER_SIZE',
    category: '',
    openOnly: true,
  },
  campaigns: noCampaigns(),
  statsRange: 'day',
  error: '',
  // {decision, reason, categories (a Set), note, problem, send} while
  // asking for a reason (and, actioning, the categories the post is
  // harmful in); see openDialog() in item.js.
  dialog: null,
  help: false,
  updatedAt: null,
  // The backtest view: its form, the run in progress (an AbortController)
  // and the last report; the item whose text is shown.
  backtest: {
    dir: '',
    since: 'any',
    running: false,
    controller: null,
    progress: null,
    report: null,
    error: '',
    detail: null
  },
};

const redraw = {
  render: () => {},
  refresh: () => {}
};

// Installs the page's render() and refresh() (app.js does, once).
export function setRedraw(functions) {
  Object.assign(redraw, functions);
}

export function render() {
  redraw.render();
}

export function refresh() {
  redraw.refresh();
}
