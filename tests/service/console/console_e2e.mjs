// End-to-end test of the analyst console: a real `vigil serve` with a
// SQLite store and a tokens file, posts sent over gRPC by
// examples/python_client.py, and Debian's chromium driven by playwright-core.
//
//   node console_e2e.mjs VIGIL_BINARY SOURCE_DIR ARTIFACT_DIR
//
// Exits 77 (CTest's skip) when chromium, playwright-core or python3-grpcio
// is missing, saying which. Screenshots go to ARTIFACT_DIR.
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [vigil, root, artifacts] = process.argv.slice(2);
if (!vigil || !root || !artifacts) {
  console.error(
      'usage: node console_e2e.mjs VIGIL_BINARY SOURCE_DIR ARTIFACT_DIR');
  process.exit(2);
}
const CHROMIUM = '/usr/bin/chromium';

function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(77);
}
if (!fs.existsSync(CHROMIUM))
  skip(
      `${CHROMIUM} is missing (apt-get install chromium; tools/setup.sh does)`);
let chromium;
try {
  ({chromium} = await import('playwright-core'));
} catch (e) {
  skip(
      'playwright-core is not installed (npm ci --prefix tests/service/console; tools/test.sh does)');
}
if (spawnSync('/usr/bin/python3', [
      '-c', 'import grpc, google.protobuf'
    ]).status !== 0) {
  skip('python3-grpcio / python3-protobuf are not installed');
}

fs.mkdirSync(artifacts, {recursive: true});
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-'));

// ---------------------------------------------------------------- server
function makeToken(role, name) {
  const r = spawnSync(
      vigil, ['token', '--role', role, '--name', name], {encoding: 'utf8'});
  assert.equal(r.status, 0, r.stderr);
  const token = r.stdout.match(/^token: (\S+)$/m)[1];
  const line = r.stdout.trim().split('\n').pop();
  return {token, line};
}
const analyst = makeToken('analyst', 'ann');
const viewer = makeToken('viewer', 'vic');
const ingest = makeToken('ingest', 'pipeline');
const admin = makeToken('admin', 'root');
const tokensFile = path.join(work, 'tokens');
fs.writeFileSync(
    tokensFile,
    [analyst.line, viewer.line, ingest.line, admin.line].join('\n') + '\n');

const server = spawn(
    vigil,
    [
      'serve', '--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0',
      '--metrics-listen', '', '--lexicons', path.join(root, 'lexicons'),
      '--store', `sqlite:${path.join(work, 'vigil.db')}`, '--tokens',
      tokensFile,
      // Every unflagged post goes to the quality sample.
      '--sample-rate', '1'
    ],
    {stdio: ['ignore', 'ignore', 'pipe']});
let serverLog = '';
server.stderr.on('data', (d) => {
  serverLog += d;
});
const ports = await new Promise((resolve, reject) => {
  const timer = setTimeout(
      () => reject(new Error('server did not start:\n' + serverLog)), 20000);
  server.stderr.on('data', () => {
    const m = serverLog.match(/event=serving .* port=(\d+) .*http_port=(\d+)/);
    if (m) {
      clearTimeout(timer);
      resolve({grpc: Number(m[1]), http: Number(m[2])});
    }
  });
  server.on(
      'exit',
      (code) => reject(new Error(`server exited ${code}:\n${serverLog}`)));
});
const base = `http://127.0.0.1:${ports.http}`;

let batch = 0;
function sendPosts(texts) {
  const r = spawnSync(
      '/usr/bin/python3',
      [
        path.join(root, 'examples/python_client.py'), '--target',
        `127.0.0.1:${ports.grpc}`, '--token', ingest.token, '--source', 'e2e',
        '--id-prefix', `b${batch++}-`, '--no-stream', ...texts
      ],
      {encoding: 'utf8'});
  assert.equal(r.status, 0, r.stderr + r.stdout);
}

async function apiCall(method, body, token) {
  const headers = {'Content-Type': 'application/json'};
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(
      `${base}/api/vigil.v1.${method}`,
      {method: 'POST', headers, body: JSON.stringify(body)});
  return {status: r.status, body: await r.json()};
}

