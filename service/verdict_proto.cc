#include "service/verdict_proto.h"

#include <google/protobuf/util/time_util.h>

namespace vigil::service {

std::string HitTermName(const match::Term& term) {
  return term.is_regex ? "re:" + term.text : term.text;
}

void ToProto(const Analyzer& analyzer, const Analyzer::Result& result,
             v1::Verdict* out) {
  const score::Verdict& v = result.verdict;
  out->set_flagged(v.flagged);
  for (int c = 0; c < match::kNumCategories; ++c) {
    const std::string name(match::kCategoryNames[c]);
    if (v.flagged_categories & (1u << c)) out->add_flagged_categories(name);
    (*out->mutable_scores())[name] = v.scores[c];
    (*out->mutable_severities())[name] =
        std::string(match::SeverityName(v.severities[c]));
  }
  for (const match::Hit& h : v.hits) {
    const match::Term& term = analyzer.lexicon().terms()[h.term];
    v1::Hit* hit = out->add_hits();
    hit->set_category(std::string(match::CategoryName(term.category)));
    hit->set_term(HitTermName(term));
    hit->set_weight(term.weight);
    hit->set_begin(h.begin);
    hit->set_end(h.end);
    hit->set_begin_char(h.begin_char);
    hit->set_end_char(h.end_char);
    for (std::string_view via : match::ViaNames(h.via)) {
      hit->add_via(std::string(via));
    }
    hit->set_learned(term.learned);
    hit->set_severity(std::string(match::SeverityName(h.severity)));
  }
  for (int c = 0; c < match::kNumCategories; ++c) {
    const auto category = static_cast<match::Category>(c);
    if (analyzer.lexicon().settings(category).has_learned) {
      (*out->mutable_learned_scores())[std::string(match::kCategoryNames[c])] =
          v.learned_scores[c];
    }
  }
  out->set_lexicon_version(analyzer.version());
  out->set_unaccented(result.normalized.unaccented());
}

void ToProto(const SnapshotHolder::Snapshot& snapshot, v1::LexiconInfo* out) {
  const match::Lexicon& lex = snapshot.analyzer->lexicon();
  out->set_version(lex.version());
  out->set_directory(snapshot.directory);
  *out->mutable_loaded_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          std::chrono::duration_cast<std::chrono::nanoseconds>(
              snapshot.loaded_at.time_since_epoch())
              .count());
  for (int c = 0; c < match::kNumCategories; ++c) {
    const auto category = static_cast<match::Category>(c);
    v1::CategoryInfo& info =
        (*out->mutable_categories())[std::string(match::kCategoryNames[c])];
    const match::CategorySettings& s = lex.settings(category);
    info.set_threshold(s.threshold);
    if (s.has_learned) info.set_learned_threshold(s.learned_threshold);
  }
  for (const match::Term& t : lex.terms()) {
    v1::CategoryInfo& info = (*out->mutable_categories())[std::string(
        match::CategoryName(t.category))];
    if (t.learned) {
      info.set_learned_terms(info.learned_terms() + 1);
    } else {
      info.set_curated_terms(info.curated_terms() + 1);
    }
  }
  out->set_allowlist_phrases(static_cast<uint32_t>(lex.allowlist().size()));
}

}  // namespace vigil::service
