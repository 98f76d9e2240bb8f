// The sans-IO session core step by step: chunks in, bytes and verdicts
// out, a fake clock, no sockets and no Asio (this executable links none).
// The loopback tests in session_test.cpp and transfer_test.cpp remain the
// acceptance net; these reach every rule and every failure point directly.

#include "../support/core_steps.hpp"

#include <msrp/protocol/report_rules.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace std::chrono_literals;
using msrp::ByteRange;
using msrp::Chunk;
using msrp::errc;
using msrp::test::core_driver;
using msrp::test::peer_params;
using msrp::test::sends_of;
using msrp::test::small_chunks;

TEST_CASE("core: a message goes out as one SEND with the session's paths; its 200 settles it", "[core]") {
    core_driver d;
    auto& m = d.send("hello");
    CHECK(d.core.queued_bytes() > 0);
    CHECK(d.core.want_write());
    REQUIRE(d.write_all() == 1);
    REQUIRE(d.written.size() == 1);
    const Chunk& send = d.written[0];
    CHECK(send.method == "SEND");
    CHECK(send.data == "hello");
    CHECK(send.message_id() == m.id);
    CHECK(send.byte_range() == ByteRange{1, 5, 5});
    CHECK(*send.find_header("To-Path") == "msrp://bob.example:2855/remote-session;tcp");
    CHECK(*send.find_header("From-Path") == "msrp://alice.example:2855/local-session;tcp");
    CHECK(d.core.pending_transactions() == 1);
    CHECK(m.finals() == 0);
    d.read(core_driver::response_to(send, 200));
    REQUIRE(m.finals() == 1);
    CHECK(m.final_report()->code == 200);
    CHECK_FALSE(m.final_report()->error);
    CHECK(d.core.pending_transactions() == 0);
    CHECK(d.core.queued_bytes() == 0);
    CHECK(d.core.unfinished_messages() == 0);
}

TEST_CASE("core: every chunk written is what serialize() writes for it, byte for byte", "[core][wire]") {
    core_driver d(small_chunks(10));
    d.send("a message cut into several chunks", [](msrp::detail::outgoing_message& m) {
        m.success_report_field = "yes";
        m.failure_report_field = "yes";
        m.headers.push_back(msrp::Header{"X-Extra", "value"});
        m.content_type = "text/x-test";
    });
    d.write_all();
    // The peer's SENDs: their 200s and a success REPORT are written by the core.
    auto p = peer_params("whole");
    p.message_id = "peer-message-1";
    auto peer = core_driver::peer_send(p);
    peer.set_header("Success-Report", "yes");
    d.read(peer);
    d.core.on_read_wait();
    d.write_all();
    REQUIRE(d.written.size() >= 6);
    for (std::size_t i = 0; i < d.written.size(); ++i) {
        INFO(d.written_bytes[i]);
        CHECK(msrp::to_wire(d.written[i]) == d.written_bytes[i]);
    }
}

TEST_CASE("core: a message larger than chunk_size goes in chunks; a failed chunk fails it and stops it", "[core]") {
    core_driver d(small_chunks(100));
    auto& m = d.send(std::string(250, 'x'));
    d.write_all();
    auto sends = sends_of(d.written);
    REQUIRE(sends.size() == 3);
    CHECK(sends[0].byte_range() == ByteRange{1, 100, 250});
    CHECK(sends[0].contflag == '+');
    CHECK(sends[1].byte_range() == ByteRange{101, 200, 250});
    CHECK(sends[2].byte_range() == ByteRange{201, 250, 250});
    CHECK(sends[2].contflag == '$');
    d.read(core_driver::response_to(sends[0], 200));
    CHECK(m.finals() == 0);
    d.read(core_driver::response_to(sends[1], 413));
    REQUIRE(m.finals() == 1);
    CHECK(m.final_report()->code == 413);
    CHECK(m.final_report()->error == errc::transaction_failed);
    REQUIRE(*m.final_source()); // the peer's response
    // The last chunk's late answer changes nothing.
    d.read(core_driver::response_to(sends[2], 200));
    CHECK(m.finals() == 1);
    CHECK(d.core.queued_bytes() == 0);

    core_driver e(small_chunks(100));
    auto& n = e.send(std::string(1000, 'y'));
    REQUIRE(e.write_once());
    const auto first = sends_of(e.written);
    REQUIRE_FALSE(first.empty());
    e.read(core_driver::response_to(first[0], 400));
    CHECK(n.finals() == 1);
    const auto before = e.written.size();
    e.write_all();
    CHECK(e.written.size() == before); // nothing more of a failed message is sent
}

