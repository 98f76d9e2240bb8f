// The send window over real loopback: a peer that answers only once its
// input stops (as a slow receiver does: it reads faster than it answers)
// never has more unanswered chunks than `max_requests_in_flight`, and a
// 200 MiB transfer in 2 KiB chunks to it succeeds instead of running into
// local 408s while the peer is alive and reading.

#include "../support/session_helpers.hpp"
#include "../support/io_test.hpp"

#include <msrp/protocol/make_chunk.hpp>

#include <asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using msrp::test::report_log;

namespace {

constexpr std::uint64_t MiB = 1024 * 1024;

// The octet at position `pos` (from 1) of the message body.
char pattern_at(std::uint64_t pos) { return static_cast<char>('a' + (pos * 7 + pos / 4099) % 26); }

struct pattern_source {
    std::uint64_t size = 0;
    std::uint64_t offset = 0;
};

msrp::OutgoingMessage::body_source source_of(std::shared_ptr<pattern_source> s) {
    return [s](std::span<char> buffer, std::error_code&) -> asio::awaitable<std::size_t> {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), s->size - s->offset));
        for (std::size_t i = 0; i < n; ++i)
            buffer[i] = pattern_at(s->offset + 1 + i);
        s->offset += n;
        co_return n;
    };
}

// A receiver that answers nothing while input keeps coming: it holds its
// 200s until nothing has arrived for `idle`, then writes them all.
struct holding_peer {
    msrp::MSRPTransport& transport;
    std::chrono::milliseconds idle;
    std::vector<msrp::Chunk> held;
    std::size_t most_held = 0;
    std::uint64_t bytes = 0;
    std::uint64_t wrong_bytes = 0;
    bool complete = false;
    bool failed = false;
    std::chrono::steady_clock::time_point last_read = std::chrono::steady_clock::now();

    asio::awaitable<void> read_all() {
        while (!complete) {
            std::error_code ec;
            auto chunk = co_await transport.read_chunk(std::nullopt, msrp::test::redirect(ec));
            if (ec) {
                failed = true;
                co_return;
            }
            last_read = std::chrono::steady_clock::now();
            if (!chunk.is_request())
                continue;
            const auto range = chunk.byte_range().value_or(msrp::ByteRange{});
            for (std::size_t i = 0; i < chunk.data.size(); ++i)
                wrong_bytes += chunk.data[i] != pattern_at(range.start + i);
            bytes += chunk.data.size();
            complete = chunk.contflag == msrp::contflag::complete;
            held.push_back(msrp::make_response(chunk, 200, transport.local_uri()));
            most_held = std::max(most_held, held.size());
        }
    }

    asio::awaitable<void> answer_when_idle() {
        for (;;) {
            co_await msrp::test::sleep_for(10ms);
            const bool idle_now = std::chrono::steady_clock::now() - last_read >= idle;
            if ((idle_now || complete) && !held.empty()) {
                auto answers = std::move(held);
                held.clear();
                for (const auto& a : answers)
                    co_await transport.write_chunk(a);
            }
            if ((complete && held.empty()) || failed)
                co_return;
        }
    }
};

// Sends `size` bytes of the pattern from a source through `sender` while
// `peer` reads and holds its answers; returns the message's final report.
asio::awaitable<msrp::message_report> send_to_holding_peer(msrp::MSRPSession& sender, holding_peer& peer,
                                                           std::uint64_t size) {
    using namespace asio::experimental::awaitable_operators;
    report_log reports;
    auto source = std::make_shared<pattern_source>();
    source->size = size;
    msrp::OutgoingMessage message;
    message.content_type = "application/octet-stream";
    message.source = source_of(source);
    message.size = size;
    const auto id = sender.send_message(std::move(message), reports.handler());
    co_await (peer.read_all() && peer.answer_when_idle());
    REQUIRE_EVENTUALLY(reports.final_of(id).has_value());
    co_return *reports.final_of(id);
}

} // namespace

TEST_CASE("send window: a peer that answers once its input stops holds at most max_requests_in_flight; "
          "200 MiB in 2 KiB chunks to it arrive",
          "[session][window]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::session_options options;
        options.chunk_size = 2048;
        options.response_timeout = 5s;
        const std::size_t window = options.max_requests_in_flight;
        msrp::MSRPSession sender(std::move(pair.connected), options);
        holding_peer peer{*pair.accepted, 50ms};
        const auto final = co_await send_to_holding_peer(sender, peer, 200 * MiB);
        CHECK(final.code == 200);
        CHECK_FALSE(final.error);
        CHECK(peer.bytes == 200 * MiB);
        CHECK(peer.wrong_bytes == 0);
        CHECK_FALSE(peer.failed);
        // The sender paced itself on the answers: never more in flight
        // than its window (without one, all 102,400 chunks would be).
        CHECK(peer.most_held <= window);
        CHECK(peer.most_held > 16); // the peer did hold answers back
        CHECK(sender.pending_transactions() == 0);
        CHECK(sender.queued_bytes() == 0);
    }, std::chrono::seconds(240));
}

TEST_CASE("send window: a small window and a peer holding its answers: one write's worth at a time",
          "[session][window]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::session_options options;
        options.chunk_size = 1000;
        options.max_requests_in_flight = 20;
        options.max_bytes_in_flight = 12000;
        msrp::MSRPSession sender(std::move(pair.connected), options);
        holding_peer peer{*pair.accepted, 30ms};
        const auto final = co_await send_to_holding_peer(sender, peer, 200000);
        CHECK(final.code == 200);
        CHECK(peer.bytes == 200000);
        CHECK(peer.wrong_bytes == 0);
        // The byte limit binds first: 12 chunks of 1000 bytes reach 12000.
        CHECK(peer.most_held == 12);
    }, std::chrono::seconds(60));
}
