// Flagged-item inserts per second on each store backend, through
// FlagStore::RecordFlagged (durable commits: SQLite WAL with synchronous
// FULL, PostgreSQL with synchronous_commit on).
//
//   build/bench/store_bench                       # SQLite only
//   VIGIL_BENCH_PG_URL=postgresql://... build/bench/store_bench
//
// BM_Insert, into an empty store: one post per call from one thread (a
// commit per post), one post per call from 8 threads (group commit merges
// them), and 100-post batches (one transaction each). Each iteration
// inserts new (source, id) items.
//
// BM_InsertClusters (issue 20): clustering off and on, into stores already
// holding 10,000 and 1,000,000 items (below, before the cases). Only
// these:
//
//   build/bench/store_bench --benchmark_filter=BM_InsertClusters/pg:0
//       --benchmark_repetitions=3
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "analyzers/cluster/fingerprint.h"
#include "analyzers/normalize/normalizer.h"
#include "service/store/flag_store.h"
#include "service/store/sql.h"

namespace vigil::service {
namespace {

// Post n of this process: a new item even in a database kept from an
// earlier run (the source names the run), so the Insert cases measure
// first flags, not re-flags.
FlaggedPost MakePost(int64_t n) {
  static const std::string source =
      "bench-" + std::to_string(getpid()) + "-" +
      std::to_string(std::chrono::system_clock::now().time_since_epoch() /
                     std::chrono::seconds(1));
  FlaggedPost p;
  p.post.set_source(source);
  p.post.set_id(std::to_string(n));
  p.post.set_text("thằng óc chó này nói ngu vãi, đúng là đồ mất dạy " +
                  std::to_string(n));
  p.verdict.set_flagged(true);
  p.verdict.set_lexicon_version("bench");
  p.verdict.add_flagged_categories("insult");
  (*p.verdict.mutable_scores())["insult"] = 0.93;
  for (int h = 0; h < 3; ++h) {
    v1::Hit* hit = p.verdict.add_hits();
    hit->set_category("insult");
    hit->set_term("óc chó");
    hit->set_weight(2.5);
    hit->set_begin(7 + h);
    hit->set_end(14 + h);
  }
  return p;
}

std::atomic<int64_t> next_id{0};

// One store per backend, shared by the cases (and threads) that use it.
FlagStore* Store(const std::string& backend) {
  static FlagStore* sqlite = [] {
    const auto dir =
        std::filesystem::temp_directory_path() / "vigil_store_bench";
    std::filesystem::remove_all(dir);
    auto store = OpenFlagStore("sqlite:" + (dir / "vigil.db").string());
    if (!store.ok()) std::abort();
    return store->release();
  }();
  static FlagStore* postgres = []() -> FlagStore* {
    const char* url = std::getenv("VIGIL_BENCH_PG_URL");
    if (url == nullptr) return nullptr;
    auto store = OpenFlagStore(url);
    if (!store.ok()) {
      std::fprintf(stderr, "VIGIL_BENCH_PG_URL: %s\n",
                   std::string(store.status().message()).c_str());
      return nullptr;
    }
    return store->release();
  }();
  return backend == "sqlite" ? sqlite : postgres;
}

void BM_Insert(benchmark::State& state, const std::string& backend, int batch) {
  FlagStore* store = Store(backend);
  if (store == nullptr) {
    state.SkipWithError("set VIGIL_BENCH_PG_URL to measure PostgreSQL");
    return;
  }
  std::vector<FlaggedPost> posts(batch);
  for (auto _ : state) {
    for (auto& p : posts) p = MakePost(next_id++);
    if (!store->RecordFlagged(posts).ok()) {
      state.SkipWithError("RecordFlagged failed");
      return;
    }
  }
  state.counters["items/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * batch,
                         benchmark::Counter::kIsRate);
}

#define VIGIL_STORE_BENCH(backend)                                          \
  BENCHMARK_CAPTURE(BM_Insert, backend##_1_post_1_thread, #backend, 1)      \
      ->UseRealTime()                                                       \
      ->MinTime(2);                                                         \
  BENCHMARK_CAPTURE(BM_Insert, backend##_1_post_8_threads, #backend, 1)     \
      ->Threads(8)                                                          \
      ->UseRealTime()                                                       \
      ->MinTime(2);                                                         \
  BENCHMARK_CAPTURE(BM_Insert, backend##_100_posts_1_thread, #backend, 100) \
      ->UseRealTime()                                                       \
      ->MinTime(2);

VIGIL_STORE_BENCH(sqlite)
VIGIL_STORE_BENCH(postgres)

// ---------------------------------------------------------------------------
// Clustering on and off (issue 20): the same inserts into a store that
// already holds 10,000 or 1,000,000 flagged items, with fingerprints unset
// (no clustering, the behaviour before migration 6) or set (each new item
// looks up its LSH band candidates, joins or starts a cluster, and stores
// 16 band rows; on PostgreSQL under the cluster advisory lock).
//
// Posts: about 30% are copies of one of 50 campaign templates with their
// phone number, amount and link changed (a third of the copies also miss
// one word); the rest are distinct posts of 8 to 35 words drawn with a
// seeded RNG from ~100 common words and ~1,100 Vietnamese-like syllables,
// so unrelated posts do not collide. Every post has at least kMinTokens
// tokens: every post in the "on" cases carries a fingerprint. Fingerprints
// are taken before the timed loop (normalizer with lexicons/teencode.tsv):
// the loop measures the store alone.
//
// Stores. Each (backend, size, on/off) has its own prefilled store, built
// once (4,096-post RecordFlagged batches; the "on" stores with
// fingerprints, so that fingerprint_bands holds 16 rows per item) and kept:
// SQLite files in $TMPDIR/vigil_store_bench_clusters/ (delete to rebuild),
// PostgreSQL databases vigil_bench_{10k,1m}_{on,off} next to the one
// VIGIL_BENCH_PG_URL names. Runs write to a copy (work.db; database
// vigil_bench_work made with CREATE DATABASE ... TEMPLATE), synced before
// the run: fresh for every run of the 10k stores, once per process for the
// 1M ones (which then grow by at most 3 x 6,000 items, under 2%).
//
// Each run inserts a fixed number of new items: 40 batches of 100 posts
// (1 thread), or 250 single-post calls from each of 8 threads. Counters:
// items/s (wall clock) and cpu_us/item, the process's CPU time (user +
// system, every thread: the store's writer thread does the work, the
// caller waits) over the run divided by the items inserted; sys_us/item is
// its system part; read_kB/item and written_kB/item are the bytes the
// process read and wrote through read/write-like system calls
// (/proc/self/io; for SQLite its page reads, journal and WAL writes; not
// PostgreSQL's socket). On PostgreSQL the server does most of the work in
// other processes: server_cpu_us/item is the CPU time of every process
// named "postgres" on the machine over the run, per item.
namespace fs = std::filesystem;

constexpr int kBatchIterations = 40;  // 100-post batches per run
constexpr int kCallsPerThread = 250;  // 1-post calls per thread per run
constexpr int kPrefillBatch = 4096;
constexpr int kTemplates = 50;
constexpr int kCampaignPercent = 30;

fs::path SourceDir() {
#ifdef VIGIL_SOURCE_DIR
  return VIGIL_SOURCE_DIR;
#else
  return fs::path(__FILE__).parent_path().parent_path();
#endif
}

const normalize::Normalizer& BenchNormalizer() {
  static const normalize::Normalizer* n = [] {
    const std::string teencode = (SourceDir() / "lexicons/teencode.tsv");
    auto created = normalize::Normalizer::Create({.teencode_path = teencode});
    if (!created.ok()) {
      std::fprintf(stderr, "%s: %s\n", teencode.c_str(),
                   std::string(created.status().message()).c_str());
      std::abort();
    }
    return created->release();
  }();
  return *n;
}

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

constexpr const char* kCommonWords[] = {
    "không", "là",    "của",  "và",    "có",    "người", "này",  "được",
    "cho",   "với",   "một",  "những", "thì",   "mà",    "đã",   "rồi",
    "nó",    "tao",   "mày",  "bọn",   "ngu",   "đi",    "lại",  "nữa",
    "cái",   "gì",    "ai",   "đây",   "đó",    "vậy",   "sao",  "như",
    "thế",   "làm",   "biết", "nói",   "cũng",  "còn",   "ra",   "vào",
    "lên",   "nhà",   "tiền", "việc",  "đời",   "ngày",  "năm",  "bao",
    "giờ",   "luôn",  "quá",  "lắm",   "rất",   "chỉ",   "phải", "nên",
    "vì",    "nhưng", "nếu",  "khi",   "trong", "ngoài", "hơn",  "nhất",
    "mới",   "đẹp",   "xấu",  "tốt",   "hay",   "chán",  "vui",  "buồn",
    "thằng", "con",   "đồ",   "bố",    "mẹ",    "anh",   "em",   "chị",
    "bạn",   "mình",  "ở",    "đâu",   "kia",   "xem",   "thấy", "muốn",
    "cần",   "hết",   "chưa", "đang",  "sẽ",    "bị",    "vãi",  "vl",
    "ko",    "dc",    "j",    "đm",
};
constexpr const char* kOnsets[] = {"b", "c", "ch", "d",  "đ",  "g",  "h",  "kh",
                                   "l", "m", "n",  "ng", "nh", "ph", "qu", "r",
                                   "s", "t", "th", "tr", "v",  "x",  "gi"};
constexpr const char* kRhymes[] = {
    "a",   "ai",  "am",   "an",  "ang", "anh", "ao",  "au", "ay",  "e",
    "em",  "en",  "eo",   "i",   "im",  "in",  "inh", "o",  "oi",  "om",
    "on",  "ong", "u",    "ui",  "um",  "un",  "ung", "uy", "ư",   "ưa",
    "ưng", "ươi", "ương", "ê",   "ên",  "ênh", "ô",   "ôi", "ông", "ơ",
    "ơi",  "ơn",  "iêu",  "uôn", "oa",  "oan", "ach", "ich"};
// Combining tone marks (the normalizer composes them): none, grave, acute,
// tilde, hook above, dot below.
constexpr const char* kTones[] = {"",         "\xcc\x80", "\xcc\x81",
                                  "\xcc\x83", "\xcc\x89", "\xcc\xa3"};
constexpr const char* kCampaignOpenings[] = {
    "tuyển cộng tác viên làm tại nhà", "vay tiền nhanh không cần thế chấp",
    "nhận quà miễn phí chỉ hôm nay",   "đầu tư lãi cao mỗi ngày",
    "bán acc giá rẻ uy tín",           "khuyến mãi nạp thẻ tặng",
    "cần người chạy đơn online",       "thông báo tài khoản của bạn bị khóa"};

std::string Word(std::mt19937_64& rng) {
  if (rng() % 100 < 45) {
    // Common words, the first ones more often.
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return kCommonWords[static_cast<size_t>(u * u * std::size(kCommonWords))];
  }
  const std::string onset = kOnsets[rng() % std::size(kOnsets)];
  const std::string rhyme = kRhymes[rng() % std::size(kRhymes)];
  // The tone after the rhyme's first letter (1 or 2 bytes in UTF-8).
  const size_t first = (static_cast<unsigned char>(rhyme[0]) < 0x80) ? 1 : 2;
  return onset + rhyme.substr(0, first) + kTones[rng() % std::size(kTones)] +
         rhyme.substr(first);
}

std::string Digits(std::mt19937_64& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
  return s;
}

// A campaign's words; "\x01" marks where a number, an amount or a link
// goes.
const std::vector<std::vector<std::string>>& Templates() {
  static const auto* templates = [] {
    auto* t = new std::vector<std::vector<std::string>>(kTemplates);
    for (int i = 0; i < kTemplates; ++i) {
      std::mt19937_64 rng(Mix(0x7e3a1a7e0000ull + i));
      std::vector<std::string>& words = (*t)[i];
      words.push_back(kCampaignOpenings[i % std::size(kCampaignOpenings)]);
      const int n = 12 + static_cast<int>(rng() % 14);
      for (int w = 0; w < n; ++w) {
        words.push_back(Word(rng));
        if (w == n / 3 || w == (2 * n) / 3 || w == n - 1) {
          words.push_back("\x01");
        }
      }
    }
    return t;
  }();
  return *templates;
}

// Post `index`'s text (deterministic) and whether it is a campaign copy.
std::string PostText(int64_t index, bool* campaign) {
  std::mt19937_64 rng(Mix(static_cast<uint64_t>(index)));
  std::string text;
  *campaign = static_cast<int>(rng() % 100) < kCampaignPercent;
  if (*campaign) {
    const std::vector<std::string>& words = Templates()[rng() % kTemplates];
    // A third of the copies miss one word.
    const size_t dropped =
        rng() % 3 == 0 ? 1 + rng() % (words.size() - 1) : words.size();
    int slot = 0;
    for (size_t w = 0; w < words.size(); ++w) {
      if (w == dropped) continue;
      if (!text.empty()) text += ' ';
      if (words[w] != "\x01") {
        text += words[w];
      } else if (slot++ % 3 == 0) {
        text += "0" + std::to_string(3 + rng() % 7) + Digits(rng, 8);
      } else if (slot % 3 == 2) {
        text += Digits(rng, 3) + "k";
      } else {
        static constexpr char kAlnum[] = "abcdefghijkmnpqrstuvwxyz23456789";
        text += "https://bit.ly/";
        for (int c = 0; c < 7; ++c) text += kAlnum[rng() % 32];
      }
    }
    return text;
  }
  const int n = 8 + static_cast<int>(rng() % 28);
  for (int w = 0; w < n; ++w) {
    if (w > 0) text += (rng() % 12 == 0) ? ", " : " ";
    text += Word(rng);
  }
  if (rng() % 4 == 0) text += rng() % 2 ? "!!!" : " 😡";
  return text;
}

FlaggedPost MakeClusterPost(int64_t index, const std::string& source,
                            bool fingerprint) {
  bool campaign = false;
  FlaggedPost p;
  p.post.set_source(source);
  p.post.set_id(std::to_string(index));
  p.post.set_text(PostText(index, &campaign));
  const std::string category = campaign ? "scam" : "insult";
  p.verdict.set_flagged(true);
  p.verdict.set_lexicon_version("bench");
  p.verdict.add_flagged_categories(category);
  (*p.verdict.mutable_scores())[category] = 0.9;
  v1::Hit* hit = p.verdict.add_hits();
  hit->set_category(category);
  hit->set_term(campaign ? "tuyển cộng tác viên" : "ngu");
  hit->set_weight(2.5);
  hit->set_begin(0);
  hit->set_end(4);
  if (fingerprint) {
    p.fingerprint =
        cluster::Fingerprint::Of(BenchNormalizer().Normalize(p.post.text()));
  }
  return p;
}

// Writes posts [0, items) in kPrefillBatch batches, building the next
// batch while the store writes the last one.
bool Prefill(FlagStore& store, int64_t items, bool clusters) {
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  bool failed = false;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t begin = 0; begin < items; begin += kPrefillBatch) {
    std::vector<FlaggedPost> batch;
    for (int64_t i = begin; i < std::min(items, begin + kPrefillBatch); ++i) {
      batch.push_back(MakeClusterPost(i, "prefill", clusters));
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return in_flight < 2; });
    if (failed) break;
    ++in_flight;
    lock.unlock();
    store.RecordFlaggedAsync(std::move(batch), [&](absl::Status s) {
      std::lock_guard<std::mutex> l(mu);
      if (!s.ok()) {
        std::fprintf(stderr, "prefill: %s\n", std::string(s.message()).c_str());
        failed = true;
      }
      --in_flight;
      cv.notify_all();
    });
    if ((begin / kPrefillBatch) % 25 == 24) {
      std::fprintf(stderr, "  %lld items, %.0f s\n",
                   static_cast<long long>(begin + kPrefillBatch),
                   std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count());
    }
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  return !failed;
}

// The run's configuration, from its arguments.
struct RunConfig {
  bool postgres = false;
  int64_t stored = 0;
  bool clusters = false;
  int batch = 0;
  int threads = 1;

  static RunConfig Of(const benchmark::State& state) {
    return {state.range(0) == 1, state.range(1), state.range(2) == 1,
            static_cast<int>(state.range(3)), state.threads()};
  }
  // Names the prefilled store: "10k_on", "1m_off", ...
  std::string StoreName() const {
    return (stored >= 1000000 ? std::to_string(stored / 1000000) + "m"
                              : std::to_string(stored / 1000) + "k") +
           (clusters ? "_on" : "_off");
  }
  int64_t Items() const {
    return batch == 1 ? int64_t{kCallsPerThread} * threads
                      : int64_t{kBatchIterations} * batch;
  }
};

// What the runs of the current store share.
struct Current {
  std::string key;  // backend + store name; empty when none is open
  std::unique_ptr<FlagStore> store;
  std::vector<FlaggedPost> posts;  // this run's, fingerprinted if on
  std::atomic<size_t> next{0};
  std::string error;
  ClusterCounts before;
};

Current& Cur() {
  static Current* const current = new Current();
  return *current;
}

// Run posts' indices: far from the prefill's, never reused in a process.
std::atomic<int64_t> next_run_post{int64_t{1} << 40};

const fs::path& ClusterDir() {
  static const fs::path dir =
      fs::temp_directory_path() / "vigil_store_bench_clusters";
  return dir;
}

void SyncFile(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

int64_t StoredItems(FlagStore& store) {
  auto counts = store.CountByStatus();
  if (!counts.ok()) return -1;
  int64_t n = 0;
  for (const auto& [status, count] : *counts) n += count;
  return n;
}

// Opens a copy of the prefilled SQLite store (building it first if needed).
absl::StatusOr<std::unique_ptr<FlagStore>> OpenSqliteCopy(
    const RunConfig& config) {
  const fs::path pristine =
      ClusterDir() / ("sqlite_" + config.StoreName() + ".db");
  const fs::path complete = pristine.string() + ".complete";
  if (!fs::exists(complete)) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      fs::remove(pristine.string() + suffix);
    }
    std::fprintf(stderr, "building %s (%lld items)\n", pristine.c_str(),
                 static_cast<long long>(config.stored));
    auto store = OpenFlagStore("sqlite:" + pristine.string());
    if (!store.ok()) return store.status();
    if (!Prefill(**store, config.stored, config.clusters)) {
      return absl::InternalError("prefill failed");
    }
    store->reset();  // checkpoints the WAL into the file
    std::ofstream(complete) << "ok\n";
  }
  const fs::path work = ClusterDir() / "work.db";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    fs::remove(work.string() + suffix);
  }
  for (const char* suffix : {"", "-wal"}) {
    if (fs::exists(pristine.string() + suffix)) {
      fs::copy_file(pristine.string() + suffix, work.string() + suffix);
      SyncFile(work.string() + suffix);
    }
  }
  SyncFile(ClusterDir());
  return OpenFlagStore("sqlite:" + work.string());
}

// VIGIL_BENCH_PG_URL with its database replaced by `db`.
std::string PgUrlWithDatabase(const std::string& url, const std::string& db) {
  const size_t scheme = url.find("://");
  const size_t query = url.find('?', scheme + 3);
  const size_t slash = url.find('/', scheme + 3);
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  const size_t host_end =
      slash != std::string::npos && slash < query ? slash : query;
  return url.substr(0, host_end == std::string::npos ? url.size() : host_end) +
         "/" + db + tail;
}

// Opens a copy of the prefilled PostgreSQL store (building it first if
// needed), in database vigil_bench_work.
absl::StatusOr<std::unique_ptr<FlagStore>> OpenPostgresCopy(
    const RunConfig& config) {
  const char* url = std::getenv("VIGIL_BENCH_PG_URL");
  if (url == nullptr) {
    return absl::FailedPreconditionError(
        "set VIGIL_BENCH_PG_URL to measure PostgreSQL");
  }
  auto admin = OpenPostgres(url);
  if (!admin.ok()) return admin.status();
  const std::string pristine = "vigil_bench_" + config.StoreName();
  const std::string pristine_url = PgUrlWithDatabase(url, pristine);
  SqlValue name[] = {SqlValue::Text(pristine)};
  auto exists =
      (*admin)->Query("SELECT 1 FROM pg_database WHERE datname = $1", name);
  if (!exists.ok()) return exists.status();
  bool ready = false;
  if (!exists->empty()) {
    auto store = OpenFlagStore(pristine_url);
    if (!store.ok()) return store.status();
    ready = StoredItems(**store) == config.stored;
  }
  if (!ready) {
    std::fprintf(stderr, "building database %s (%lld items)\n",
                 pristine.c_str(), static_cast<long long>(config.stored));
    if (auto s = (*admin)->ExecScript("DROP DATABASE IF EXISTS " + pristine +
                                      " WITH (FORCE)");
        !s.ok()) {
      return s;
    }
    if (auto s = (*admin)->ExecScript("CREATE DATABASE " + pristine); !s.ok()) {
      return s;
    }
    auto store = OpenFlagStore(pristine_url);
    if (!store.ok()) return store.status();
    if (!Prefill(**store, config.stored, config.clusters)) {
      return absl::InternalError("prefill failed");
    }
    store->reset();
    // What autovacuum would have done by then in a store this size.
    auto db = OpenPostgres(pristine_url);
    if (!db.ok()) return db.status();
    if (auto s = (*db)->ExecScript("VACUUM ANALYZE"); !s.ok()) return s;
  }
  if (auto s = (*admin)->ExecScript(
          "DROP DATABASE IF EXISTS vigil_bench_work WITH (FORCE)");
      !s.ok()) {
    return s;
  }
  if (auto s =
          (*admin)->ExecScript("CREATE DATABASE vigil_bench_work TEMPLATE " +
                               pristine + " STRATEGY FILE_COPY");
      !s.ok()) {
    return s;
  }
  return OpenFlagStore(PgUrlWithDatabase(url, "vigil_bench_work"));
}

void SetupClusterRun(const benchmark::State& state) {
  const RunConfig config = RunConfig::Of(state);
  Current& c = Cur();
  const std::string key =
      (config.postgres ? "pg_" : "sqlite_") + config.StoreName();
  // A fresh copy for every 10k run; one per process for the 1M stores.
  if (c.key != key || config.stored < 1000000 || c.store == nullptr) {
    c.store.reset();
    c.key.clear();
    c.error.clear();
    fs::create_directories(ClusterDir());
    auto store =
        config.postgres ? OpenPostgresCopy(config) : OpenSqliteCopy(config);
    if (!store.ok()) {
      c.error = std::string(store.status().message());
      std::fprintf(stderr, "%s: %s\n", key.c_str(), c.error.c_str());
      return;
    }
    c.store = *std::move(store);
    c.key = key;
  }
  const std::string source = "run";
  c.posts.clear();
  for (int64_t i = 0; i < config.Items(); ++i) {
    c.posts.push_back(
        MakeClusterPost(next_run_post++, source, config.clusters));
  }
  c.next = 0;
  c.before = c.store->CountClusters().value_or(ClusterCounts{});
  std::fprintf(stderr, "%s: %lld items stored before the run\n", key.c_str(),
               static_cast<long long>(StoredItems(*c.store)));
}

void TeardownClusterRun(const benchmark::State& state) {
  Current& c = Cur();
  if (c.store == nullptr) return;
  const ClusterCounts after =
      c.store->CountClusters().value_or(ClusterCounts{});
  std::fprintf(stderr,
               "  clusters %lld -> %lld, clustered items %lld -> %lld\n",
               static_cast<long long>(c.before.clusters),
               static_cast<long long>(after.clusters),
               static_cast<long long>(c.before.clustered_items),
               static_cast<long long>(after.clustered_items));
  if (RunConfig::Of(state).stored < 1000000) {
    c.store.reset();
    c.key.clear();
  }
}

// The process's CPU time (every thread) so far: user and system seconds.
struct CpuSeconds {
  double user = 0, system = 0;
};
CpuSeconds ProcessCpu() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return {u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6,
          u.ru_stime.tv_sec + u.ru_stime.tv_usec * 1e-6};
}

// The bytes the process has read and written through system calls so far
// (/proc/self/io rchar, wchar: page cache included, so the database's page
// reads and its WAL writes).
struct IoBytes {
  double read = 0, written = 0;
};
IoBytes ProcessIo() {
  IoBytes io;
  std::ifstream in("/proc/self/io");
  std::string key;
  double value;
  while (in >> key >> value) {
    if (key == "rchar:") io.read = value;
    if (key == "wchar:") io.written = value;
  }
  return io;
}

// The CPU seconds (user + system) of every process named "postgres" on
// this machine so far: the PostgreSQL server's share of a run, when it runs
// here (processes that exit during the run are missed).
double PostgresServerCpu() {
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  double seconds = 0;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    const size_t open = stat.find('(');
    const size_t close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos ||
        stat.substr(open + 1, close - open - 1) != "postgres") {
      continue;
    }
    // After the name: state (field 3), ... utime (14), stime (15).
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    seconds += (utime + stime) / ticks;
  }
  return seconds;
}