TEST_CASE("core: one-chunk messages pass large ones; max_interleaved_messages large ones take turns", "[core]") {
    auto o = small_chunks(10);
    o.max_interleaved_messages = 2;
    o.max_write_batch_bytes = 1; // one chunk per write: the order shows
    core_driver d(o);
    auto& big1 = d.send(std::string(30, '1'));
    auto& big2 = d.send(std::string(30, '2'));
    auto& big3 = d.send(std::string(30, '3'));
    auto& small = d.send("s");
    d.write_all();
    std::string order;
    for (const auto& c : sends_of(d.written)) {
        const auto id = c.message_id();
        order += id == big1.id ? '1' : id == big2.id ? '2' : id == big3.id ? '3' : id == small.id ? 's' : '?';
    }
    // Two large ones take turns with the small one between; the third
    // starts when one of them has sent its last chunk.
    CHECK(order == "12s1212333");
}

TEST_CASE("core: chunks given whole and messages take turns, a chunk each", "[core]") {
    auto o = small_chunks(10);
    o.max_write_batch_bytes = 1;
    core_driver d(o);
    auto& big = d.send(std::string(30, 'b'));
    std::error_code ec;
    auto c1 = core_driver::make(peer_params("one"));
    auto c2 = core_driver::make(peer_params("two"));
    d.send_chunk(c1, ec);
    REQUIRE_FALSE(ec);
    d.send_chunk(c2, ec);
    REQUIRE_FALSE(ec);
    d.write_all();
    std::string order;
    for (const auto& c : d.written)
        order += c.message_id() == big.id ? 'm' : 'c';
    CHECK(order == "cmcmm");
}

TEST_CASE("core: no response in time gives 408 with Failure-Report yes, 200 with partial", "[core][timeout]") {
    core_driver d(small_chunks());
    std::error_code ec;
    auto yes = core_driver::make(peer_params("a"));
    auto partial = core_driver::make(peer_params("b"));
    partial.set_header("Failure-Report", "partial");
    auto& r_yes = d.send_chunk(yes, ec);
    auto& r_partial = d.send_chunk(partial, ec);
    auto& m_yes = d.send("c");
    auto& m_partial = d.send("d", [](auto& m) { m.failure_report_field = "partial"; });
    auto& m_no = d.send("e", [](auto& m) { m.failure_report_field = "no"; });
    d.write_all();
    // Failure-Report no: nothing is owed, the message is settled once written.
    REQUIRE(m_no.finals() == 1);
    CHECK(m_no.final_report()->code == 200);
    d.advance(999ms);
    CHECK(r_yes.verdicts.empty());
    d.advance(1ms);
    REQUIRE(r_yes.verdicts.size() == 1);
    CHECK(r_yes.verdicts[0].code == 408);
    REQUIRE(r_partial.verdicts.size() == 1);
    CHECK(r_partial.verdicts[0].code == 200);
    REQUIRE(m_yes.finals() == 1);
    CHECK(m_yes.final_report()->code == 408);
    CHECK_FALSE(*m_yes.final_source()); // made up locally...
    CHECK(m_yes.final_report()->error == errc::no_response); // ...and its error says so
    REQUIRE(m_partial.finals() == 1);
    CHECK(m_partial.final_report()->code == 200);
    CHECK(d.core.pending_transactions() == 0);
    CHECK(d.core.next_deadline() == core_driver::time_point::max());
}

