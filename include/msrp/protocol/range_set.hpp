#pragma once
/// \file
/// Which octets of a message have arrived: a set of disjoint inclusive
/// byte ranges, as a receiver of chunked SENDs (RFC 4975 §7.3.1) keeps it.

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace msrp {

/// A set of disjoint, non-adjacent inclusive ranges `[first, last]` of
/// octet positions, numbered from 1 as in Byte-Range (RFC 4975 §9).
///
/// Chunks of one message may arrive out of order, twice (a sender that
/// resends after a 408 or a failover, RFC 4975 §7.1.1) or overlapping (a
/// relay re-chunks, RFC 4976 §7.1). `insert()` tells which octets are new,
/// so a receiver writes each octet once and can tell when the message is
/// complete (`covers(1, total)`).
///
/// Ranges are merged on insert, adjacent ones too (`[1,5]` + `[6,9]` is
/// `[1,9]`), so `size()` counts the gaps a receiver still has to fill plus
/// one. A range with `first > last` is empty: inserting it is a no-op and
/// it is trivially covered. Every range value is valid, including 0 and
/// `UINT64_MAX`; nothing overflows. Inserts cost O(log n + k) for k ranges
/// merged. The class never throws except `std::bad_alloc`.
class range_set {
public:
    /// An inclusive range `[first, last]`.
    using range = std::pair<std::uint64_t, std::uint64_t>;

    /// Adds `[first, last]` and returns the parts of it that were not in
    /// the set before, in ascending order: empty when every octet was
    /// already there (a complete duplicate) or when `first > last`.
    std::vector<range> insert(std::uint64_t first, std::uint64_t last);

    /// Whether every octet of `[first, last]` is in the set (true when
    /// `first > last`).
    bool covers(std::uint64_t first, std::uint64_t last) const noexcept;

    /// The gaps of the set inside `[first, last]`, in ascending order:
    /// what is still missing of that range (empty when `covers()`).
    std::vector<range> missing(std::uint64_t first, std::uint64_t last) const;

    /// The largest `end` such that `[first, end]` is covered, or
    /// `first - 1` when `first` itself is not: how far a message can be
    /// delivered in order from `first`. Requires `first >= 1` (octets are
    /// numbered from 1), so that `first - 1` does not wrap.
    std::uint64_t contiguous_from(std::uint64_t first) const noexcept;

    /// The number of octets in the set (saturates at `UINT64_MAX` for the
    /// one set that holds all 2^64 values, `[0, UINT64_MAX]`).
    std::uint64_t covered_bytes() const noexcept { return covered_bytes_; }

    /// The number of disjoint ranges.
    std::size_t size() const noexcept { return ranges_.size(); }
    bool empty() const noexcept { return ranges_.empty(); }
    void clear() noexcept;

    /// The ranges in ascending order (for success REPORTs of what arrived,
    /// logs and tests).
    std::vector<range> ranges() const;

private:
    std::map<std::uint64_t, std::uint64_t> ranges_; ///< first -> last
    std::uint64_t covered_bytes_ = 0;
};

} // namespace msrp
