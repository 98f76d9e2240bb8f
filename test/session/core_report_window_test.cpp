// The session core step by step: the REPORT window
// (`session_options::max_unreported_bytes`) holds a message's next chunk
// until success REPORTs cover enough of what was sent; a receiver that
// never reports progress fails the message in bounded time instead of
// stalling it. And the receiver's side: progress REPORTs
// (`session_options::progress_report_bytes`).

#include "../support/core_steps.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace std::chrono_literals;
using msrp::ByteRange;
using msrp::Chunk;
using msrp::errc;
using msrp::test::core_driver;
using msrp::test::peer_params;
using msrp::test::reports_of;
using msrp::test::sends_of;
using msrp::test::small_chunks;

namespace {

msrp::session_options report_window(std::size_t max_unreported, std::size_t chunk_size = 100) {
    auto o = small_chunks(chunk_size);
    o.max_unreported_bytes = max_unreported;
    return o;
}

auto success_report_yes = [](msrp::detail::outgoing_message& m) { m.success_report_field = "yes"; };

// Body bytes of `id` written so far.
std::uint64_t sent_bytes(const core_driver& d, const std::string& id) {
    std::uint64_t n = 0;
    for (const auto& c : sends_of(d.written))
        if (c.message_id() == id)
            n += c.data.size();
    return n;
}

} // namespace

TEST_CASE("core: the REPORT window holds a message's next chunk until success REPORTs make room", "[core][report-window]") {
    core_driver d(report_window(300));
    auto& paced = d.send(std::string(1000, 'p'), success_report_yes);
    auto& unpaced = d.send(std::string(1000, 'u')); // no Success-Report: no REPORT window
    d.write_all();
    CHECK(sent_bytes(d, paced.id) == 300);
    CHECK(sent_bytes(d, unpaced.id) == 1000);
    // Hop-by-hop 200s (a relay's) make no room.
    d.answer_all(0, 200);
    d.write_all();
    CHECK(sent_bytes(d, paced.id) == 300);
    CHECK_FALSE(d.core.want_write()); // the writer may sleep
    CHECK(unpaced.finals() == 1);
    // A REPORT for one chunk: room for one more.
    d.read(core_driver::peer_report(paced.id, 200, ByteRange{1, 100, 1000}));
    CHECK(d.core.want_write());
    d.write_all();
    CHECK(sent_bytes(d, paced.id) == 400);
    // Chunk by chunk, out of order: 201-300 covers nothing new in order, yet it counts.
    d.read(core_driver::peer_report(paced.id, 200, ByteRange{201, 300, 1000}));
    d.write_all();
    CHECK(sent_bytes(d, paced.id) == 500);
    // Cumulative: 1-500 covers all that was sent; three more chunks go.
    d.read(core_driver::peer_report(paced.id, 200, ByteRange{1, 500, 1000}));
    d.write_all();
    CHECK(sent_bytes(d, paced.id) == 800);
    d.read(core_driver::peer_report(paced.id, 200, ByteRange{1, 800, 1000}));
    d.write_all();
    CHECK(sent_bytes(d, paced.id) == 1000);
    d.answer_all(0, 200);
    CHECK(paced.finals() == 0); // the last bytes are not reported yet
    d.read(core_driver::peer_report(paced.id, 200, ByteRange{1, 1000, 1000}));
    REQUIRE(paced.finals() == 1);
    CHECK(paced.final_report()->code == 200);
    // Each REPORT was a report on the way; the last one then the final report too.
    CHECK(paced.reports.size() == 6);
    std::string rebuilt;
    for (const auto& c : sends_of(d.written))
        if (c.message_id() == paced.id)
            rebuilt += c.data;
    CHECK(rebuilt == std::string(1000, 'p'));
    CHECK(d.core.queued_bytes() == 0);
    d.core.end(make_error_code(errc::session_closed));
    CHECK(d.broken_promises().empty());
}

TEST_CASE("core: the REPORT window never holds more than its bytes unreported; one smaller than a chunk sends one at a time",
          "[core][report-window]") {
    for (const std::size_t window : {50, 100, 250, 1000}) {
        INFO("window " << window);
        core_driver d(report_window(window));
        auto& m = d.send(std::string(2000, 'w'), success_report_yes);
        std::uint64_t reported = 0;
        for (int round = 0; round < 100 && m.finals() == 0; ++round) {
            const auto from = d.written.size();
            d.write_all();
            const auto sent = sent_bytes(d, m.id);
            CHECK(sent > reported); // progress every round
            CHECK(sent - reported <= std::max<std::size_t>(window, 100));
            d.answer_all(from, 200);
            reported = sent;
            d.read(core_driver::peer_report(m.id, 200, ByteRange{1, reported, 2000}));
        }
        REQUIRE(m.finals() == 1);
        CHECK(m.final_report()->code == 200);
    }
}