// The answer of a call that must succeed.
async function apiOk(method, body, token) {
  const r = await apiCall(method, body, token);
  assert.equal(r.status, 200, `${method}: ${JSON.stringify(r.body)}`);
  return r.body;
}

const INSULT = '😡😡 Thằng này đúng là đồ ngu, cút đi';
sendPosts([
  INSULT, 'vcl thật sự, dm mày', 'tao sẽ giết mày',
  'hôm nay trời đẹp, đi du lịch'
]);

const browser = await chromium.launch(
    {executablePath: CHROMIUM, headless: true, args: ['--no-sandbox']});
let failed = false;
let currentPage = null;  // screenshot on failure
const steps = [];
async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    steps.push(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed = true;
    steps.push(`FAIL ${name}: ${e.stack || e}`);
    if (currentPage) {
      await currentPage
          .screenshot(
              {path: path.join(artifacts, 'failure.png'), fullPage: true})
          .catch(() => {});
      steps.push(`     page problems: ${JSON.stringify(currentPage.problems)}`);
    }
    throw e;
  }
}

async function newPage() {
  const context = await browser.newContext(
      {viewport: {width: 1400, height: 900}, locale: 'vi-VN'});
  const page = await context.newPage();
  currentPage = page;
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // Refused API calls (401/403) are expected in some steps, and so are
    // refused backtests (400: the console's admin probe sends none, and a
    // step names a missing directory); anything else (a script error, a
    // CSP violation) is a failure.
    const refusedBacktest = /status of 400/.test(m.text()) &&
        /AdminService\/Backtest$/.test(m.location()?.url || '');
    if (m.type() === 'error' && !/status of 40[13]/.test(m.text()) &&
        !refusedBacktest)
      page.problems.push(`console: ${m.text()}`);
  });
  return page;
}

// Presses `key` (a, d, e or o), types `reason` in the dialog it opens and
// sends it with Enter; waits until the item has `status`.
async function reasonByKeyboard(page, key, reason, status) {
  await page.keyboard.press(key);
  await page.waitForSelector('#decide-dialog');
  await page.keyboard.type(reason);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`#item[data-status="${status}"]`);
}

function queueLength(page, n) {
  return page.waitForFunction(
      (n) => document.querySelectorAll('.queue-row').length === n, n);
}

async function shot(page, name) {
  await page.screenshot(
      {path: path.join(artifacts, `${name}.png`), fullPage: true});
}