TEST_CASE("core: Success-Report yes waits for the REPORT after the 200; without one in time, 408", "[core][report]") {
    core_driver d(small_chunks());
    auto& reported = d.send("abc", [](auto& m) { m.success_report_field = "yes"; });
    auto& late = d.send("def", [](auto& m) { m.success_report_field = "yes"; });
    d.write_all();
    d.answer_all(0, 200);
    CHECK(reported.finals() == 0);
    CHECK(late.finals() == 0);
    d.advance(500ms);
    d.read(core_driver::peer_report(reported.id, 200, ByteRange{1, 3, 3}));
    REQUIRE(reported.finals() == 1);
    CHECK(reported.final_report()->code == 200);
    REQUIRE(*reported.final_source());
    CHECK((*reported.final_source())->method == "REPORT");
    d.advance(499ms);
    CHECK(late.finals() == 0);
    d.advance(1ms);
    REQUIRE(late.finals() == 1);
    CHECK(late.final_report()->code == 408);
    CHECK(late.final_report()->error == msrp::test::core_timed_out());
}

TEST_CASE("core: success REPORTs for parts add up; a failure REPORT fails the message", "[core][report]") {
    core_driver d(small_chunks(10));
    auto& parts = d.send(std::string(20, 'p'), [](auto& m) { m.success_report_field = "yes"; });
    auto& failed = d.send("f", [](auto& m) { m.success_report_field = "yes"; });
    d.write_all();
    d.read(core_driver::peer_report(parts.id, 200, ByteRange{11, 20, 20}));
    CHECK(parts.finals() == 0);
    CHECK(parts.reports.size() == 1); // a report on part of it
    d.read(core_driver::peer_report(parts.id, 200, ByteRange{1, 10, 20}));
    REQUIRE(parts.finals() == 1); // every byte confirmed, before any response
    CHECK(parts.final_report()->code == 200);
    d.read(core_driver::peer_report(failed.id, 415, ByteRange{1, 1, 1}));
    REQUIRE(failed.finals() == 1);
    CHECK(failed.final_report()->code == 415);
    CHECK(failed.final_report()->error == errc::transaction_failed);
    // A REPORT for a message nobody sent is ignored.
    d.read(core_driver::peer_report("unknown-message", 200, ByteRange{1, 1, 1}));
    d.answer_all(0, 200);
    CHECK(d.broken_promises().empty());
}

TEST_CASE("core: the receiver answers 200, 481, 415 and 501, and delivers only what it accepts", "[core][receiver]") {
    auto o = small_chunks();
    o.accept_types = {"text/plain"};
    core_driver d(o);
    d.read(core_driver::peer_send(peer_params("fine")));
    auto wrong_session = core_driver::peer_send(peer_params("elsewhere"));
    wrong_session.set_to_path(msrp::Path{msrp::URI::parse("msrp://alice.example:2855/other-session;tcp")});
    d.read(wrong_session);
    auto wrong_type = peer_params("<b>");
    wrong_type.content_type = "text/html";
    d.read(core_driver::peer_send(wrong_type));
    msrp::make_chunk_params unknown;
    unknown.method = "FROBNICATE";
    d.read(core_driver::peer_send(unknown));
    d.read(core_driver::peer_send(peer_params(""))); // an empty SEND: a keep-alive
    auto quiet = core_driver::peer_send(peer_params("no answer for me"));
    quiet.set_header("Failure-Report", "no");
    d.read(quiet);
    REQUIRE(d.incoming.size() == 2);
    CHECK(d.incoming[0].data == "fine");
    CHECK(d.incoming[1].data == "no answer for me");
    d.core.on_read_wait();
    d.write_all();
    std::vector<int> codes;
    for (const auto& c : d.written)
        codes.push_back(c.code);
    CHECK(codes == std::vector<int>{200, 481, 415, 501, 200});
    // A response goes to the previous hop, from this side.
    CHECK(*d.written[0].find_header("To-Path") == "msrp://bob.example:2855/remote-session;tcp");
    CHECK(*d.written[0].find_header("From-Path") == "msrp://alice.example:2855/local-session;tcp");
}