TEST_CASE("core: a source message is paced by REPORTs too", "[core][report-window]") {
    core_driver d(report_window(250));
    auto& m = d.send_from_source(std::string(1000, 's'), SIZE_MAX, std::nullopt, 0, success_report_yes);
    d.write_all();
    CHECK(sent_bytes(d, m.id) == 200);
    d.read(core_driver::peer_report(m.id, 200, ByteRange{1, 200, ByteRange::unknown}));
    d.write_all();
    CHECK(sent_bytes(d, m.id) == 400);
    d.core.end(make_error_code(errc::session_closed));
    CHECK(d.broken_promises().empty());
}

TEST_CASE("core: a receiver that reports no progress: the message fails after response_timeout with "
          "errc::report_window_stalled, and the peer gets '#'",
          "[core][report-window]") {
    core_driver d(report_window(300));
    auto& m = d.send(std::string(1000, 'x'), success_report_yes);
    d.write_all();
    d.answer_all(0, 200);
    CHECK(d.core.next_deadline() == d.now + 1000ms);
    d.advance(999ms);
    CHECK(m.finals() == 0);
    d.advance(1ms);
    d.write_all();
    const auto sends = sends_of(d.written);
    REQUIRE(sends.size() == 4);
    CHECK(sends.back().contflag == '#');
    CHECK(sends.back().byte_range() == ByteRange{301, 300, 1000});
    REQUIRE(m.finals() == 1);
    CHECK(m.final_report()->code == 408);
    CHECK(m.final_report()->error == errc::report_window_stalled);
    d.answer_all(0, 200);
    CHECK(d.core.queued_bytes() == 0);
    CHECK(d.core.unfinished_messages() == 0);
    d.core.end(make_error_code(errc::session_closed));
    CHECK(d.broken_promises().empty());
}

TEST_CASE("core: a REPORT that covers new bytes without making room starts the wait again", "[core][report-window]") {
    core_driver d(report_window(250));
    auto& m = d.send(std::string(1000, 'x'), success_report_yes);
    d.write_all();
    REQUIRE(sent_bytes(d, m.id) == 200); // 200 + the next 100 would pass 250
    d.answer_all(0, 200);
    d.advance(900ms);
    d.read(core_driver::peer_report(m.id, 200, ByteRange{1, 10, 1000})); // 190 + 100 > 250: no room
    d.write_all();
    CHECK(sent_bytes(d, m.id) == 200);
    d.advance(900ms);
    CHECK(m.finals() == 0);
    d.read(core_driver::peer_report(m.id, 200, ByteRange{1, 10, 1000})); // nothing new: no new time
    d.advance(100ms);
    d.write_all();
    REQUIRE(m.finals() == 1);
    CHECK(m.final_report()->error == errc::report_window_stalled);
}

TEST_CASE("core: a message waiting for REPORTs: abort_message sends '#' at once; a failure REPORT fails it; "
          "shutdown waits for it; the end reports it",
          "[core][report-window]") {
    core_driver d(report_window(200));
    auto& aborted = d.send(std::string(1000, 'a'), success_report_yes);
    auto& refused = d.send(std::string(1000, 'r'), success_report_yes);
    d.write_all();
    CHECK(d.core.abort_message(aborted.id));
    d.write_all();
    REQUIRE(aborted.finals() == 1);
    CHECK(aborted.final_report()->error == errc::message_aborted);
    CHECK(sends_of(d.written).back().contflag == '#');
    d.read(core_driver::peer_report(refused.id, 413, ByteRange{1, 1000, 1000}));
    REQUIRE(refused.finals() == 1);
    CHECK(refused.final_report()->code == 413);

    using step = msrp::detail::session_core::shutdown_step;
    core_driver e(report_window(200));
    auto& waiting = e.send(std::string(1000, 'w'), success_report_yes);
    e.write_all();
    e.answer_all(0, 200);
    e.core.begin_shutdown();
    CHECK(e.core.next_shutdown_step() == step::wait); // it has more to send
    e.run_out_deadlines();
    REQUIRE(waiting.finals() == 1);
    CHECK(waiting.final_report()->error == errc::report_window_stalled);
    e.answer_all(0, 200);
    CHECK(e.core.next_shutdown_step() == step::close_transport);

    core_driver f(report_window(200));
    auto& ended = f.send(std::string(1000, 'e'), success_report_yes);
    f.write_all();
    f.core.end(make_error_code(std::errc::connection_reset));
    REQUIRE(ended.finals() == 1);
    CHECK(ended.final_report()->error == std::make_error_code(std::errc::connection_reset));
    CHECK(f.core.next_deadline() == core_driver::time_point::max());
    CHECK(f.broken_promises().empty());
}

