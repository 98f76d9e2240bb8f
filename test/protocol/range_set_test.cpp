// The set of received byte ranges of a message (RFC 4975 §7.3.1): merging,
// new-octet reporting, gaps, and a randomized check against a bitmap model.

#include <msrp/protocol/range_set.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using msrp::range_set;
using ranges = std::vector<range_set::range>;

namespace {

constexpr std::uint64_t max_u64 = std::numeric_limits<std::uint64_t>::max();

std::string show(const ranges& rs) {
    std::ostringstream out;
    out << '{';
    for (const auto& r : rs)
        out << " [" << r.first << ',' << r.second << ']';
    out << " }";
    return out.str();
}

} // namespace

TEST_CASE("range_set: empty set", "[range_set]") {
    range_set s;
    CHECK(s.empty());
    CHECK(s.size() == 0);
    CHECK(s.covered_bytes() == 0);
    CHECK(s.ranges().empty());
    CHECK_FALSE(s.covers(1, 1));
    CHECK(s.covers(5, 4)); // empty range
    CHECK(s.missing(1, 10) == ranges{{1, 10}});
    CHECK(s.missing(3, 2).empty());
    CHECK(s.contiguous_from(1) == 0);
    CHECK(s.contiguous_from(7) == 6);
}

TEST_CASE("range_set: inserts merge, coalesce and report new octets", "[range_set]") {
    struct step {
        std::uint64_t first, last;
        ranges added;     // what insert() returns
        ranges after;     // the whole set afterwards
        std::uint64_t covered;
    };
    struct row {
        const char* what;
        std::vector<step> steps;
    };
    const row table[] = {
        {"single range", {{1, 10, {{1, 10}}, {{1, 10}}, 10}}},
        {"single octet", {{5, 5, {{5, 5}}, {{5, 5}}, 1}}},
        {"empty insert is a no-op", {{1, 10, {{1, 10}}, {{1, 10}}, 10}, {20, 19, {}, {{1, 10}}, 10}}},
        {"empty insert into an empty set", {{2, 1, {}, {}, 0}}},
        {"disjoint, kept apart", {{1, 10, {{1, 10}}, {{1, 10}}, 10}, {20, 30, {{20, 30}}, {{1, 10}, {20, 30}}, 21}}},
        {"adjacent after coalesces", {{1, 10, {{1, 10}}, {{1, 10}}, 10}, {11, 20, {{11, 20}}, {{1, 20}}, 20}}},
        {"adjacent before coalesces", {{11, 20, {{11, 20}}, {{11, 20}}, 10}, {1, 10, {{1, 10}}, {{1, 20}}, 20}}},
        {"fills the gap between two ranges exactly",
         {{1, 10, {{1, 10}}, {{1, 10}}, 10},
          {21, 30, {{21, 30}}, {{1, 10}, {21, 30}}, 20},
          {11, 20, {{11, 20}}, {{1, 30}}, 30}}},
        {"exact duplicate", {{1, 10, {{1, 10}}, {{1, 10}}, 10}, {1, 10, {}, {{1, 10}}, 10}}},
        {"duplicate inside", {{1, 10, {{1, 10}}, {{1, 10}}, 10}, {3, 7, {}, {{1, 10}}, 10}}},
        {"overlap at the end", {{1, 10, {{1, 10}}, {{1, 10}}, 10}, {5, 15, {{11, 15}}, {{1, 15}}, 15}}},
        {"overlap at the start", {{5, 15, {{5, 15}}, {{5, 15}}, 11}, {1, 10, {{1, 4}}, {{1, 15}}, 15}}},
        {"superset of one range", {{5, 10, {{5, 10}}, {{5, 10}}, 6}, {1, 20, {{1, 4}, {11, 20}}, {{1, 20}}, 20}}},
        {"spans several ranges and gaps",
         {{3, 4, {{3, 4}}, {{3, 4}}, 2},
          {8, 9, {{8, 9}}, {{3, 4}, {8, 9}}, 4},
          {15, 20, {{15, 20}}, {{3, 4}, {8, 9}, {15, 20}}, 10},
          {1, 17, {{1, 2}, {5, 7}, {10, 14}}, {{1, 20}}, 20}}},
        {"overlaps two, leaves the third",
         {{1, 5, {{1, 5}}, {{1, 5}}, 5},
          {10, 15, {{10, 15}}, {{1, 5}, {10, 15}}, 11},
          {30, 40, {{30, 40}}, {{1, 5}, {10, 15}, {30, 40}}, 22},
          {4, 12, {{6, 9}}, {{1, 15}, {30, 40}}, 26}}},
        {"ends right before the next range, coalesces with it",
         {{20, 30, {{20, 30}}, {{20, 30}}, 11},
          {1, 5, {{1, 5}}, {{1, 5}, {20, 30}}, 16},
          {3, 19, {{6, 19}}, {{1, 30}}, 30}}},
        {"starts right after a range, overlaps the next",
         {{1, 5, {{1, 5}}, {{1, 5}}, 5},
          {10, 20, {{10, 20}}, {{1, 5}, {10, 20}}, 16},
          {6, 12, {{6, 9}}, {{1, 20}}, 20}}},
        {"out of order chunks of a message",
         {{2049, 4096, {{2049, 4096}}, {{2049, 4096}}, 2048},
          {6145, 8192, {{6145, 8192}}, {{2049, 4096}, {6145, 8192}}, 4096},
          {1, 2048, {{1, 2048}}, {{1, 4096}, {6145, 8192}}, 6144},
          {4097, 6144, {{4097, 6144}}, {{1, 8192}}, 8192}}},
        {"offset 0 and the top of the range",
         {{0, 0, {{0, 0}}, {{0, 0}}, 1},
          {max_u64, max_u64, {{max_u64, max_u64}}, {{0, 0}, {max_u64, max_u64}}, 2},
          {max_u64 - 5, max_u64, {{max_u64 - 5, max_u64 - 1}}, {{0, 0}, {max_u64 - 5, max_u64}}, 7},
          {1, max_u64 - 6, {{1, max_u64 - 6}}, {{0, max_u64}}, max_u64}}},
        {"everything at once saturates covered_bytes", {{0, max_u64, {{0, max_u64}}, {{0, max_u64}}, max_u64}}},
    };
    for (const auto& r : table) {
        INFO(r.what);
        range_set s;
        for (const auto& st : r.steps) {
            INFO("insert [" << st.first << ',' << st.last << "] into " << show(s.ranges()));
            const auto added = s.insert(st.first, st.last);
            INFO("returned " << show(added) << ", set now " << show(s.ranges()));
            CHECK(added == st.added);
            CHECK(s.ranges() == st.after);
            CHECK(s.size() == st.after.size());
            CHECK(s.empty() == st.after.empty());
            CHECK(s.covered_bytes() == st.covered);
        }
    }
}