try {
  await step('no token gets nothing from the API', async () => {
    for (const method
             of ['ReviewService/ListQueue', 'ReviewService/GetItem',
                 'StatsService/GetSummary', 'StatsService/GetTimeSeries']) {
      const r = await apiCall(method, {}, '');
      assert.equal(r.status, 401, `${method}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, 'UNAUTHENTICATED');
      assert.equal(r.body.items, undefined);
    }
    const forged =
        await apiCall('ReviewService/ListQueue', {}, 'vgl_not_a_token');
    assert.equal(forged.status, 401);
  });

  await step(
      'no token: the console asks for one and shows no data', async () => {
        const page = await newPage();
        await page.goto(base + '/');
        await page.waitForSelector('form.signin');
        assert.equal(await page.locator('.queue-row').count(), 0);
        await page.fill('#token', 'vgl_wrong');
        await page.click('#signin');
        await page.waitForSelector('.signin .error');
        assert.match(
            await page.textContent('.signin .error'),
            /Token không hợp lệ/);
        await shot(page, '01-signin-refused');
        assert.deepEqual(page.problems, []);
        await page.context().close();
      });

  await step('viewer: reads statistics, cannot claim or decide', async () => {
    const page = await newPage();
    await page.goto(base + '/');
    await page.fill('#token', viewer.token);
    await page.click('#signin');
    await page.waitForSelector('#card-flagged');
    await page.waitForFunction(
        () =>
            document.querySelector('#card-flagged .card-value')?.textContent ===
            '3');
    assert.equal(
        await page.locator('#time-chart rect[data-category]').count() > 0,
        true);
    await page.click('#tab-queue');
    await page.waitForSelector('#viewer-only');
    assert.equal(await page.locator('.queue-row').count(), 0);
    await shot(page, '02-viewer');
    // The same calls the console would make, with the viewer's token.
    const list = await apiCall('ReviewService/ListQueue', {}, viewer.token);
    assert.equal(list.status, 403);
    const claim =
        await apiCall('ReviewService/Claim', {item_id: 1}, viewer.token);
    assert.equal(claim.status, 403);
    assert.equal(claim.body.code, 'PERMISSION_DENIED');
    const decide = await apiCall(
        'ReviewService/Decide', {item_id: 1, decision: 'DECISION_ACTIONED'},
        viewer.token);
    assert.equal(decide.status, 403);
    // Keyboard shortcuts do nothing for a viewer either.
    await page.keyboard.press('c');
    const item =
        await apiCall('ReviewService/GetItem', {item_id: 1}, analyst.token);
    assert.equal(item.body.status, 'ITEM_STATUS_OPEN');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  await step(
      'analyst: queue, highlighted spans, claim and decide by keyboard',
      async () => {
        const page = await newPage();
        // The first, token-less probe answers late (as on a loaded server): the
        // sign-in made meanwhile must stand.
        await page.route(
            '**/api/vigil.v1.ReviewService/ListQueue', async (route) => {
              if (!route.request().headers()['authorization']) {
                await new Promise((r) => setTimeout(r, 1500));
              }
              await route.continue();
            });
        const lateProbe = page.waitForResponse(
            (r) => r.url().endsWith('/ListQueue') && r.status() === 401);
        await page.goto(base + '/');
        await page.fill('#token', analyst.token);
        await page.press('#token', 'Enter');
        await page.waitForSelector('.queue-row');
        await lateProbe;
        await page.waitForTimeout(200);
        assert.equal(
            await page.locator('form.signin').count(), 0,
            'a late answer to the first probe signed the analyst out');
        assert.equal(
            await page.locator('.queue-row').count(), 3,
            'three flagged posts; the harmless one is in the sample');
        assert.equal(
            await page.evaluate(() => sessionStorage.getItem('vigil.token')) !==
                null,
            true);
        assert.equal(
            await page.evaluate(() => localStorage.getItem('vigil.token')),
            null);

        // The category filter lists the server's categories (GetSummary
        // names them, in vigil's order), labelled in the page's language.
        const summary =
            await apiCall('StatsService/GetSummary', {}, analyst.token);
        assert.deepEqual(summary.body.categories, [
          'profanity', 'insult', 'hate', 'threat', 'sexual', 'self_harm',
          'scam', 'spam'
        ]);
        await page.waitForFunction(
            (n) => document.querySelectorAll('#f-category option').length === n,
            summary.body.categories.length + 1);
        const options = await page.$$eval(
            '#f-category option',
            (os) => os.map((o) => [o.value, o.textContent]));
        assert.deepEqual(
            options.map(([value]) => value), ['', ...summary.body.categories]);
        assert.deepEqual(options[2], ['insult', 'xúc phạm']);
        // Filtering by one of them asks the server for its items only and
        // shows them; then all again.
        const listed = (categories) => page.waitForResponse(
            (r) => r.url().endsWith('/ListQueue') &&
                JSON.stringify(
                    JSON.parse(r.request().postData()).filter?.categories) ===
                    JSON.stringify(categories));
        let answer = listed(['insult']);
        await page.selectOption('#f-category', 'insult');
        await answer;
        await page.waitForFunction(() => {
          const rows = [...document.querySelectorAll('.queue-row')];
          return rows.length > 0 &&
              rows.every((r) => r.querySelector('.chip.cat-insult'));
        });
        answer = listed(undefined);
        await page.selectOption('#f-category', '');
        await answer;
        await queueLength(page, 3);
        await page.evaluate(() => document.activeElement.blur());

        // j until the insult post is open.
        for (let i = 0; i < 3; i++) {
          await page.keyboard.press('j');
          await page.waitForSelector('#post-text');
          await page.waitForFunction(
              () => document.querySelectorAll('#history li').length > 0);
          if ((await page.textContent('#post-text')) === INSULT) break;
        }
        assert.equal(await page.textContent('#post-text'), INSULT);
        const marks = await page.$$eval(
            '#post-text mark', (ms) => ms.map((m) => ({
                                                text: m.textContent,
                                                category: m.dataset.category,
                                                title: m.title,
                                                before: (() => {
                                                  const r =
                                                      document.createRange();
                                                  r.setStart(m.parentNode, 0);
                                                  r.setEndBefore(m);
                                                  return r.toString();
                                                })(),
                                              })));
        // The curated hits, in order. A light learned n-gram ("Thằng này",
        // weight about 0.5) is marked or not by its fitted weight: allowed,
        // not required.
        const texts = marks.map((m) => m.text);
        assert.ok(
            texts.every((t) => ['Thằng này', 'đồ ngu', 'cút đi'].includes(t)),
            JSON.stringify(texts));
        const curated =
            marks.filter((m) => m.text === 'đồ ngu' || m.text === 'cút đi');
        assert.deepEqual(curated.map((m) => m.text), ['đồ ngu', 'cút đi']);
        assert.equal(
            curated[0].before, '😡😡 Thằng này đúng là ',
            'spans start after the two emoji (astral code points)');
        assert.ok(marks.every((m) => m.category === 'insult'));
        assert.match(curated[0].title, /Từ khóa: (đồ ngu|ngu)/);
        assert.match(curated[0].title, /Trọng số: \d/);
        assert.match(
            await page.textContent('#hit-list'), /khớp trực tiếp/);
        // Hovering a span lights its hits in the side panel.
        await page.hover(`#post-text mark >> nth=${marks.indexOf(curated[0])}`);
        const lit = await page.$$eval(
            '#hit-list li.lit q', (qs) => qs.map((q) => q.textContent));
        assert.ok(
            lit.length >= 1 && lit.every((q) => q === 'đồ ngu' || q === 'ngu'),
            JSON.stringify(lit));
        await shot(page, '03-item');

        await page.keyboard.press('c');
        await page.waitForSelector('#item[data-status="ITEM_STATUS_CLAIMED"]');
        assert.match(await page.textContent('#claimed-by'), /^ann /);
        await reasonByKeyboard(
            page, 'a', 'xúc phạm cá nhân', 'ITEM_STATUS_ACTIONED');
        await page.waitForFunction(
            () => /xúc phạm cá nhân/.test(
                document.querySelector('#history').textContent));
        // The default queue shows what is left to review.
        await queueLength(page, 2);
        const stored = await apiCall(
            'ReviewService/GetItem',
            {item_id: Number(await page.getAttribute('#item', 'data-item-id'))},
            analyst.token);
        assert.equal(stored.body.decision, 'DECISION_ACTIONED');
        assert.equal(stored.body.decided_by, 'ann');
        assert.equal(stored.body.decision_reason, 'xúc phạm cá nhân');
        await shot(page, '04-decided');
        // o reopens it (with a reason); a then needs a claim again.
        await reasonByKeyboard(page, 'o', 'xem lại', 'ITEM_STATUS_OPEN');
        await queueLength(page, 3);
        await page.keyboard.press('c');
        await page.waitForSelector('#item[data-status="ITEM_STATUS_CLAIMED"]');
        await reasonByKeyboard(
            page, 'a', 'xúc phạm cá nhân', 'ITEM_STATUS_ACTIONED');
        await queueLength(page, 2);

        // Teencode hit: the side panel names the step and the severity.
        await page.keyboard.press('j');
        await page.keyboard.press('k');
        await page.waitForSelector('#post-text');
        for (let i = 0;
             i < 2 && !(await page.textContent('#post-text')).startsWith('vcl');
             i++) {
          await page.keyboard.press('j');
          await page.waitForFunction(
              () => document.querySelectorAll('#history li').length > 0);
        }
        // "vcl" is a mild intensifier: scored, not listed; the insult is,
        // with its severity.
        const hitList = await page.textContent('#hit-list');
        assert.match(hitList, /teencode: dm mày/);
        assert.match(hitList, /Mức độ: vừa/);
        assert.doesNotMatch(hitList, /vãi cả lồn/);

        // A new post appears without reloading.
        sendPosts(['Mua ngay kẻo lỡ, lãi 30% mỗi ngày, chuyển khoản trước']);
        await page.waitForFunction(
            () => document.querySelectorAll('.queue-row').length === 3, null,
            {timeout: 15000});
        assert.equal(await page.locator('.queue-row.fresh').count(), 1);
        await shot(page, '05-new-item');

        // Help, and English.
        await page.keyboard.press('?');
        await page.waitForSelector('#help');
        await page.keyboard.press('Escape');
        await page.click('button.lang');
        assert.equal(await page.textContent('#tab-queue'), 'Queue');

        // The statistics changed: four flagged posts, one actioned decision.
        await page.keyboard.press('s');
        await page.waitForFunction(
            () => document.querySelector('#card-flagged .card-value')
                      ?.textContent === '4');
        await page.waitForSelector('#outcome-chart rect.outcome-actioned');
        await page.waitForSelector('#precision-table');
        assert.match(await page.textContent('#precision-table'), /100%/);
        assert.ok(await page.locator('#term-chart rect').count() > 0);
        await shot(page, '06-stats');
        assert.deepEqual(page.problems, []);

        // Pages of 25: 30 more flagged posts make two pages (33 open items);
        // n and p page through them without losing or repeating an item.
        sendPosts(
            Array.from({length: 30}, (_, i) => `đồ ngu số ${i + 1}, cút đi`));
        await page.keyboard.press('s');
        await page.waitForSelector('#queue-list');
        await page.keyboard.press('r');
        await queueLength(page, 25);
        const ids = async () => page.$$eval(
            '.queue-row', (rows) => rows.map((r) => r.dataset.itemId));
        const first = await ids();
        assert.equal(await page.isDisabled('#next'), false);
        await page.keyboard.press('n');
        await queueLength(page, 8);
        const second = await ids();
        assert.equal(await page.isDisabled('#next'), true);
        assert.equal(new Set([...first, ...second]).size, 33);
        await shot(page, '07-page-2');
        await page.keyboard.press('p');
        await queueLength(page, 25);
        assert.deepEqual(await ids(), first);
        assert.deepEqual(page.problems, []);

        // Signing out forgets the token.
        await page.click('#signout');
        await page.waitForSelector('form.signin');
        assert.equal(
            await page.evaluate(() => sessionStorage.getItem('vigil.token')),
            null);
        await page.context().close();
      });
  await step('analyst: labels the quality sample', async () => {
    const page = await newPage();
    await page.goto(base + '/');
    await page.fill('#token', analyst.token);
    await page.press('#token', 'Enter');
    await page.waitForSelector('#tab-sample');
    await page.click('#tab-sample');
    await page.waitForSelector('#sample-note');
    // The harmless post, sampled (rate 1), and nothing flagged.
    await queueLength(page, 1);
    assert.match(await page.textContent('.queue-row'), /du lịch/);
    await page.keyboard.press('j');
    await page.waitForSelector('#sample-chip');
    await page.keyboard.press('c');
    await page.waitForSelector('#item[data-status="ITEM_STATUS_CLAIMED"]');
    // Labeled harmful, it needs a category: the dialog says so and stays.
    await page.keyboard.press('a');
    await page.waitForSelector('#decide-categories');
    assert.equal(
        await page.locator('#decide-categories input:checked').count(), 0);
    await page.keyboard.type('quảng cáo trá hình');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#dialog-problem');
    await page.check('#decide-cat-spam');
    await page.focus('#reason');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#item[data-status="ITEM_STATUS_ACTIONED"]');
    await page.waitForSelector('#decided-categories');
    const stored = await apiCall(
        'ReviewService/GetItem',
        {item_id: Number(await page.getAttribute('#item', 'data-item-id'))},
        analyst.token);
    assert.equal(stored.body.queue, 'QUEUE_SAMPLE');
    assert.deepEqual(stored.body.decided_categories, ['spam']);
    assert.equal(stored.body.decision_reason, 'quảng cáo trá hình');
    // The statistics: the one labeled sampled post is spam.
    await page.click('#tab-stats');
    await page.waitForSelector('#sample-table');
    assert.match(
        await page.textContent(
            '#sample-table tr[data-category="spam"] .prevalence'),
        /^100\.0%/);
    assert.match(await page.textContent('#sample-counts'), /1$/);
    await shot(page, '08-sample');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
  await step('admin: backtests a candidate lexicon', async () => {
    // The candidate: the shipped lexicons and one spam term that the
    // post labeled spam in the sample step has.
    const candidate = path.join(work, 'candidate');
    fs.cpSync(path.join(root, 'lexicons'), candidate, {recursive: true});
    fs.appendFileSync(
        path.join(candidate, 'spam.tsv'),
        'đi du lịch\t3\tnofold\tmoderate\te2e: a candidate term\n');
    const denied = await apiCall(
        'AdminService/Backtest', {directory: candidate}, analyst.token);
    assert.equal(denied.status, 403);
    const page = await newPage();
    await page.goto(base + '/');
    await page.fill('#token', admin.token);
    await page.press('#token', 'Enter');
    await page.waitForSelector('#tab-backtest');
    await page.click('#tab-backtest');
    await page.fill('#backtest-dir', candidate);
    await page.click('#backtest-run');
    await page.waitForSelector('#backtest-report');
    assert.equal(
        await page.textContent(
            '#backtest-items tr[data-row="newlyFlagged"] .count'),
        '1');
    const spam = '#backtest-categories tr[data-category="spam"]';
    assert.match(await page.textContent(`${spam} .gained`), /^\+1/);
    // The sampled post labeled spam: missed before, caught after.
    assert.match(
        await page.textContent(`${spam} .recall`),
        /^0\.0%.*· 0\/1 → 100\.0%.*· 1\/1$/);
    await page.waitForSelector('#backtest-terms tr[data-term="đi du lịch"]');
    await page.click(`${spam} .gained .item-id`);
    await page.waitForSelector('#backtest-item');
    assert.match(await page.textContent('#backtest-item'), /du lịch/);
    await shot(page, '09-backtest');
    // A directory that is not there: the server's reason is shown.
    await page.fill('#backtest-dir', path.join(work, 'nowhere'));
    await page.click('#backtest-run');
    await page.waitForSelector('#backtest-error');
    assert.match(await page.textContent('#backtest-error'), /manifest\.tsv/);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
  await step(
      'campaigns: groups near-duplicates and decides them together',
      async () => {
        // One job scam six times, each with another amount, phone number or
        // link, two of them without diacritics; and a flagged post of
        // another kind.
        const CAMPAIGN = [
          'Việc nhẹ lương cao, nhận 500k mỗi ngày, liên hệ Zalo 0912345678',
          'Viec nhe luong cao, nhan 700k moi ngay, lien he Zalo 0987654321',
          'Việc nhẹ lương cao, nhận 800k mỗi ngày, liên hệ Zalo 0901111222',
          'Việc nhẹ lương cao, nhận 300k mỗi ngày, liên hệ qua bit.ly/viecnhe',
          'Việc nhẹ lương cao, nhận 1 triệu mỗi ngày, liên hệ Zalo 0934567890',
          'Viec nhe luong cao, nhan 900k moi ngay, lien he Zalo 0977888999',
        ];
        const OTHER = 'tao sẽ đánh chết mày nếu mày còn nói nữa';
        sendPosts([...CAMPAIGN, OTHER]);
        const listed = await apiOk(
            'ReviewService/ListQueue',
            {order: 'QUEUE_ORDER_TIME', page_size: 100}, analyst.token);
        const byText = new Map(listed.items.map((i) => [i.post.text, i]));
        const posts = CAMPAIGN.map((text) => byText.get(text));
        assert.ok(posts.every(Boolean), 'every campaign post is flagged');
        const clusterId = posts[0].cluster_id;
        assert.notEqual(clusterId, '0');
        assert.deepEqual(
            posts.map((p) => p.cluster_id), CAMPAIGN.map(() => clusterId));
        assert.equal(byText.get(OTHER)?.cluster_id, '0');
        // Another reviewer holds one post; one is escalated on its own.
        const [held, escalated] = [posts[1], posts[2]];
        await apiOk(
            'ReviewService/Claim', {item_id: held.item_id}, admin.token);
        await apiOk(
            'ReviewService/Claim', {item_id: escalated.item_id}, analyst.token);
        await apiOk(
            'ReviewService/Decide', {
              item_id: escalated.item_id,
              decision: 'DECISION_ESCALATED',
              reason: 'hỏi trưởng nhóm'
            },
            analyst.token);

        const page = await newPage();
        await page.goto(base + '/');
        await page.fill('#token', analyst.token);
        await page.press('#token', 'Enter');
        await page.waitForSelector('#tab-campaigns');
        assert.equal(await page.textContent('#tab-campaigns'), 'Chiến dịch');
        await page.click('#tab-campaigns');
        await page.waitForSelector('#cluster-list');
        // Most recent first: this campaign, then the thirty near-identical
        // insults of the analyst step.
        const ordered = page.waitForResponse(
            (r) => r.url().endsWith('/ListClusters') &&
                JSON.parse(r.request().postData()).order ===
                    'CLUSTER_ORDER_RECENT');
        await page.selectOption('#c-order', 'CLUSTER_ORDER_RECENT');
        const request = JSON.parse((await ordered).request().postData());
        const row = `#cluster-row-${clusterId}`;
        await page.waitForFunction(
            (id) =>
                document.querySelector('.cluster-row')?.dataset.clusterId ===
                id,
            clusterId);
        const rowIds = await page.$$eval(
            '.cluster-row', (rows) => rows.map((r) => r.dataset.clusterId));
        assert.ok(rowIds.length >= 2, JSON.stringify(rowIds));
        assert.match(await page.textContent(`${row} .size`), /^6 bài$/);
        assert.match(
            await page.textContent(`${row} .open-count`),
            /^4 bài đang mở$/);
        assert.equal(await page.locator(`${row} .chip.cat-scam`).count(), 1);
        const perHour = await page.$$eval(
            `${row} .sparkline rect`,
            (rects) => rects.map((r) => Number(r.dataset.count)));
        assert.equal(perHour.length, 24);
        assert.equal(perHour.reduce((a, b) => a + b), 6);
        // The samples with what varies marked: the server's spans count
        // UTF-8 bytes, the page shows exactly those bytes.
        const answer =
            await apiOk('ReviewService/ListClusters', request, analyst.token);
        const cluster = answer.clusters.find((c) => c.cluster_id === clusterId);
        const shown = await page.$$eval(
            `${row} .samples li`,
            (lis) =>
                lis.map((li) => ({
                          item_id: li.dataset.itemId,
                          text: li.textContent,
                          marks: [...li.querySelectorAll('mark.varying')].map(
                              (m) => m.textContent)
                        })));
        assert.deepEqual(
            shown,
            cluster.samples.map(
                (s) => ({
                  item_id: s.item_id,
                  text: s.text,
                  marks: (s.varying || [])
                             .map(
                                 (v) => Buffer.from(s.text)
                                            .subarray(v.begin, v.end)
                                            .toString())
                })));
        const marks = shown.flatMap((s) => s.marks);
        assert.ok(
            marks.some((m) => /^(\d+k|0\d{9}|bit\.ly\/viecnhe)$/.test(m)),
            JSON.stringify(marks));

        // j and k open the campaigns in turn, Enter the focused one.
        await page.evaluate(() => document.activeElement.blur());
        const opened = (id) =>
            page.waitForSelector(`#cluster[data-cluster-id="${
                id}"] #cluster-items tr[data-item-id]`);
        await page.keyboard.press('j');
        await opened(rowIds[0]);
        await page.keyboard.press('j');
        await opened(rowIds[1]);
        await page.keyboard.press('k');
        await opened(clusterId);
        await page.focus(`#cluster-row-${rowIds[1]}`);
        await page.keyboard.press('Enter');
        await opened(rowIds[1]);
        await page.focus(row);
        await page.keyboard.press('Enter');
        await opened(clusterId);
        const items = await page.$$eval(
            '#cluster-items tr[data-item-id]',
            (trs) => trs.map((tr) => [tr.dataset.itemId, tr.dataset.status]));
        assert.deepEqual(
            new Map(items),
            new Map(posts.map(
                (p) =>
                    [p.item_id,
                     p === held          ? 'ITEM_STATUS_CLAIMED' :
                         p === escalated ? 'ITEM_STATUS_ESCALATED' :
                                           'ITEM_STATUS_OPEN'])));
        assert.ok(
            await page.locator('#cluster-samples mark.varying').count() > 0);

        // The category filter asks the server for scam campaigns only.
        const scamOnly = page.waitForResponse(
            (r) => r.url().endsWith('/ListClusters') &&
                JSON.stringify(
                    JSON.parse(r.request().postData()).filter?.categories) ===
                    '["scam"]');
        await page.selectOption('#c-category', 'scam');
        await scamOnly;
        await page.waitForFunction(
            () => [...document.querySelectorAll('.cluster-row')].every(
                (r) => r.querySelector('.chip.cat-scam')));
        assert.equal(await page.locator(row).count(), 1);

        // a: the reason dialog, with the campaign's categories checked;
        // Enter sends one decision for every open post.
        await page.evaluate(() => document.activeElement.blur());
        await page.keyboard.press('a');
        await page.waitForSelector('#decide-dialog');
        assert.match(
            await page.textContent('#dialog-note'),
            new RegExp(`#${clusterId}:`));
        assert.equal(await page.isChecked('#decide-cat-scam'), true);
        const reason = 'cùng một chiến dịch lừa đảo việc làm';
        await page.keyboard.type(reason);
        await page.keyboard.press('Enter');
        await page.waitForSelector('#cluster-outcome');
        assert.match(
            await page.textContent('#outcome-decided'),
            /^4 bài đã được quyết định$/);
        assert.equal(
            await page.textContent('#outcome-skipped'),
            `1 bài bị bỏ qua vì người khác đang xử lý: #${
                held.item_id} (root)`);
        assert.match(await page.textContent('#outcome-not-open'), /^1 bài/);
        await page.waitForFunction(
            () =>
                document
                    .querySelectorAll(
                        '#cluster-items tr[data-status="ITEM_STATUS_ACTIONED"]')
                    .length === 4);

        // The store agrees: four actioned, each decided event naming the
        // campaign; the held and the escalated post as they were.
        const stored = await apiOk(
            'ReviewService/GetCluster', {cluster_id: clusterId}, analyst.token);
        assert.equal(stored.cluster.size, '6');
        assert.equal(stored.cluster.open_count, '0');
        const after = new Map(stored.items.map((i) => [i.item_id, i]));
        for (const p of posts) {
          const item = after.get(p.item_id);
          if (p === held) {
            assert.equal(item.status, 'ITEM_STATUS_CLAIMED');
            assert.equal(item.claimed_by, 'root');
            continue;
          }
          const history = await apiOk(
              'ReviewService/GetHistory', {item_id: p.item_id}, analyst.token);
          const decided =
              history.events.filter((e) => e.kind === 'EVENT_KIND_DECIDED');
          if (p === escalated) {
            assert.equal(item.status, 'ITEM_STATUS_ESCALATED');
            assert.deepEqual(decided.map((e) => e.cluster_id), ['0']);
            continue;
          }
          assert.equal(item.status, 'ITEM_STATUS_ACTIONED');
          assert.equal(item.decided_by, 'ann');
          assert.equal(item.decision_reason, reason);
          assert.ok(item.decided_categories.includes('scam'));
          assert.deepEqual(
              decided.map((e) => [e.cluster_id, e.actor, e.text]),
              [[clusterId, 'ann', reason]]);
        }
        const other = await apiOk(
            'ReviewService/GetItem', {item_id: byText.get(OTHER).item_id},
            analyst.token);
        assert.equal(other.status, 'ITEM_STATUS_OPEN');

        // Nothing open is left: the campaign leaves the open-only list and
        // comes back without it.
        await page.waitForSelector(row, {state: 'detached'});
        await page.uncheck('#c-open-only');
        await page.waitForSelector(row);
        assert.match(
            await page.textContent(`${row} .open-count`),
            /^0 bài đang mở$/);
        await shot(page, '10-campaigns');
        assert.deepEqual(page.problems, []);
        await page.context().close();
      });
} catch (e) {
  failed = true;
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
  fs.rmSync(work, {recursive: true, force: true});
}
console.log(steps.join('\n'));
console.log(`screenshots: ${artifacts}`);
if (failed) {
  console.log('server log:\n' + serverLog);
  process.exit(1);
}
