// Empty SENDs and keep-alives over real loopback: a session answers them
// and delivers nothing, yet its stats count them and its empty-send
// handler sees each one; the keep-alives a session sends are counted too.

#include "../support/session_helpers.hpp"
#include "../support/io_test.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using msrp::test::incoming_log;

TEST_CASE("empty SENDs from a peer: answered 200, not delivered, counted and shown to the handler",
          "[session][keepalive][stats]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        incoming_log received;
        msrp::session_options options;
        options.response_timeout = 2s;
        msrp::MSRPSession receiver(std::move(pair.accepted), options, received.handler());
        std::vector<msrp::IncomingChunk> heard;
        receiver.set_empty_send_handler([&](const msrp::IncomingChunk& c) { heard.push_back(c); });
        auto& raw = *pair.connected;

        const auto empty = raw.make_chunk();
        co_await raw.write_chunk(empty);
        const auto r1 = co_await raw.read_chunk();
        CHECK(r1.transaction_id == empty.transaction_id);
        CHECK(r1.code == 200);
        auto keepalive = raw.make_chunk();
        keepalive.set_header("Keep-Alive", "yes");
        co_await raw.write_chunk(keepalive);
        const auto r2 = co_await raw.read_chunk();
        CHECK(r2.transaction_id == keepalive.transaction_id);
        CHECK(r2.code == 200);

        REQUIRE(heard.size() == 2);
        CHECK(heard[0].transaction_id == empty.transaction_id);
        CHECK(heard[1].transaction_id == keepalive.transaction_id);
        CHECK(heard[1].keep_alive() == "yes");
        CHECK(received.messages.empty());
        const auto stats = receiver.stats();
        CHECK(stats.empty_sends_received == 2);
        CHECK(stats.keepalives_received == 1);
        CHECK(stats.keepalives_sent == 0);
    });
}

TEST_CASE("keep-alives between two sessions: the prober counts what it sent and what was answered, "
          "the peer what it received",
          "[session][keepalive][stats]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::session_options probing;
        probing.keepalive_interval = 20ms;
        probing.response_timeout = 2s;
        msrp::MSRPSession prober(std::move(pair.connected), probing);
        incoming_log received;
        msrp::MSRPSession peer(std::move(pair.accepted), msrp::session_options{}, received.handler());
        int heard = 0;
        peer.set_empty_send_handler([&](const msrp::IncomingChunk& c) {
            ++heard;
            CHECK(c.keep_alive() == "yes");
            CHECK_FALSE(c.has_body);
        });
        REQUIRE_EVENTUALLY(heard >= 3 && prober.stats().keepalives_answered >= 3);
        const auto sent = prober.stats();
        const auto got = peer.stats();
        CHECK(sent.keepalives_sent >= sent.keepalives_answered);
        CHECK(got.empty_sends_received == static_cast<std::uint64_t>(heard));
        CHECK(got.keepalives_received == got.empty_sends_received);
        CHECK(got.keepalives_received >= sent.keepalives_answered);
        CHECK(got.keepalives_sent == 0);
        CHECK(sent.empty_sends_received == 0);
        CHECK(received.messages.empty());
        CHECK(prober.is_open());
        CHECK(peer.is_open());
    });
}