void BM_InsertClusters(benchmark::State& state) {
  Current& c = Cur();
  if (c.store == nullptr) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  const size_t batch = static_cast<size_t>(state.range(3));
  const CpuSeconds before =
      state.thread_index() == 0 ? ProcessCpu() : CpuSeconds{};
  const IoBytes io_before = state.thread_index() == 0 ? ProcessIo() : IoBytes{};
  const bool postgres = state.range(0) == 1;
  const double server_before =
      state.thread_index() == 0 && postgres ? PostgresServerCpu() : 0;
  for (auto _ : state) {
    const size_t at = c.next.fetch_add(batch);
    if (at + batch > c.posts.size()) {
      state.SkipWithError("more iterations than posts made");
      return;
    }
    if (!c.store->RecordFlagged(std::span(&c.posts[at], batch)).ok()) {
      state.SkipWithError("RecordFlagged failed");
      return;
    }
  }
  const double items = static_cast<double>(state.iterations()) * batch;
  state.counters["items/s"] =
      benchmark::Counter(items, benchmark::Counter::kIsRate);
  if (state.thread_index() == 0) {
    // Over every thread's items (all ran the same count).
    const CpuSeconds after = ProcessCpu();
    const double per_item = 1e6 / (items * state.threads());
    state.counters["cpu_us/item"] =
        (after.user - before.user + after.system - before.system) * per_item;
    state.counters["sys_us/item"] = (after.system - before.system) * per_item;
    const IoBytes io_after = ProcessIo();
    state.counters["read_kB/item"] =
        (io_after.read - io_before.read) * 1e-9 * per_item;
    state.counters["written_kB/item"] =
        (io_after.written - io_before.written) * 1e-9 * per_item;
    if (postgres) {
      state.counters["server_cpu_us/item"] =
          (PostgresServerCpu() - server_before) * per_item;
    }
  }
}

// Arguments: pg (0 SQLite, 1 PostgreSQL), stored (items before the run),
// clusters (0 off, 1 on), batch (posts per call).
[[maybe_unused]] const int kRegistered = [] {
  for (int pg : {0, 1}) {
    for (int64_t stored : {10000, 1000000}) {
      for (int on : {0, 1}) {
        benchmark::RegisterBenchmark("BM_InsertClusters", BM_InsertClusters)
            ->ArgNames({"pg", "stored", "clusters", "batch"})
            ->Args({pg, stored, on, 100})
            ->Iterations(kBatchIterations)
            ->UseRealTime()
            ->Setup(SetupClusterRun)
            ->Teardown(TeardownClusterRun);
        benchmark::RegisterBenchmark("BM_InsertClusters", BM_InsertClusters)
            ->ArgNames({"pg", "stored", "clusters", "batch"})
            ->Args({pg, stored, on, 1})
            ->Threads(8)
            ->Iterations(kCallsPerThread)
            ->UseRealTime()
            ->Setup(SetupClusterRun)
            ->Teardown(TeardownClusterRun);
      }
    }
  }
  return 0;
}();

}  // namespace
}  // namespace vigil::service

BENCHMARK_MAIN();
