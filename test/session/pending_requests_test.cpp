// The session's queue of requests waiting for answers: found by
// transaction id, kept in sending order, answered ones dropped from the
// front, expired ones taken in order, and bounded while an unanswered one
// holds the front.

#include "session/core/pending_requests.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace {

using requests = msrp::detail::pending_requests<int>;
using clock_type = requests::clock;

const clock_type::time_point t0{};

clock_type::time_point at(int seconds) { return t0 + std::chrono::seconds(seconds); }

std::string tid(int n) { return "tid" + std::to_string(n); }

std::vector<std::string> waiting(const requests& r) {
    std::vector<std::string> ids;
    r.for_each([&](std::string_view id, int) { ids.emplace_back(id); });
    return ids;
}

} // namespace

TEST_CASE("pending requests: answers in any order, the front trimmed", "[session][pending]") {
    requests r;
    for (int i = 0; i < 5; ++i)
        r.add(tid(i), at(i), i * 10);
    CHECK(r.size() == 5);
    int got = -1;
    REQUIRE(r.take(tid(2), got));
    CHECK(got == 20);
    CHECK_FALSE(r.take(tid(2), got)); // once
    CHECK_FALSE(r.take("unknown", got));
    r.trim([](int) { return false; });
    CHECK(r.entries() == 5); // the front still waits
    REQUIRE(r.take(tid(0), got));
    REQUIRE(r.take(tid(1), got));
    r.trim([](int) { return false; });
    CHECK(r.entries() == 2); // 0, 1 and 2 answered: dropped up to 3
    CHECK(waiting(r) == std::vector<std::string>{tid(3), tid(4)});
    // A request whose answer no longer matters goes from the front too.
    r.trim([](int v) { return v == 30; });
    CHECK(waiting(r) == std::vector<std::string>{tid(4)});
    CHECK(r.size() == 1);
    CHECK_FALSE(r.take(tid(3), got));
}

TEST_CASE("pending requests: deadlines in sending order, answered ones skipped", "[session][pending]") {
    requests r;
    for (int i = 0; i < 4; ++i)
        r.add(tid(i), at(10 + i), i);
    int got = -1;
    REQUIRE(r.take(tid(0), got));
    CHECK(r.next_deadline() == at(11));
    std::string id;
    CHECK_FALSE(r.take_expired(at(10), id, got));
    REQUIRE(r.take(tid(2), got));
    std::vector<std::string> expired;
    while (r.take_expired(at(13), id, got))
        expired.push_back(id);
    CHECK(expired == std::vector<std::string>{tid(1), tid(3)});
    CHECK(r.empty());
    CHECK(r.next_deadline() == clock_type::time_point::max());
}

TEST_CASE("pending requests: a transaction id sent again replaces the earlier request", "[session][pending]") {
    requests r;
    CHECK_FALSE(r.add("same", at(1), 1));
    CHECK_FALSE(r.add("other", at(2), 2));
    CHECK(r.contains("same"));
    const auto replaced = r.add("same", at(3), 3);
    REQUIRE(replaced); // handed back for its verdict
    CHECK(*replaced == 1);
    CHECK(r.size() == 2);
    int got = -1;
    REQUIRE(r.take("same", got));
    CHECK(got == 3);
    CHECK(waiting(r) == std::vector<std::string>{"other"});
}

TEST_CASE("pending requests: an unanswered front does not keep everything behind it", "[session][pending]") {
    requests r;
    r.add("stuck", at(0), -1);
    int got = 0;
    for (int i = 0; i < 100000; ++i) {
        r.add(tid(i), at(1), i);
        REQUIRE(r.take(tid(i), got));
        REQUIRE(got == i);
        r.trim([](int) { return false; });
    }
    CHECK(r.size() == 1);
    CHECK(r.entries() < 2048);
    // Still found, and still first to expire, after the entries were renumbered.
    std::string id;
    REQUIRE(r.take_expired(at(0), id, got));
    CHECK(id == "stuck");
    CHECK(got == -1);
    // And numbering stays right for what comes after.
    r.add("late", at(5), 7);
    REQUIRE(r.take("late", got));
    CHECK(got == 7);
}
