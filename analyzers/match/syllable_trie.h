// The syllable dictionary and the packed trie the matcher walks: phrases
// (terms, allowlist entries, learned n-grams) are sequences of syllables;
// each view's syllables get small integer ids from one SyllableDict, and a
// Trie over those ids holds a value (a term index) at the node where each
// phrase ends.
//
// Example:
//   SyllableDict dict;
//   Trie<int32_t> trie;
//   trie.Add(dict, {"địt", "mẹ"}, 7);
//   trie.Finalize();
//   int32_t node = trie.Step(0, dict.IdOf("địt"));
//   node = trie.Step(node, dict.IdOf("mẹ"));
//   trie.ValuesAt(node);  // {7}
//
// Thread safety: building (Intern, Add, Finalize) is single-threaded; after
// Finalize() a Trie and its SyllableDict are immutable and may be read from
// any number of threads.
#ifndef VIGIL_ANALYZERS_MATCH_SYLLABLE_TRIE_H_
#define VIGIL_ANALYZERS_MATCH_SYLLABLE_TRIE_H_

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "analyzers/util/huge_pages.h"

namespace vigil::match {

// Syllable text → id, shared by the tries of one view, so that a post's
// tokens are looked up once per view however many tries there are.
struct SyllableDict {
  HugePageHashMap<std::string, int32_t> ids;
  int32_t Intern(const std::string& syllable) {
    return ids.emplace(syllable, static_cast<int32_t>(ids.size()))
        .first->second;
  }
  // The id of `syllable`, or -1 when no phrase contains it.
  int32_t IdOf(std::string_view syllable) const {
    auto it = ids.find(absl::string_view(syllable.data(), syllable.size()));
    return it == ids.end() ? -1 : it->second;
  }
};

// A trie over syllable ids, holding values of type V at its nodes. Built
// with a hash map keyed by (node, syllable id); Finalize() then packs it
// for walking: per node one {first child, first value} pair, each node's
// children contiguous and sorted by syllable id as {id, node} pairs, and
// the values in one array. A step past the root is then one or two cache
// lines instead of a hash probe plus separate arrays: the walk is bound by
// cache misses (most steps fail, and fail fast here). Node 0 is the root,
// whose children are an array indexed by syllable id.
template <typename V>
struct Trie {
  struct Node {
    int32_t first_child;
    int32_t first_value;
  };
  struct Edge {
    int32_t syllable;
    int32_t node;
  };
  absl::flat_hash_map<uint64_t, int32_t> edges;  // while building
  std::vector<std::vector<V>> building{{}};      // per node, while building
  HugePageVector<int32_t> root_children;         // by syllable id; -1: none
  // After Finalize(): node n's children are children[nodes[n].first_child
  // .. nodes[n + 1].first_child), its values values[nodes[n].first_value
  // .. nodes[n + 1].first_value).
  HugePageVector<Node> nodes;
  HugePageVector<Edge> children;
  HugePageVector<V> values;

  void Finalize() {
    const size_t count = building.size();
    std::vector<std::tuple<int32_t, int32_t, int32_t>>
        all;  // parent, id, child
    all.reserve(edges.size());
    for (const auto& [key, child] : edges) {
      all.emplace_back(static_cast<int32_t>(key >> 32),
                       static_cast<int32_t>(key & 0xffffffffu), child);
    }
    std::sort(all.begin(), all.end());
    nodes.assign(count + 1, Node{0, 0});
    children.clear();
    values.clear();
    size_t e = 0;
    for (size_t n = 0; n < count; ++n) {
      nodes[n] = {static_cast<int32_t>(children.size()),
                  static_cast<int32_t>(values.size())};
      for (; e < all.size() && std::get<0>(all[e]) == static_cast<int32_t>(n);
           ++e) {
        children.push_back({std::get<1>(all[e]), std::get<2>(all[e])});
      }
      values.insert(values.end(), building[n].begin(), building[n].end());
    }
    nodes[count] = {static_cast<int32_t>(children.size()),
                    static_cast<int32_t>(values.size())};
    building = {};
    edges = {};
  }
  size_t node_count() const { return nodes.empty() ? 0 : nodes.size() - 1; }
  std::span<const V> ValuesAt(int32_t node) const {
    return {values.data() + nodes[node].first_value,
            static_cast<size_t>(nodes[node + 1].first_value -
                                nodes[node].first_value)};
  }

  static uint64_t Key(int32_t node, int32_t syllable) {
    return (static_cast<uint64_t>(node) << 32) |
           static_cast<uint32_t>(syllable);
  }
  // Before Finalize() only.
  void Add(SyllableDict& dict, const std::vector<std::string>& syllables,
           V value) {
    int32_t node = 0;
    for (const std::string& s : syllables) {
      const int32_t id = dict.Intern(s);
      if (root_children.size() <= static_cast<size_t>(id)) {
        root_children.resize(id + 1, -1);
      }
      auto [it, inserted] =
          edges.emplace(Key(node, id), static_cast<int32_t>(building.size()));
      if (inserted) building.emplace_back();
      if (node == 0) root_children[id] = it->second;
      node = it->second;
    }
    building[node].push_back(value);
  }
  // The child of `node` along syllable `id`, or -1. After Finalize() only.
  int32_t Step(int32_t node, int32_t id) const {
    if (id < 0) return -1;
    if (node == 0) {  // the busiest node: an array
      return static_cast<size_t>(id) < root_children.size() ? root_children[id]
                                                            : -1;
    }
    const Edge* const begin = children.data() + nodes[node].first_child;
    const Edge* const end = children.data() + nodes[node + 1].first_child;
    const Edge* const it = std::lower_bound(
        begin, end, id,
        [](const Edge& e, int32_t x) { return e.syllable < x; });
    return it != end && it->syllable == id ? it->node : -1;
  }
};

}  // namespace vigil::match

#endif  // VIGIL_ANALYZERS_MATCH_SYLLABLE_TRIE_H_