TEST_CASE("core: a whole message that asks for it gets a success REPORT after its last 200", "[core][receiver]") {
    core_driver d(small_chunks());
    auto p = peer_params("0123456789");
    p.end = 5;
    p.length = 10;
    p.data = "01234";
    p.message_id = "two-chunks";
    auto first = core_driver::peer_send(p);
    first.set_header("Success-Report", "yes");
    d.read(first);
    p.start = 6;
    p.end = 10;
    p.data = "56789";
    auto second = core_driver::peer_send(p);
    second.set_header("Success-Report", "yes");
    d.read(second);
    REQUIRE(d.incoming.size() == 1);
    CHECK(d.incoming[0].data == "0123456789");
    d.core.on_read_wait();
    d.write_all();
    REQUIRE(d.written.size() == 3);
    // The last chunk's answer first, then the REPORT on the message it completed.
    CHECK(d.written[0].code == 200);
    CHECK(d.written[1].code == 200);
    CHECK(d.written[1].transaction_id == second.transaction_id);
    const Chunk& report = d.written[2];
    CHECK(report.method == "REPORT");
    CHECK(report.message_id() == "two-chunks");
    CHECK(report.byte_range() == ByteRange{1, 10, 10});
    REQUIRE(report.status());
    CHECK(report.status()->code == 200);
    CHECK(*report.find_header("To-Path") == *second.find_header("From-Path"));
}

TEST_CASE("core: replies wait while input keeps coming; reading stops when they fill their limit", "[core][receiver]") {
    auto o = small_chunks();
    o.max_queued_replies = 20;
    core_driver d(o);
    for (int i = 0; i < 15; ++i)
        d.read(core_driver::peer_send(peer_params("m")));
    CHECK(d.core.queued_replies() == 15);
    CHECK_FALSE(d.core.want_write()); // held: more input may come
    d.read(core_driver::peer_send(peer_params("m")));
    CHECK(d.core.want_write()); // 16 held: due
    for (int i = 0; i < 4; ++i)
        d.read(core_driver::peer_send(peer_params("m")));
    CHECK_FALSE(d.core.want_read());
    REQUIRE(d.write_once());
    CHECK(d.written.size() == 20); // one write, every reply its own chunk
    CHECK(d.core.want_read());
    d.read(core_driver::peer_send(peer_params("m")));
    CHECK_FALSE(d.core.want_write());
    d.core.on_read_wait(); // the reader waits: what is held goes
    CHECK(d.core.want_write());
}

TEST_CASE("core: REPORTs are handed on when taken and meant for this session", "[core][report]") {
    core_driver d(small_chunks());
    d.read(core_driver::peer_report("some-message", 200, ByteRange{1, 1, 1}));
    CHECK(d.incoming.empty());
    d.core.set_reports_taken(true);
    d.read(core_driver::peer_report("some-message", 200, ByteRange{1, 1, 1}));
    auto elsewhere = core_driver::peer_report("some-message", 200, ByteRange{1, 1, 1});
    elsewhere.set_to_path(msrp::Path{msrp::URI::parse("msrp://alice.example:2855/other-session;tcp")});
    d.read(elsewhere);
    REQUIRE(d.incoming.size() == 1);
    CHECK(d.incoming[0].method == "REPORT");
    d.core.on_read_wait();
    CHECK_FALSE(d.core.want_write()); // nobody answers a REPORT
}

TEST_CASE("core: stop_receiving sends a failure REPORT at once and 413 for the next chunk", "[core][receiver]") {
    core_driver d(small_chunks());
    auto p = peer_params(std::string(10, 'a'));
    p.end = 10;
    p.length = 30;
    p.message_id = "stopped";
    d.read(core_driver::peer_send(p));
    REQUIRE(d.core.messages_in_progress() == 1);
    CHECK(d.core.stop_receiving("stopped"));
    CHECK_FALSE(d.core.stop_receiving("stopped"));
    CHECK(d.core.want_write()); // the REPORT is not held
    d.write_all();
    REQUIRE(d.written.size() == 2);
    CHECK(d.written[0].code == 200);
    CHECK(d.written[1].method == "REPORT");
    CHECK(d.written[1].status()->code == 413);
    CHECK(d.written[1].byte_range() == ByteRange{1, 30, 30});
    p.start = 11;
    p.end = 20;
    d.read(core_driver::peer_send(p));
    d.core.on_read_wait();
    d.write_all();
    REQUIRE(d.written.size() == 3);
    CHECK(d.written[2].code == 413);
    CHECK(d.incoming.empty()); // a small message is delivered whole or not at all
}

