// The session's flat map of idents against std::unordered_map under random
// operations (inserts, finds, erases, takes), including long probe runs
// that wrap around the end of the table.

#include <msrp/detail/ident_map.hpp>

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <unordered_map>

namespace {

std::string key_of(std::uint64_t n) {
    // Short keys with shared prefixes, as sequential Message-IDs are.
    return "msg" + std::to_string(n);
}

} // namespace

TEST_CASE("ident_map behaves as a map under random operations", "[session][ident_map]") {
    msrp::detail::ident_map<int> map;
    std::unordered_map<std::string, int> model;
    std::mt19937_64 gen(42);
    for (int step = 0; step < 200000; ++step) {
        // Keys from a range that grows and shrinks, so the table grows and
        // entries are erased from long runs.
        const std::uint64_t range = 64 + (step / 1000 % 20) * 50;
        const auto key = key_of(gen() % range);
        switch (gen() % 4) {
        case 0: {
            const int value = static_cast<int>(gen() % 1000);
            const auto [v, inserted] = map.try_emplace(key, value);
            const auto [it, model_inserted] = model.try_emplace(key, value);
            REQUIRE(inserted == model_inserted);
            REQUIRE(*v == it->second);
            break;
        }
        case 1:
            REQUIRE(map.erase(key) == (model.erase(key) == 1));
            break;
        case 2: {
            int out = -1;
            const bool took = map.take(key, out);
            const auto it = model.find(key);
            REQUIRE(took == (it != model.end()));
            if (took) {
                REQUIRE(out == it->second);
                model.erase(it);
            }
            break;
        }
        default: {
            const int* v = map.find(key);
            const auto it = model.find(key);
            REQUIRE((v != nullptr) == (it != model.end()));
            if (v)
                REQUIRE(*v == it->second);
        }
        }
        REQUIRE(map.size() == model.size());
    }
    // Every entry is found, and iteration sees each once.
    std::size_t seen = 0;
    map.for_each([&](std::string_view k, const int& v) {
        ++seen;
        const auto it = model.find(std::string(k));
        REQUIRE(it != model.end());
        REQUIRE(it->second == v);
    });
    CHECK(seen == model.size());
}

TEST_CASE("ident_map refuses keys longer than an ident", "[session][ident_map]") {
    msrp::detail::ident_map<int> map;
    const std::string longest(32, 'a'), too_long(33, 'a');
    CHECK(map.try_emplace(longest, 1).second);
    CHECK(map.try_emplace(too_long, 2).first == nullptr);
    CHECK_FALSE(map.insert_or_assign(too_long, 2));
    CHECK(map.find(too_long) == nullptr);
    CHECK(*map.find(longest) == 1);
    CHECK(map.insert_or_assign(longest, 3));
    CHECK(*map.find(longest) == 3);
    CHECK(map.size() == 1);
    map.clear();
    CHECK(map.empty());
    CHECK(map.find(longest) == nullptr);
}

TEST_CASE("ident_map emptied after a burst lets its table go and works on", "[session][ident_map]") {
    msrp::detail::ident_map<int> map;
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 2000; ++i)
            REQUIRE(map.try_emplace(key_of(i), i).second);
        CHECK(map.size() == 2000);
        for (int i = 0; i < 2000; i += 2) {
            int out = -1;
            REQUIRE(map.take(key_of(i), out));
            REQUIRE(out == i);
        }
        for (int i = 1; i < 2000; i += 2)
            REQUIRE(map.erase(key_of(i)));
        CHECK(map.empty());
        CHECK_FALSE(map.find(key_of(1)));
        CHECK_FALSE(map.erase(key_of(1)));
    }
    REQUIRE(map.try_emplace("after", 7).second);
    CHECK(*map.find("after") == 7);
}
