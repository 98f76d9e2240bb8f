// The session core step by step: empty SENDs (keep-alives, RFC 4975 §7.1)
// are answered and not delivered, yet the application can see them: the
// session's stats count them and the empty-send handler gets each one;
// the keep-alives the session sends itself are counted too.

#include "../support/core_steps.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace std::chrono_literals;
using msrp::Chunk;
using msrp::errc;
using msrp::test::core_driver;
using msrp::test::peer_params;
using msrp::test::sends_of;
using msrp::test::small_chunks;

TEST_CASE("core: empty SENDs received are answered, not delivered, counted and shown to the handler",
          "[core][keepalive][stats]") {
    core_driver d(small_chunks());
    std::vector<std::string> heard; // transaction ids the handler saw
    d.core.set_empty_send_handler([&](const msrp::IncomingChunk& c) { heard.push_back(c.transaction_id); });
    auto plain = core_driver::peer_send(peer_params(""));
    auto keepalive = core_driver::peer_send(peer_params(""));
    keepalive.set_header("Keep-Alive", "yes");
    auto unanswered = core_driver::peer_send(peer_params(""));
    unanswered.set_header("Failure-Report", "no");
    auto elsewhere = core_driver::peer_send(peer_params(""));
    elsewhere.set_to_path(msrp::Path{msrp::URI::parse("msrp://alice.example:2855/other-session;tcp")});
    auto message = core_driver::peer_send(peer_params("a message"));
    for (const Chunk* c : {&plain, &keepalive, &unanswered, &elsewhere, &message})
        d.read(*c);
    REQUIRE(d.incoming.size() == 1);
    CHECK(d.incoming[0].data == "a message");
    // Not another session's (481), not one with a body.
    CHECK(heard == std::vector<std::string>{plain.transaction_id, keepalive.transaction_id, unanswered.transaction_id});
    CHECK(d.core.stats().empty_sends_received == 3);
    CHECK(d.core.stats().keepalives_received == 1);
    CHECK(d.core.stats().keepalives_sent == 0);
    d.core.on_read_wait();
    d.write_all();
    std::vector<int> codes;
    for (const auto& c : d.written)
        codes.push_back(c.code);
    CHECK(codes == std::vector<int>{200, 200, 481, 200});

    // Once the session object is gone the handler is not called; the count goes on.
    d.core.detach();
    d.read(keepalive);
    CHECK(heard.size() == 3);
    CHECK(d.core.stats().empty_sends_received == 4);
    CHECK(d.core.stats().keepalives_received == 2);
}

TEST_CASE("core: the handler may close the session from inside its call", "[core][keepalive][stats]") {
    core_driver d(small_chunks());
    d.core.set_empty_send_handler([&](const msrp::IncomingChunk&) { d.core.end(make_error_code(errc::session_closed)); });
    const auto keepalive = core_driver::peer_send(peer_params(""));
    d.read(keepalive);
    CHECK(d.core.ended());
    CHECK(d.core.stats().empty_sends_received == 1);
    CHECK(d.broken_promises().empty());
}

TEST_CASE("core: keep-alives sent are counted, and those the peer answers", "[core][keepalive][stats]") {
    auto o = small_chunks();
    o.keepalive_interval = 300ms;
    core_driver d(o);
    d.advance(300ms);
    d.write_all();
    REQUIRE(sends_of(d.written).size() == 1);
    CHECK(d.core.stats().keepalives_sent == 1);
    CHECK(d.core.stats().keepalives_answered == 0);
    d.read(core_driver::response_to(d.written.back(), 200));
    CHECK(d.core.stats().keepalives_answered == 1);
    d.advance(300ms);
    d.write_all();
    REQUIRE(sends_of(d.written).size() == 2);
    CHECK(d.core.stats().keepalives_sent == 2);
    // Unanswered: the local 408 is no answer, and the session ends.
    d.advance(1000ms);
    CHECK(d.core.ended());
    CHECK(d.core.stats().keepalives_sent == 2);
    CHECK(d.core.stats().keepalives_answered == 1);
    // What this side sent is not what it received.
    CHECK(d.core.stats().empty_sends_received == 0);
}