TEST_CASE("core: abort_message sends '#' for a message partly sent, nothing for one not started", "[core]") {
    auto o = small_chunks(10);
    o.max_write_batch_bytes = 1;
    core_driver d(o);
    auto& started = d.send(std::string(50, 's'));
    auto& unstarted = d.send(std::string(50, 'u'));
    REQUIRE(d.write_once()); // one chunk of `started`
    CHECK(d.core.abort_message(started.id));
    CHECK(d.core.abort_message(unstarted.id));
    CHECK_FALSE(d.core.abort_message("no-such-message"));
    d.write_all();
    auto sends = sends_of(d.written);
    REQUIRE(sends.size() == 2);
    CHECK(sends[1].message_id() == started.id);
    CHECK(sends[1].contflag == '#');
    CHECK(sends[1].byte_range() == ByteRange{11, 10, 50});
    REQUIRE(started.finals() == 1);
    CHECK(started.final_report()->error == errc::message_aborted);
    REQUIRE(unstarted.finals() == 1);
    CHECK(unstarted.final_report()->error == errc::message_aborted);
    d.answer_all(0, 200);
    CHECK(d.core.queued_bytes() == 0);
}

TEST_CASE("core: a source is read a chunk at a time; a short or failing source fails with '#'", "[core][source]") {
    core_driver d(small_chunks(100));
    auto& whole = d.send_from_source(std::string(250, 'w'), 100, 250);
    auto& unknown_size = d.send_from_source(std::string(150, 'k'), 100, std::nullopt);
    d.write_all();
    d.answer_all(0, 200);
    REQUIRE(whole.finals() == 1);
    CHECK(whole.final_report()->code == 200);
    CHECK(whole.final_report()->range == ByteRange{1, 250, 250});
    REQUIRE(unknown_size.finals() == 1);
    CHECK(unknown_size.final_report()->range == ByteRange{1, 150, 150});
    std::string rebuilt;
    for (const auto& c : sends_of(d.written))
        if (c.message_id() == unknown_size.id)
            rebuilt += c.data;
    CHECK(rebuilt == std::string(150, 'k'));

    core_driver e(small_chunks(100));
    auto& short_one = e.send_from_source(std::string(150, 's'), 100, 300);
    auto& failing = e.send_from_source(std::string(300, 'f'), 100, 300, 2);
    e.write_all();
    REQUIRE(short_one.finals() == 1);
    CHECK(short_one.final_report()->error == errc::invalid_argument);
    REQUIRE(failing.finals() == 1);
    CHECK(failing.final_report()->error == std::make_error_code(std::errc::io_error));
    int aborted = 0;
    for (const auto& c : sends_of(e.written))
        aborted += c.contflag == '#' ? 1 : 0;
    CHECK(aborted == 2);
    e.answer_all(0, 200);
    CHECK(e.core.queued_bytes() == 0);
}

TEST_CASE("core: keep-alive probes after an idle interval; no answer ends the session", "[core][keepalive]") {
    auto o = small_chunks();
    o.keepalive_interval = 300ms;
    core_driver d(o);
    CHECK(d.core.next_deadline() == d.now + 300ms);
    d.advance(299ms);
    CHECK_FALSE(d.core.want_write());
    d.advance(1ms);
    REQUIRE(d.core.want_write());
    d.write_all();
    REQUIRE(d.written.size() == 1);
    CHECK(d.written[0].method == "SEND");
    CHECK(d.written[0].data.empty());
    CHECK(*d.written[0].find_header("Keep-Alive") == "yes");
    // Answered: the next one an interval after the last traffic.
    d.advance(10ms);
    d.read(core_driver::response_to(d.written[0], 200));
    CHECK(d.core.next_deadline() == d.now + 300ms);
    d.advance(300ms);
    d.write_all();
    REQUIRE(d.written.size() == 2);
    CHECK_FALSE(d.core.ended());
    d.advance(999ms);
    CHECK_FALSE(d.core.ended());
    d.advance(1ms);
    REQUIRE(d.core.ended());
    CHECK(d.core.end_reason() == msrp::test::core_timed_out());
    // The peer's own traffic keeps it quiet.
    core_driver busy(o);
    for (int i = 0; i < 10; ++i) {
        busy.advance(200ms);
        busy.read(core_driver::peer_send(peer_params("x")));
    }
    busy.core.on_read_wait();
    busy.write_all();
    CHECK(sends_of(busy.written).empty());
}

