#include <msrp/protocol/range_set.hpp>

#include <algorithm>
#include <cassert>
#include <iterator>
#include <limits>

namespace msrp {

namespace {

using range_map = std::map<std::uint64_t, std::uint64_t>;
constexpr std::uint64_t max_offset = std::numeric_limits<std::uint64_t>::max();

/// The first range that overlaps `[first, ...]` or ends right before
/// `first` (so that it merges with a range starting at `first`).
range_map::const_iterator first_touching(const range_map& ranges, std::uint64_t first) noexcept {
    auto it = ranges.upper_bound(first);
    if (it == ranges.begin())
        return it;
    const auto before = std::prev(it);
    // before->first <= first; it touches when last >= first - 1, written
    // without computing first - 1 (first may be 0).
    if (before->second >= first || before->second + 1 == first)
        return before;
    return it;
}

/// Appends the gaps of the set inside `[first, last]` (first <= last) to
/// `out`, walking from `it` = first_touching(first). Returns the first
/// range that starts after `last`.
range_map::const_iterator collect_gaps(const range_map& ranges, range_map::const_iterator it, std::uint64_t first,
                                       std::uint64_t last, std::vector<range_set::range>& out) {
    // Invariant: [first, cursor) is accounted for, cursor <= last; `done`
    // once a range reaches `last` (cursor would pass it, maybe overflow).
    std::uint64_t cursor = first;
    bool done = false;
    for (; it != ranges.end() && it->first <= last; ++it) {
        if (done)
            continue;
        if (it->first > cursor)
            out.emplace_back(cursor, it->first - 1);
        if (it->second >= last)
            done = true;
        else if (it->second >= cursor)
            cursor = it->second + 1;
    }
    if (!done)
        out.emplace_back(cursor, last);
    return it;
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) noexcept {
    return b > max_offset - a ? max_offset : a + b;
}

/// Octets in `[first, last]`, saturating for [0, UINT64_MAX].
std::uint64_t length_of(const range_set::range& r) noexcept {
    return saturating_add(r.second - r.first, 1);
}

} // namespace

std::vector<range_set::range> range_set::insert(std::uint64_t first, std::uint64_t last) {
    std::vector<range> added;
    if (first > last)
        return added;
    const auto merge_begin = first_touching(ranges_, first);
    auto merge_end = collect_gaps(ranges_, merge_begin, first, last, added);
    std::uint64_t merged_first = first, merged_last = last;
    if (merge_begin != merge_end) {
        merged_first = std::min(first, merge_begin->first);
        merged_last = std::max(last, std::prev(merge_end)->second);
    }
    // A range starting right after the merged one coalesces with it. Only
    // possible when merged_last == last: a stored range that ends past
    // `last` is already non-adjacent to its successor.
    if (merge_end != ranges_.end() && merged_last != max_offset && merge_end->first == merged_last + 1) {
        merged_last = merge_end->second;
        ++merge_end;
    }
    const auto hint = ranges_.erase(merge_begin, merge_end);
    ranges_.emplace_hint(hint, merged_first, merged_last);
    for (const auto& r : added)
        covered_bytes_ = saturating_add(covered_bytes_, length_of(r));
    return added;
}

bool range_set::covers(std::uint64_t first, std::uint64_t last) const noexcept {
    if (first > last)
        return true;
    auto it = ranges_.upper_bound(first);
    if (it == ranges_.begin())
        return false;
    // Ranges are merged, so one stored range must hold all of [first, last].
    return std::prev(it)->second >= last;
}

std::vector<range_set::range> range_set::missing(std::uint64_t first, std::uint64_t last) const {
    std::vector<range> gaps;
    if (first <= last)
        collect_gaps(ranges_, first_touching(ranges_, first), first, last, gaps);
    return gaps;
}

std::uint64_t range_set::contiguous_from(std::uint64_t first) const noexcept {
    assert(first >= 1);
    auto it = ranges_.upper_bound(first);
    if (it != ranges_.begin()) {
        --it;
        if (it->second >= first)
            return it->second;
    }
    return first - 1;
}

void range_set::clear() noexcept {
    ranges_.clear();
    covered_bytes_ = 0;
}

std::vector<range_set::range> range_set::ranges() const {
    return std::vector<range>(ranges_.begin(), ranges_.end());
}

} // namespace msrp