// ---- the receiver's progress REPORTs ----------------------------------------

namespace {

// The peer's message of `total` bytes as chunks of `chunk` bytes, Success-Report yes.
std::vector<Chunk> peer_message(std::string id, std::uint64_t total, std::uint64_t chunk, bool success_report = true) {
    std::vector<Chunk> out;
    for (std::uint64_t start = 1; start <= total; start += chunk) {
        const std::uint64_t end = std::min(total, start + chunk - 1);
        auto p = peer_params(std::string(end - start + 1, 'm'));
        p.message_id = id;
        p.start = start;
        p.end = end;
        p.length = total;
        p.contflag = end == total ? '$' : '+';
        auto c = core_driver::peer_send(p);
        if (success_report)
            c.set_header("Success-Report", "yes");
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<ByteRange> report_ranges(const core_driver& d) {
    std::vector<ByteRange> out;
    for (const auto& r : reports_of(d.written))
        out.push_back(r.byte_range().value_or(ByteRange{}));
    return out;
}

} // namespace

TEST_CASE("core: progress_report_bytes: a success REPORT for bytes 1-N each time N grew by that much, "
          "then the whole message's",
          "[core][receiver][report-window]") {
    auto o = small_chunks();
    o.progress_report_bytes = 250;
    core_driver d(o);
    for (const auto& c : peer_message("progress-1", 1000, 100))
        d.read(c);
    d.core.on_read_wait();
    d.write_all();
    CHECK(report_ranges(d) == std::vector<ByteRange>{{1, 300, 1000}, {1, 600, 1000}, {1, 900, 1000}, {1, 1000, 1000}});
    // Each after its chunk's 200.
    for (std::size_t i = 0; i < d.written.size(); ++i)
        if (d.written[i].method == "REPORT") {
            REQUIRE(i > 0);
            CHECK(d.written[i - 1].code == 200);
            CHECK(d.written[i].status()->code == 200);
            CHECK(d.written[i].message_id() == "progress-1");
        }
    REQUIRE(d.incoming.size() == 1);
    CHECK(d.incoming[0].data == std::string(1000, 'm'));
}

TEST_CASE("core: progress_report_bytes 1 reports every chunk that moves N on; out of order, duplicates, "
          "no Success-Report",
          "[core][receiver][report-window]") {
    auto o = small_chunks();
    o.progress_report_bytes = 1;
    core_driver d(o);
    const auto chunks = peer_message("in-order", 300, 100);
    d.read(chunks[1]); // 101-200: nothing in order yet
    d.read(chunks[0]); // 1-200
    d.read(chunks[0]); // a duplicate: nothing new
    d.read(chunks[2]); // the end: the whole message's REPORT
    for (const auto& c : peer_message("unasked", 300, 100, false))
        d.read(c);
    d.core.on_read_wait();
    d.write_all();
    CHECK(report_ranges(d) == std::vector<ByteRange>{{1, 200, 300}, {1, 300, 300}});
    // A message in pieces (beyond max_whole_message_bytes) and of unknown size is reported so too.
    auto big = o;
    big.receive.max_whole_message_bytes = 100;
    core_driver e(big);
    auto pieces = peer_message("pieces", 300, 100);
    for (std::size_t i = 0; i < pieces.size(); ++i)
        pieces[i].set_byte_range(ByteRange{1 + 100 * i, 100 * (i + 1), i + 1 == pieces.size() ? 300 : ByteRange::unknown});
    for (const auto& c : pieces)
        e.read(c);
    e.core.on_read_wait();
    e.write_all();
    CHECK(report_ranges(e) ==
          std::vector<ByteRange>{{1, 100, ByteRange::unknown}, {1, 200, ByteRange::unknown}, {1, 300, 300}});
    CHECK(e.incoming.size() == 3);
}

TEST_CASE("core: a stopped message gets no more progress REPORTs", "[core][receiver][report-window]") {
    auto o = small_chunks();
    o.progress_report_bytes = 1;
    core_driver d(o);
    const auto chunks = peer_message("stopped", 300, 100);
    d.read(chunks[0]);
    CHECK(d.core.stop_receiving("stopped"));
    d.read(chunks[1]);
    d.core.on_read_wait();
    d.write_all();
    const auto reports = reports_of(d.written);
    REQUIRE(reports.size() == 2);
    CHECK(reports[0].status()->code == 200); // 1-100, before the stop
    CHECK(reports[1].status()->code == 413); // the stop's failure REPORT
}