TEST_CASE("core: shutdown writes what is queued, waits for the answers, then closes", "[core][shutdown]") {
    core_driver d(small_chunks());
    auto& m = d.send("last words");
    d.core.begin_shutdown();
    std::error_code ec;
    d.send("too late", ec);
    CHECK(ec == errc::session_closed);
    using step = msrp::detail::session_core::shutdown_step;
    CHECK(d.core.next_shutdown_step() == step::wait);
    d.write_all();
    CHECK(d.core.next_shutdown_step() == step::wait); // the 200 is owed
    d.answer_all(0, 200);
    CHECK(m.finals() == 1);
    CHECK(d.core.next_shutdown_step() == step::close_transport);
    d.core.end(make_error_code(errc::session_closed));
    CHECK(d.core.next_shutdown_step() == step::done);

    // An answer that never comes: its time runs out.
    core_driver e(small_chunks());
    e.send("unanswered");
    e.write_all();
    e.core.begin_shutdown();
    CHECK(e.core.next_shutdown_step() == step::wait);
    e.advance(1000ms);
    CHECK(e.core.next_shutdown_step() == step::close_transport);
}

TEST_CASE("core: the end gives every chunk and message one verdict; a detached core calls only internal handlers",
          "[core][end]") {
    core_driver d(small_chunks(10));
    std::error_code ec;
    auto& sent_chunk = d.send_chunk(core_driver::make(peer_params("sent")), ec);
    auto& big = d.send(std::string(100, 'b'));
    auto& waiting = d.send("w", [](auto& m) { m.success_report_field = "yes"; });
    REQUIRE(d.write_once());
    auto& queued_chunk = d.send_chunk(core_driver::make(peer_params("queued")), ec);
    auto& queued_message = d.send("never sent");
    d.core.end(make_error_code(std::errc::connection_reset));
    CHECK(d.broken_promises().empty());
    REQUIRE(sent_chunk.verdicts.size() == 1);
    CHECK(sent_chunk.verdicts[0].code == 408);
    REQUIRE(queued_chunk.verdicts.size() == 1);
    CHECK(queued_chunk.verdicts[0].code == 408);
    for (auto* m : {&big, &waiting, &queued_message}) {
        REQUIRE(m->finals() == 1);
        CHECK(m->final_report()->code == 408);
        CHECK(m->final_report()->error == std::make_error_code(std::errc::connection_reset));
    }
    // Later calls are refused; late answers change nothing.
    d.send("after", ec);
    CHECK(ec == errc::session_closed);
    d.answer_all(0, 200);
    CHECK(d.broken_promises().empty());

    core_driver e(small_chunks());
    int internal = 0, external = 0;
    e.core.queue_chunk(core_driver::make(peer_params("i")), [&](const Chunk&) { ++internal; }, true);
    e.core.queue_chunk(core_driver::make(peer_params("e")), [&](const Chunk&) { ++external; });
    e.core.detach();
    e.core.end(make_error_code(errc::session_closed));
    CHECK(internal == 1);
    CHECK(external == 0);
}

