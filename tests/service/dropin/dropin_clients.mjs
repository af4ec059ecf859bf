// vigil's drop-in APIs (service/http/dropin_api.h) driven by the real npm
// clients an integration already uses: `openai` against POST
// /v1/moderations and `googleapis`' commentanalyzer (Perspective) against
// POST /v1alpha1/comments:analyze, on a real `vigil serve` with a SQLite
// store and a tokens file. Only the base URL (and the key) changes.
//
//   node dropin_clients.mjs VIGIL_BINARY SOURCE_DIR
//
// Exits 77 (CTest's skip) when the clients are not installed (npm ci
// --prefix tests/service/dropin; tools/test.sh does), saying so, unless
// VIGIL_REQUIRE_SHARED=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [vigil, root] = process.argv.slice(2);
if (!vigil || !root) {
  console.error('usage: node dropin_clients.mjs VIGIL_BINARY SOURCE_DIR');
  process.exit(2);
}

function skip(why) {
  if (process.env.VIGIL_REQUIRE_SHARED === '1') {
    console.error(`FAIL: ${why} (VIGIL_REQUIRE_SHARED=1: required)`);
    process.exit(1);
  }
  console.log(`SKIP: ${why}`);
  process.exit(77);
}
let OpenAI, google;
try {
  ({default: OpenAI} = await import('openai'));
  ({google} = await import('googleapis'));
} catch (e) {
  skip(
      'openai / googleapis are not installed (npm ci --prefix tests/service/dropin; tools/test.sh does)');
}
if (typeof google.commentanalyzer !== 'function') {
  // googleapis dropped the generated commentanalyzer client after 50.0.0.
  console.error(
      'FAIL: this googleapis has no commentanalyzer (the lock pins 50.0.0)');
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-dropin-'));

// ---------------------------------------------------------------- server
// One token a role (`vigil token`): the secret and its tokens file line.
function newToken(role) {
  const r = spawnSync(
      vigil, ['token', '--role', role, '--name', `dropin-${role}`],
      {encoding: 'utf8'});
  if (r.status !== 0) throw new Error(`vigil token: ${r.stderr}`);
  return {
    secret: r.stdout.match(/^token: (\S+)$/m)[1],
    fileLine: r.stdout.trim().split('\n').pop()
  };
}
// `stranger` is a well-formed vigil token that the tokens file lacks.
const [ingest, viewer, analyst, stranger] =
    ['ingest', 'viewer', 'analyst', 'ingest'].map(newToken);
const tokensFile = path.join(work, 'tokens');
fs.writeFileSync(
    tokensFile,
    [ingest, viewer, analyst].map((t) => t.fileLine).join('\n') + '\n');

const server = spawn(
    vigil,
    [
      'serve', '--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0',
      '--metrics-listen', '', '--lexicons', path.join(root, 'lexicons'),
      '--store', `sqlite:${path.join(work, 'vigil.db')}`, '--tokens', tokensFile
    ],
    {stdio: ['ignore', 'ignore', 'pipe']});
// Never left running, whatever ends this script.
process.on('exit', () => server.kill('SIGKILL'));
let serverLog = '';
server.stderr.on('data', (d) => {
  serverLog += d;
});
let httpPort;
try {
  httpPort = await new Promise((resolve, reject) => {
    const timer = setTimeout(
        () => reject(new Error('server did not start:\n' + serverLog)), 20000);
    server.stderr.on('data', () => {
      const m = serverLog.match(/event=serving .* http_port=(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    server.on(
        'exit',
        (code) => reject(new Error(`server exited ${code}:\n${serverLog}`)));
  });
} catch (e) {
  console.error(`FAIL: ${e.message}`);
  server.kill('SIGKILL');
  process.exit(1);
}
const base = `http://127.0.0.1:${httpPort}`;

// ---------------------------------------------------------------- clients
// What an OpenAI integration changes: apiKey and baseURL.
function openai(apiKey) {
  return new OpenAI({apiKey, baseURL: `${base}/v1`, maxRetries: 0});
}
// What a Perspective integration changes: the key and the root URL.
// googleapis 50.0.0 (the last release with commentanalyzer) builds the URL
// from a per-call rootUrl; its googleapis-common 4 mangles a service-level
// one whose length differs from Google's, so it goes with each call.
function perspective(key) {
  const client = google.commentanalyzer({version: 'v1alpha1', auth: key});
  return (requestBody) =>
             client.comments.analyze({requestBody}, {rootUrl: `${base}/`});
}

// The HTTP JSON API, to see what was stored.
async function queuedPosts() {
  const r = await fetch(`${base}/api/vigil.v1.ReviewService/ListQueue`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${analyst.secret}`
    },
    body: JSON.stringify({page_size: 100})
  });
  const body = await r.json();
  assert.equal(r.status, 200, JSON.stringify(body));
  return body.items.map(
      (i) => ({id: i.post.id, source: i.post.source, text: i.post.text}));
}

// The call must fail; returns the error.
async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('the call succeeded; an error was expected');
}

// Code points [begin_char, end_char) of `text`.
const chars = (text, b, e) => Array.from(text).slice(b, e).join('');

const OPENAI_CATEGORIES = [
  'harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'illicit',
  'illicit/violent', 'self-harm', 'self-harm/intent', 'self-harm/instructions',
  'sexual', 'sexual/minors', 'violence', 'violence/graphic'
];
const NOT_JUDGED = [
  'illicit/violent', 'self-harm/instructions', 'sexual/minors',
  'violence/graphic'
];
const ATTRIBUTES = [
  'TOXICITY', 'SEVERE_TOXICITY', 'IDENTITY_ATTACK', 'INSULT', 'PROFANITY',
  'THREAT', 'SEXUALLY_EXPLICIT', 'SPAM'
];

const INSULT = 'Thằng ngu vcl';    // insult (moderate) + profanity
const THREAT = 'tao sẽ giết mày';  // threat (severe)
const CLEAN = 'hôm nay trời đẹp, đi du lịch';
// An emoji (a UTF-16 surrogate pair) and decomposed diacritics (NFD: more
// UTF-16 units than composed letters) before the insults.
const SPANNED = ('😡😡 Thằng này đúng là đồ ngu').normalize('NFD') +
    ' 👍🏽 đm mày, thằng chó';

// One moderation result in OpenAI's shape.
function assertModerationShape(result) {
  assert.deepEqual(
      Object.keys(result.categories).sort(), [...OPENAI_CATEGORIES].sort());
  assert.deepEqual(
      Object.keys(result.category_scores).sort(),
      [...OPENAI_CATEGORIES].sort());
  for (const c of OPENAI_CATEGORIES) {
    assert.equal(typeof result.categories[c], 'boolean', c);
    const score = result.category_scores[c];
    assert.ok(
        typeof score === 'number' && score >= 0 && score <= 1,
        `${c}: ${score}`);
    if (NOT_JUDGED.includes(c)) {
      assert.equal(result.categories[c], false, c);
      assert.equal(score, 0, c);
      assert.deepEqual(result.category_applied_input_types[c], [], c);
    } else {
      assert.deepEqual(result.category_applied_input_types[c], ['text'], c);
    }
  }
  assert.equal(typeof result.vigil, 'object');
  assert.equal(result.flagged, result.vigil.flagged);
}

// ------------------------------------------------------------------ steps
let passed = 0, failed = 0;
async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n${e.stack || e}`);
  }
}

const client = openai(ingest.secret);

await step('openai: a flagged insult', async () => {
  const r = await client.moderations.create(
      {model: 'omni-moderation-latest', input: INSULT});
  assert.match(r.id, /^modr-[0-9a-f]+$/);
  assert.equal(r.model, 'omni-moderation-latest');
  assert.equal(r.results.length, 1);
  const [m] = r.results;
  assertModerationShape(m);
  assert.equal(m.flagged, true);
  assert.equal(m.categories.harassment, true);
  assert.ok(
      m.category_scores.harassment > 0.5, `${m.category_scores.harassment}`);
  assert.equal(m.categories['harassment/threatening'], false);
  assert.equal(m.categories.violence, false);
  assert.equal(m.categories.hate, false);
  // vigil's verdict rides along, with spans that cut the insult.
  assert.ok(m.vigil.flagged_categories.includes('insult'));
  const insults = m.vigil.hits.filter((h) => h.category === 'insult');
  assert.ok(insults.length > 0, JSON.stringify(m.vigil.hits));
  assert.ok(
      insults.some(
          (h) => chars(INSULT, h.begin_char, h.end_char) === 'Thằng ngu'),
      JSON.stringify(insults));
  for (const h of m.vigil.hits) {
    assert.equal(
        Buffer.from(INSULT).subarray(h.begin, h.end).toString(),
        chars(INSULT, h.begin_char, h.end_char));
  }
});

await step('openai: the model is echoed', async () => {
  const r = await client.moderations.create(
      {model: 'text-moderation-stable', input: CLEAN});
  assert.equal(r.model, 'text-moderation-stable');
});

await step('openai: a clean post', async () => {
  const r = await client.moderations.create(
      {model: 'omni-moderation-latest', input: CLEAN});
  assert.equal(r.results.length, 1);
  const [m] = r.results;
  assertModerationShape(m);
  assert.equal(m.flagged, false);
  for (const c of OPENAI_CATEGORIES) assert.equal(m.categories[c], false, c);
  assert.ok(m.category_scores.harassment < 0.5);
  assert.deepEqual(m.vigil.hits, []);
});

await step('openai: an array of strings, results in order', async () => {
  const r = await client.moderations.create(
      {model: 'omni-moderation-latest', input: [INSULT, CLEAN, THREAT]});
  assert.equal(r.results.length, 3);
  r.results.forEach(assertModerationShape);
  assert.deepEqual(r.results.map((m) => m.flagged), [true, false, true]);
  assert.equal(r.results[0].categories.harassment, true);
  const threat = r.results[2];
  assert.equal(threat.categories['harassment/threatening'], true);
  assert.equal(threat.categories.violence, true);
  assert.equal(threat.categories['hate/threatening'], false);  // no hate
  assert.ok(threat.vigil.flagged_categories.includes('threat'));
});

await step('openai: text parts', async () => {
  const r = await client.moderations.create(
      {model: 'omni-moderation-latest', input: [{type: 'text', text: INSULT}]});
  assert.equal(r.results.length, 1);
  assertModerationShape(r.results[0]);
  assert.equal(r.results[0].flagged, true);
  assert.equal(r.results[0].categories.harassment, true);
});

await step('openai: an image_url part is refused (400)', async () => {
  const e = await rejects(client.moderations.create({
    model: 'omni-moderation-latest',
    input: [
      {type: 'text', text: CLEAN},
      {type: 'image_url', image_url: {url: 'https://example.com/a.png'}}
    ]
  }));
  assert.ok(
      e instanceof OpenAI.BadRequestError,
      `${e.constructor.name}: ${e.message}`);
  assert.equal(e.status, 400);
  assert.equal(e.code, 'unsupported_input_type');
  assert.equal(e.param, 'input');
  assert.equal(e.type, 'invalid_request_error');
});

await step('openai: a viewer token is refused (403)', async () => {
  const e = await rejects(openai(viewer.secret).moderations.create({
    model: 'omni-moderation-latest',
    input: INSULT
  }));
  assert.ok(
      e instanceof OpenAI.PermissionDeniedError,
      `${e.constructor.name}: ${e.message}`);
  assert.equal(e.status, 403);
});

await step('openai: an unknown token is refused (401)', async () => {
  for (const key of [stranger.secret, 'sk-not-a-vigil-token']) {
    const e = await rejects(openai(key).moderations.create(
        {model: 'omni-moderation-latest', input: INSULT}));
    assert.ok(
        e instanceof OpenAI.AuthenticationError,
        `${e.constructor.name}: ${e.message}`);
    assert.equal(e.status, 401);
    assert.equal(e.code, 'invalid_api_key');
  }
});

const analyze = perspective(ingest.secret);

await step('perspective: a flagged comment, every attribute', async () => {
  const r = await analyze({
    comment: {text: INSULT},
    languages: ['vi'],
    requestedAttributes: Object.fromEntries(ATTRIBUTES.map((a) => [a, {}]))
  });
  assert.equal(r.status, 200);
  const s = r.data.attributeScores;
  assert.deepEqual(Object.keys(s).sort(), [...ATTRIBUTES].sort());
  for (const a of ATTRIBUTES) {
    assert.equal(s[a].summaryScore.type, 'PROBABILITY', a);
    const v = s[a].summaryScore.value;
    assert.ok(typeof v === 'number' && v >= 0 && v <= 1, `${a}: ${v}`);
    assert.equal(s[a].spanScores, undefined, `${a}: spans unasked`);
  }
  assert.ok(s.INSULT.summaryScore.value > 0.5);
  assert.ok(s.PROFANITY.summaryScore.value > 0.5);
  assert.ok(s.TOXICITY.summaryScore.value >= s.INSULT.summaryScore.value);
  assert.ok(s.THREAT.summaryScore.value < 0.5);
  assert.ok(s.IDENTITY_ATTACK.summaryScore.value < 0.5);
  // Only severe evidence counts; this insult is moderate.
  assert.equal(s.SEVERE_TOXICITY.summaryScore.value, 0);
  assert.deepEqual(r.data.languages, ['vi']);
  assert.equal(r.data.vigil.flagged, true);
});

await step('perspective: a clean comment', async () => {
  const r = await analyze({
    comment: {text: CLEAN},
    requestedAttributes: {TOXICITY: {}, INSULT: {}, PROFANITY: {}}
  });
  for (const a of ['TOXICITY', 'INSULT', 'PROFANITY']) {
    assert.ok(r.data.attributeScores[a].summaryScore.value < 0.5, a);
  }
  assert.equal(r.data.vigil.flagged, false);
});

await step('perspective: a threat is THREAT and SEVERE_TOXICITY', async () => {
  const r = await analyze({
    comment: {text: THREAT},
    requestedAttributes: {THREAT: {}, SEVERE_TOXICITY: {}, INSULT: {}}
  });
  const s = r.data.attributeScores;
  assert.ok(s.THREAT.summaryScore.value > 0.5);
  assert.ok(s.SEVERE_TOXICITY.summaryScore.value > 0.5);
  assert.ok(s.INSULT.summaryScore.value < 0.5);
});

await step('perspective: scoreThreshold leaves out what is below', async () => {
  const r = await analyze({
    comment: {text: CLEAN},
    requestedAttributes: {TOXICITY: {scoreThreshold: 0.5}, INSULT: {}}
  });
  assert.deepEqual(Object.keys(r.data.attributeScores), ['INSULT']);
  const flagged = await analyze({
    comment: {text: INSULT},
    requestedAttributes: {TOXICITY: {scoreThreshold: 0.5}}
  });
  assert.deepEqual(Object.keys(flagged.data.attributeScores), ['TOXICITY']);
});

await step('perspective: spanScores cut the insults in UTF-16', async () => {
  const r = await analyze({
    comment: {text: SPANNED},
    requestedAttributes: {INSULT: {}, PROFANITY: {}, THREAT: {}},
    spanAnnotations: true
  });
  const s = r.data.attributeScores;
  const cut = (a) => s[a].spanScores.map((sp) => {
    assert.ok(
        Number.isInteger(sp.begin) && sp.begin < sp.end &&
            sp.end <= SPANNED.length,
        JSON.stringify(sp));
    assert.equal(sp.score.type, 'PROBABILITY');
    assert.ok(sp.score.value > 0 && sp.score.value <= 1);
    return SPANNED.slice(sp.begin, sp.end).normalize('NFC');
  });
  const insults = cut('INSULT');
  for (const word of ['đồ ngu', 'đm mày', 'thằng chó']) {
    assert.ok(
        insults.includes(word), `${word} not in ${JSON.stringify(insults)}`);
  }
  assert.ok(cut('PROFANITY').includes('chó'), JSON.stringify(cut('PROFANITY')));
  assert.deepEqual(s.THREAT.spanScores, []);
});

await step('perspective: an unknown attribute is refused (400)', async () => {
  const e = await rejects(analyze(
      {comment: {text: INSULT}, requestedAttributes: {FLIRTATION: {}}}));
  assert.equal(e.code, 400, e.message);
  const err = e.response.data.error;
  assert.equal(err.status, 'INVALID_ARGUMENT');
  assert.equal(err.details[0].errorType, 'UNKNOWN_ATTRIBUTE');
});

await step(
    'perspective: an unsupported language is refused (400)', async () => {
      const e = await rejects(analyze({
        comment: {text: 'you are an idiot'},
        languages: ['en'],
        requestedAttributes: {TOXICITY: {}}
      }));
      assert.equal(e.code, 400, e.message);
      assert.equal(
          e.response.data.error.details[0].errorType,
          'LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE');
    });

await step(
    'perspective: a key that is no vigil token (400, as Google)', async () => {
      for (const key of [stranger.secret, 'AIzaSyNotAVigilToken']) {
        const e = await rejects(perspective(key)(
            {comment: {text: INSULT}, requestedAttributes: {TOXICITY: {}}}));
        assert.equal(e.code, 400, e.message);
        assert.equal(
            e.message, 'API key not valid. Please pass a valid API key.');
        assert.equal(
            e.response.data.error.details[0].reason, 'API_KEY_INVALID');
      }
    });

await step('perspective: a viewer key is refused (403)', async () => {
  const e = await rejects(perspective(viewer.secret)(
      {comment: {text: INSULT}, requestedAttributes: {TOXICITY: {}}}));
  assert.equal(e.code, 403, e.message);
  assert.equal(e.response.data.error.status, 'PERMISSION_DENIED');
});

// --------------------------------------------------------------- storage
// Everything above was a dry run: the queue is empty.
await step(
    'nothing stored without a clientToken or vigil.post_ids', async () => {
      assert.deepEqual(await queuedPosts(), []);
    });

const STORED_PERSPECTIVE = 'Thằng chó này ngu vcl';
const STORED_OPENAI = ['Mày đúng là đồ ngu', 'Tao sẽ giết mày đấy', CLEAN];

await step(
    'perspective: doNotStore false + clientToken stores the post', async () => {
      const r = await analyze({
        comment: {text: STORED_PERSPECTIVE},
        requestedAttributes: {TOXICITY: {}},
        doNotStore: false,
        clientToken: 'persp-1',
        communityId: 'forum-e2e'
      });
      assert.equal(r.data.clientToken, 'persp-1');
      // Not stored: doNotStore true, or no clientToken.
      await analyze({
        comment: {text: 'Đồ ngu, cút đi'},
        requestedAttributes: {TOXICITY: {}},
        doNotStore: true,
        clientToken: 'persp-2'
      });
      await analyze({
        comment: {text: 'Thằng khốn nạn'},
        requestedAttributes: {TOXICITY: {}},
        doNotStore: false
      });
      const queue = await queuedPosts();
      assert.deepEqual(
          queue,
          [{id: 'persp-1', source: 'forum-e2e', text: STORED_PERSPECTIVE}]);
    });

await step('openai: the vigil extension stores the posts', async () => {
  const r = await client.moderations.create({
    model: 'omni-moderation-latest',
    input: STORED_OPENAI,
    vigil: {source: 'openai-e2e', post_ids: ['oa-1', 'oa-2', 'oa-3']}
  });
  assert.deepEqual(r.results.map((m) => m.flagged), [true, true, false]);
  const queue = (await queuedPosts()).filter((p) => p.source === 'openai-e2e');
  // The flagged two are queued for review; the clean one is not.
  assert.deepEqual(
      queue.map((p) => p.id).sort(), ['oa-1', 'oa-2'], JSON.stringify(queue));
  const e = await rejects(client.moderations.create({
    model: 'omni-moderation-latest',
    input: [INSULT, CLEAN],
    vigil: {source: 'openai-e2e', post_ids: ['only-one']}
  }));
  assert.ok(
      e instanceof OpenAI.BadRequestError,
      `${e.constructor.name}: ${e.message}`);
  assert.equal(e.param, 'vigil.post_ids');
});

server.kill('SIGTERM');
await new Promise((resolve) => {
  const timer = setTimeout(() => {
    server.kill('SIGKILL');
    resolve();
  }, 10000);
  server.on('exit', () => {
    clearTimeout(timer);
    resolve();
  });
});
fs.rmSync(work, {recursive: true, force: true});
if (failed > 0) console.log(`server log:\n${serverLog}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