TEST_CASE("range_set: covers, missing and contiguous_from", "[range_set]") {
    range_set s;
    s.insert(3, 5);
    s.insert(10, 12);
    s.insert(20, 20);
    REQUIRE(s.ranges() == ranges{{3, 5}, {10, 12}, {20, 20}});

    struct cover_row {
        std::uint64_t first, last;
        bool covered;
    };
    const cover_row covers[] = {
        {3, 5, true},   {3, 3, true},   {4, 5, true},   {5, 5, true},    {10, 12, true}, {20, 20, true},
        {2, 5, false},  {3, 6, false},  {1, 1, false},  {6, 9, false},   {5, 10, false}, {3, 12, false},
        {19, 20, false}, {20, 21, false}, {13, 13, false}, {100, 200, false},
        {7, 6, true},   {100, 50, true}, // empty ranges
    };
    for (const auto& c : covers) {
        INFO("covers(" << c.first << ", " << c.last << ")");
        CHECK(s.covers(c.first, c.last) == c.covered);
    }

    struct missing_row {
        std::uint64_t first, last;
        ranges gaps;
    };
    const missing_row missing[] = {
        {1, 25, {{1, 2}, {6, 9}, {13, 19}, {21, 25}}},
        {3, 20, {{6, 9}, {13, 19}}},
        {4, 11, {{6, 9}}},
        {6, 9, {{6, 9}}},
        {5, 10, {{6, 9}}},
        {3, 5, {}},
        {11, 11, {}},
        {1, 2, {{1, 2}}},
        {21, 21, {{21, 21}}},
        {12, 20, {{13, 19}}},
        {0, 3, {{0, 2}}},
        {9, 8, {}},
        {19, max_u64, {{19, 19}, {21, max_u64}}},
    };
    for (const auto& m : missing) {
        INFO("missing(" << m.first << ", " << m.last << ") = " << show(s.missing(m.first, m.last)));
        CHECK(s.missing(m.first, m.last) == m.gaps);
    }

    struct contiguous_row {
        std::uint64_t first, end;
    };
    const contiguous_row contiguous[] = {
        {1, 0}, {2, 1}, {3, 5}, {4, 5}, {5, 5}, {6, 5}, {9, 8}, {10, 12}, {12, 12}, {13, 12}, {20, 20}, {21, 20},
    };
    for (const auto& c : contiguous) {
        INFO("contiguous_from(" << c.first << ")");
        CHECK(s.contiguous_from(c.first) == c.end);
    }
    s.insert(1, 2);
    s.insert(6, 9);
    CHECK(s.contiguous_from(1) == 12);
    CHECK(s.covers(1, 12));
    CHECK(s.size() == 2);

    s.clear();
    CHECK(s.empty());
    CHECK(s.size() == 0);
    CHECK(s.covered_bytes() == 0);
    CHECK(s.contiguous_from(1) == 0);
    CHECK(s.insert(1, 3) == ranges{{1, 3}});
    CHECK(s.covered_bytes() == 3);
}