TEST_CASE("core: what queue_chunk and queue_message refuse, and queue_message's water marks", "[core][queue]") {
    auto o = small_chunks();
    o.max_queued_bytes = 4000;
    o.queue_high_water_bytes = 2000;
    o.max_write_batch_bytes = 600;
    core_driver d(o);
    std::error_code ec;
    d.send("x", ec, [](auto& m) { m.id = "-bad id-"; });
    CHECK(ec == errc::bad_message_id);
    d.send("x", ec, [](auto& m) { m.content_type = "no type"; });
    CHECK(ec == errc::invalid_argument);
    d.send("x", ec, [](auto& m) { m.headers.push_back(msrp::Header{"Byte-Range", "1-1/1"}); });
    CHECK(ec == errc::invalid_argument);
    auto& first = d.send("x", ec, [](auto& m) { m.id = "same-id"; });
    REQUIRE_FALSE(ec);
    d.send("y", ec, [](auto& m) { m.id = "same-id"; });
    CHECK(ec == errc::invalid_argument);
    auto long_tid = core_driver::make(peer_params("t"));
    long_tid.transaction_id = std::string(33, 'a');
    d.send_chunk(long_tid, ec);
    CHECK(ec == errc::bad_transaction_id);
    auto chunk = core_driver::make(peer_params("t"));
    chunk.transaction_id = "pending-tid";
    d.send_chunk(chunk, ec);
    REQUIRE_FALSE(ec);
    d.write_all();
    d.send_chunk(chunk, ec);
    CHECK(ec == errc::invalid_argument); // its id is still pending
    d.answer_all(0, 200);
    CHECK(first.finals() == 1);
    REQUIRE(d.core.queued_bytes() == 0);

    // The marks: 2000 to start waiting, back under 2000 - 600 to go on.
    CHECK_FALSE(d.core.must_wait_to_queue(100000)); // an empty queue takes anything
    d.send(std::string(1000, 'a'));
    CHECK(d.core.queued_bytes() == 1000 + msrp::detail::send_queue::item_overhead);
    CHECK_FALSE(d.core.must_wait_to_queue(100));
    d.send(std::string(1000, 'b'));
    CHECK(d.core.must_wait_to_queue(100));
    CHECK_FALSE(d.core.may_queue_after_wait(100));
    d.send(std::string(2500, 'c'), ec);
    CHECK(ec == errc::queue_full);
    d.write_all();
    CHECK(d.core.may_queue_after_wait(100)); // written: refunded
    d.answer_all(0, 200);
    CHECK(d.broken_promises().empty());
}

TEST_CASE("core: a network error at every step keeps every promise", "[core][failure]") {
    // One exchange: messages large and small, a chunk, a success report,
    // incoming requests, timeouts. It is run once per step, failing the
    // connection (a write error, or the reader's error) at that step.
    auto scenario = [](core_driver& d, int fail_at, bool write_error) {
        int step = 0;
        auto maybe_fail = [&] {
            if (++step != fail_at)
                return false;
            if (write_error)
                d.fail_write_at = d.writes + 1;
            else
                d.core.end(make_error_code(std::errc::connection_reset));
            return true;
        };
        std::error_code ec;
        d.send(std::string(250, 'a'));
        maybe_fail();
        d.send("small", ec, [](auto& m) { m.success_report_field = "yes"; });
        d.send_chunk(core_driver::make(peer_params("chunk")), ec);
        d.send_from_source(std::string(180, 's'), 70, 180);
        for (int round = 0; round < 6; ++round) {
            maybe_fail();
            const auto from = d.written.size();
            d.write_once();
            maybe_fail();
            d.read(core_driver::peer_send(peer_params("incoming " + std::to_string(round))));
            maybe_fail();
            d.answer_all(from, 200);
            maybe_fail();
            d.advance(300ms);
        }
        for (const auto& m : d.messages)
            if (m->finals() == 0 && !m->id.empty())
                d.read(core_driver::peer_report(m->id, 200, ByteRange{1, 1, 1}));
        maybe_fail();
        d.run_out_deadlines();
        d.core.end(make_error_code(errc::session_closed));
        return step;
    };
    core_driver probe(small_chunks(100));
    const int steps = scenario(probe, 0, false);
    REQUIRE(steps > 10);
    CHECK(probe.broken_promises().empty());
    for (const bool write_error : {true, false}) {
        for (int at = 1; at <= steps; ++at) {
            INFO("failure at step " << at << (write_error ? " (write)" : " (read)"));
            core_driver d(small_chunks(100));
            scenario(d, at, write_error);
            CHECK(d.core.ended());
            CHECK(d.broken_promises().empty());
        }
    }
}

