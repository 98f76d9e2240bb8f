// The REPORT window over real loopback: a sender with
// `max_unreported_bytes` paced by the success REPORTs of a receiver with
// `progress_report_bytes` moves 8 MiB and never has more than its window
// unreported; a receiver that reports only whole messages fails a larger
// message in bounded time (`errc::report_window_stalled`, '#' to it)
// instead of stalling it, and the session goes on.

#include "../support/session_helpers.hpp"
#include "../support/io_test.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using msrp::errc;
using msrp::test::incoming_log;
using msrp::test::report_log;

namespace {

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = 1024 * KiB;

// The octet at position `pos` (from 1) of a message body.
char pattern_at(std::uint64_t pos) { return static_cast<char>('a' + (pos * 7 + pos / 4099) % 26); }

std::string pattern(std::uint64_t size) {
    std::string s(static_cast<std::size_t>(size), '\0');
    for (std::uint64_t i = 0; i < size; ++i)
        s[static_cast<std::size_t>(i)] = pattern_at(i + 1);
    return s;
}

} // namespace

TEST_CASE("REPORT window: 8 MiB paced by progress REPORTs arrive, never more than the window unreported",
          "[session][report-window]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::session_options sending;
        sending.chunk_size = 16 * KiB;
        sending.response_timeout = 10s;
        sending.max_unreported_bytes = 256 * KiB;
        msrp::session_options receiving;
        receiving.progress_report_bytes = 64 * KiB;

        // What the sender heard confirmed, and what the receiver got beyond it.
        std::uint64_t confirmed = 0;
        std::uint64_t received = 0;
        std::uint64_t wrong_bytes = 0;
        std::uint64_t most_unreported = 0;
        bool complete = false;
        msrp::MSRPSession receiver(std::move(pair.accepted), receiving,
                                   [&](msrp::IncomingMessage m, std::error_code ec) {
                                       if (ec || m.method != "SEND")
                                           return;
                                       const auto r = m.byte_range().value_or(msrp::ByteRange{});
                                       for (std::size_t i = 0; i < m.data.size(); ++i)
                                           wrong_bytes += m.data[i] != pattern_at(r.start + i);
                                       received += m.data.size();
                                       most_unreported = std::max(most_unreported, received - std::min(received, confirmed));
                                       complete = complete || m.complete();
                                   });
        msrp::MSRPSession sender(std::move(pair.connected), sending);
        int progress_reports = 0;
        std::optional<msrp::message_report> final;
        msrp::OutgoingMessage message;
        message.content_type = "application/octet-stream";
        message.data = pattern(8 * MiB);
        message.success_report = "yes";
        sender.send_message(std::move(message), [&](const msrp::message_report& r) {
            if (r.final) {
                final = r;
                return;
            }
            ++progress_reports;
            confirmed = std::max(confirmed, r.range.end);
        });
        const bool done = co_await msrp::test::wait_until([&] { return final.has_value(); }, std::chrono::seconds(60));
        REQUIRE(done);
        CHECK(final->code == 200);
        CHECK_FALSE(final->error);
        CHECK(complete);
        CHECK(received == 8 * MiB);
        CHECK(wrong_bytes == 0);
        // A REPORT every 64 KiB or so, and the window held.
        CHECK(progress_reports >= static_cast<int>(8 * MiB / (256 * KiB)));
        CHECK(most_unreported <= 256 * KiB);
        CHECK(most_unreported > 0);
        CHECK(sender.queued_bytes() == 0);
        CHECK(sender.pending_transactions() == 0);
    }, std::chrono::seconds(90));
}

TEST_CASE("REPORT window: a receiver that reports only whole messages fails a larger message with "
          "errc::report_window_stalled after response_timeout; it gets '#'; the session goes on",
          "[session][report-window]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::session_options sending;
        sending.chunk_size = 16 * KiB;
        sending.response_timeout = 1s;
        sending.max_unreported_bytes = 64 * KiB;
        incoming_log received;
        msrp::MSRPSession receiver(std::move(pair.accepted), msrp::session_options{}, received.handler());
        msrp::MSRPSession sender(std::move(pair.connected), sending);
        report_log reports;
        msrp::OutgoingMessage large;
        large.content_type = "application/octet-stream";
        large.data = pattern(512 * KiB);
        large.success_report = "yes";
        const auto large_id = sender.send_message(std::move(large), reports.handler());
        // Smaller than the window: whole-message REPORTs are enough.
        msrp::OutgoingMessage small;
        small.data = pattern(32 * KiB);
        small.success_report = "yes";
        const auto small_id = sender.send_message(std::move(small), reports.handler());
        REQUIRE_EVENTUALLY(reports.final_of(large_id) && reports.final_of(small_id));
        CHECK(reports.final_of(small_id)->code == 200);
        const auto failed = *reports.final_of(large_id);
        CHECK(failed.code == 408);
        CHECK(failed.error == errc::report_window_stalled);
        // The receiver heard that the message will not complete.
        REQUIRE_EVENTUALLY(std::any_of(received.messages.begin(), received.messages.end(), [&](const auto& m) {
            return m.message_id() == large_id && m.contflag == msrp::contflag::aborted;
        }));
        // The session goes on.
        msrp::OutgoingMessage after;
        after.data = "still here";
        const auto after_id = sender.send_message(std::move(after), reports.handler());
        REQUIRE_EVENTUALLY(reports.final_of(after_id).has_value());
        CHECK(reports.final_of(after_id)->code == 200);
        CHECK(sender.is_open());
        CHECK(sender.queued_bytes() == 0);
    });
}