TEST_CASE("range_set: randomized against a bitmap model", "[range_set][random]") {
    const std::uint64_t seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);

    // Offsets 1..n; position 0 of the bitmap stays unused. A small n makes
    // merges, adjacency and duplicates frequent.
    for (std::uint64_t n : {8u, 40u, 300u}) {
        INFO("n = " << n);
        for (int round = 0; round < 50; ++round) {
            range_set s;
            std::vector<bool> model(n + 2, false);
            std::uniform_int_distribution<std::uint64_t> offset(1, n);
            auto random_range = [&] {
                std::uint64_t a = offset(rng), b = offset(rng);
                // Mostly ordered, short ranges; sometimes first > last (empty).
                if (rng() % 8 != 0 && a > b)
                    std::swap(a, b);
                if (rng() % 2 == 0 && a <= b)
                    b = std::min<std::uint64_t>(n, a + rng() % 6);
                return std::pair{a, b};
            };
            const int inserts = static_cast<int>(rng() % (2 * n)) + 1;
            for (int i = 0; i < inserts; ++i) {
                const auto [first, last] = random_range();
                INFO("insert [" << first << ',' << last << "] into " << show(s.ranges()));

                ranges expected_added;
                for (std::uint64_t x = first; x <= last; ++x) {
                    if (model[x])
                        continue;
                    if (!expected_added.empty() && expected_added.back().second + 1 == x)
                        expected_added.back().second = x;
                    else
                        expected_added.emplace_back(x, x);
                }
                REQUIRE(s.insert(first, last) == expected_added);
                for (std::uint64_t x = first; x <= last; ++x)
                    model[x] = true;

                // The set is exactly the model's maximal runs.
                ranges runs;
                std::uint64_t count = 0;
                for (std::uint64_t x = 1; x <= n; ++x) {
                    if (!model[x])
                        continue;
                    ++count;
                    if (!runs.empty() && runs.back().second + 1 == x)
                        runs.back().second = x;
                    else
                        runs.emplace_back(x, x);
                }
                REQUIRE(s.ranges() == runs);
                REQUIRE(s.size() == runs.size());
                REQUIRE(s.covered_bytes() == count);

                // Queries on random ranges.
                for (int q = 0; q < 4; ++q) {
                    const auto [qf, ql] = random_range();
                    INFO("query [" << qf << ',' << ql << "]");
                    bool all = true;
                    ranges gaps;
                    for (std::uint64_t x = qf; x <= ql; ++x) {
                        if (model[x])
                            continue;
                        all = false;
                        if (!gaps.empty() && gaps.back().second + 1 == x)
                            gaps.back().second = x;
                        else
                            gaps.emplace_back(x, x);
                    }
                    REQUIRE(s.covers(qf, ql) == all);
                    REQUIRE(s.missing(qf, ql) == gaps);
                    std::uint64_t end = qf - 1;
                    while (end + 1 <= n && model[end + 1])
                        ++end;
                    REQUIRE(s.contiguous_from(qf) == end);
                }
            }
        }
    }
}