TEST_CASE("core: the send window holds a message's chunks until answers make room", "[core][window]") {
    auto o = small_chunks(100);
    o.max_requests_in_flight = 3;
    o.max_bytes_in_flight = 1000000;
    core_driver d(o);
    auto& big = d.send(std::string(1000, 'w'));
    d.write_all();
    CHECK(sends_of(d.written).size() == 3);
    CHECK_FALSE(d.core.window_open());
    CHECK_FALSE(d.core.want_write()); // nothing but the message waits: the writer may sleep
    // A chunk given whole and the replies are not held back.
    std::error_code ec;
    d.send_chunk(core_driver::make(peer_params("whole")), ec);
    d.read(core_driver::peer_send(peer_params("in")));
    d.core.on_read_wait();
    REQUIRE(d.core.want_write());
    d.write_all();
    CHECK(sends_of(d.written).size() == 4); // the whole chunk, not the message's
    CHECK(sends_of(d.written).back().data == "whole");
    // Each answer lets one more go; the message completes.
    for (int i = 0; i < 20 && big.finals() == 0; ++i) {
        const auto from = d.written.size();
        d.answer_all(0, 200);
        d.write_all();
        CHECK(d.core.pending_transactions() <= 3);
        if (d.written.size() == from)
            break;
    }
    d.answer_all(0, 200);
    REQUIRE(big.finals() == 1);
    CHECK(big.final_report()->code == 200);
    std::string rebuilt;
    for (const auto& c : sends_of(d.written))
        if (c.message_id() == big.id)
            rebuilt += c.data;
    CHECK(rebuilt == std::string(1000, 'w'));

    // The byte limit: 250 bytes allow three chunks of 100 (the third takes it past).
    auto b = small_chunks(100);
    b.max_bytes_in_flight = 250;
    core_driver e(b);
    e.send(std::string(1000, 'b'));
    e.write_all();
    CHECK(sends_of(e.written).size() == 3);
    CHECK(e.core.bytes_in_flight() == 300);
    e.answer_all(0, 200);
    CHECK(e.core.bytes_in_flight() == 0);
    // A failed message gives its room back at once.
    e.write_all();
    const auto sent = sends_of(e.written).size();
    e.read(core_driver::response_to(sends_of(e.written).back(), 413));
    CHECK(e.core.bytes_in_flight() < 300);
    CHECK(sent >= 4);
    e.core.end(make_error_code(errc::session_closed));
    CHECK(e.core.bytes_in_flight() == 0);
    CHECK(e.broken_promises().empty());
}

TEST_CASE("core: msrplib's chat line with a Byte-Range in characters is delivered and answered 200", "[core][receiver]") {
    // The exact bytes: "héllo" is 6 octets, counted 5.
    constexpr std::string_view miscounted = "MSRP a786hjs2 SEND\r\n"
                                            "To-Path: msrp://alice.example:2855/local-session;tcp\r\n"
                                            "From-Path: msrp://bob.example:2855/remote-session;tcp\r\n"
                                            "Message-ID: 87652491\r\n"
                                            "Byte-Range: 1-5/5\r\n"
                                            "Content-Type: text/plain\r\n"
                                            "\r\n"
                                            "h\xc3\xa9llo\r\n"
                                            "-------a786hjs2$\r\n";
    core_driver d(small_chunks());
    d.read(miscounted);
    REQUIRE(d.incoming.size() == 1);
    CHECK(d.incoming[0].data == "h\xc3\xa9llo");
    d.core.on_read_wait();
    d.write_all();
    REQUIRE(d.written.size() == 1);
    CHECK(d.written[0].code == 200);

    auto strict = small_chunks();
    strict.receive.accept_miscounted_whole_message = false;
    core_driver e(strict);
    e.read(miscounted);
    CHECK(e.incoming.empty());
    e.core.on_read_wait();
    e.write_all();
    REQUIRE(e.written.size() == 1);
    CHECK(e.written[0].code == 400);
}
