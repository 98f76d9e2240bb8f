// MSRPSession over real loopback sockets: messages, transactions, reports,
// timeouts and shutdown.

#include "../support/session_helpers.hpp"
#include "../support/io_test.hpp"

#include <msrp/protocol/chunk_serializer.hpp>

#include <asio/experimental/awaitable_operators.hpp>

#include <map>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using msrp::errc;
using msrp::test::incoming_log;
using msrp::test::report_log;

namespace {

msrp::session_options quick_options() {
    msrp::session_options o;
    o.response_timeout = 2s;
    return o;
}

msrp::OutgoingMessage text(std::string body, std::string type = "text/plain") {
    msrp::OutgoingMessage m;
    m.data = std::move(body);
    m.content_type = std::move(type);
    return m;
}

} // namespace

TEST_CASE("a text message goes through and is answered 200", "[session]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        incoming_log received;
        report_log reports;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());
        const auto id = sender.send_message(text("hello there"), reports.handler());
        CHECK_FALSE(id.empty());
        REQUIRE_EVENTUALLY(received.messages.size() == 1 && !reports.finals().empty());
        const auto& m = received.messages[0];
        CHECK(m.data == "hello there");
        CHECK(m.message_id() == id);
        CHECK(m.content_type() == "text/plain");
        CHECK(m.complete());
        CHECK(m.byte_range() == msrp::ByteRange{1, 11, 11});
        const auto final = reports.final_of(id);
        REQUIRE(final);
        CHECK(final->code == 200);
        CHECK_FALSE(final->error);
        CHECK(sender.pending_transactions() == 0);
        CHECK(sender.queued_bytes() == 0);
    });
}

TEST_CASE("a receiver allowed only 2 replies in waiting still answers a stream of 200 messages", "[session]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        incoming_log received;
        report_log reports;
        auto tight = quick_options();
        tight.max_queued_replies = 2; // below the replies a session holds back while input keeps coming
        msrp::MSRPSession receiver(std::move(pair.accepted), tight, received.handler());
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());
        for (int i = 0; i < 200; ++i) {
            auto m = text("message " + std::to_string(i));
            m.success_report = "yes";
            sender.send_message(std::move(m), reports.handler());
        }
        REQUIRE_EVENTUALLY(received.messages.size() == 200 && reports.finals().size() == 200);
        for (const auto& r : reports.finals())
            CHECK(r.code == 200);
        CHECK(receiver.queued_replies() == 0);
    });
}

TEST_CASE("Success-Report yes: the success REPORT comes back and settles the message", "[session][report]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        incoming_log received;
        report_log reports;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());
        auto message = text("report me");
        message.success_report = "yes";
        message.failure_report = "partial";
        const auto id = sender.send_message(std::move(message), reports.handler());
        REQUIRE_EVENTUALLY(reports.final_of(id).has_value());
        // RFC 4975 §7.1.3: a REPORT for the whole message, then the verdict.
        REQUIRE(reports.reports.size() == 2);
        CHECK_FALSE(reports.reports[0].final);
        CHECK(reports.reports[0].code == 200);
        CHECK(reports.reports[0].range == msrp::ByteRange{1, 9, 9});
        CHECK(reports.reports[1].final);
        CHECK(reports.reports[1].code == 200);
        // With Failure-Report partial nothing answers the SEND: the REPORT
        // settled the message, not a response.
        CHECK(sender.pending_transactions() == 1);
        REQUIRE(received.messages.size() == 1);
        CHECK(received.messages[0].data == "report me");
    });
}

TEST_CASE("a REPORT from the peer is delivered to the application too", "[session][report]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        incoming_log sender_heard;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options());
        msrp::MSRPSession sender(std::move(pair.connected), quick_options(), sender_heard.handler());
        auto message = text("x");
        message.success_report = "yes";
        const auto id = sender.send_message(std::move(message));
        REQUIRE_EVENTUALLY(!sender_heard.messages.empty());
        const auto& report = sender_heard.messages[0];
        CHECK(report.method == "REPORT");
        CHECK(report.message_id() == id);
        REQUIRE(report.status());
        CHECK(report.status()->code == 200);
        CHECK(report.byte_range() == msrp::ByteRange{1, 1, 1});
    });
}

TEST_CASE("failures come back as the message's final report: 415 and 481", "[session][report]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        auto receiver_options = quick_options();
        receiver_options.accept_types = {"text/*"};
        incoming_log received;
        report_log reports;
        msrp::MSRPSession receiver(std::move(pair.accepted), receiver_options, received.handler());
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());

        const auto refused = sender.send_message(text("\x89PNG", "image/png"), reports.handler());
        const auto accepted = sender.send_message(text("plain", "text/plain"), reports.handler());
        REQUIRE_EVENTUALLY(reports.finals().size() == 2);
        const auto r415 = reports.final_of(refused);
        REQUIRE(r415);
        CHECK(r415->code == 415);
        CHECK(r415->error == errc::transaction_failed);
        CHECK(reports.final_of(accepted)->code == 200);
        REQUIRE(received.messages.size() == 1);
        CHECK(received.messages[0].data == "plain");

        // A chunk for another session on this connection: 481.
        auto stray = sender.make_chunk();
        auto wrong = sender.transport().full_remote_path();
        wrong.back().session_id = "notthissession";
        stray.set_to_path(wrong);
        stray.data = "lost";
        stray.set_content_type("text/plain");
        std::optional<msrp::Chunk> response;
        sender.send_chunk(std::move(stray), [&](const msrp::Chunk& r) { response = r; });
        REQUIRE_EVENTUALLY(response.has_value());
        CHECK(response->code == 481);
        CHECK(received.messages.size() == 1);
    });
}

TEST_CASE("no response in time: 408 when Failure-Report is yes, 200 when partial or no", "[session][timeout]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        // The peer reads and never answers: a bare transport, no session.
        auto& silent = *pair.accepted;
        auto options = quick_options();
        options.response_timeout = 200ms;
        msrp::MSRPSession sender(std::move(pair.connected), options);
        std::map<std::string, msrp::Chunk> verdicts;
        for (const char* mode : {"yes", "partial", "no", ""}) {
            msrp::make_chunk_params p;
            p.data = std::string("mode ") + mode;
            auto chunk = sender.make_chunk(p);
            if (*mode)
                chunk.set_header("Failure-Report", mode);
            const std::string key = *mode ? mode : "absent";
            sender.send_chunk(std::move(chunk), [&verdicts, key](const msrp::Chunk& r) { verdicts.emplace(key, r); });
        }
        auto drain = [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 4; ++i)
                co_await silent.read_chunk();
        };
        co_await drain();
        REQUIRE_EVENTUALLY(verdicts.size() == 4);
        CHECK(verdicts.at("yes").code == 408);
        CHECK(verdicts.at("absent").code == 408);
        CHECK(verdicts.at("partial").code == 200);
        CHECK(verdicts.at("no").code == 200);
        CHECK(sender.pending_transactions() == 0);
        CHECK(sender.is_open());
    });
}

TEST_CASE("a message whose chunk times out fails with 408", "[session][timeout]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        auto& silent = *pair.accepted;
        auto options = quick_options();
        options.response_timeout = 150ms;
        report_log reports;
        msrp::MSRPSession sender(std::move(pair.connected), options);
        const auto id = sender.send_message(text("anyone?"), reports.handler());
        co_await silent.read_chunk();
        REQUIRE_EVENTUALLY(reports.final_of(id).has_value());
        CHECK(reports.final_of(id)->code == 408);
        // Made up here: the error does not say the peer answered.
        CHECK(reports.final_of(id)->error == errc::no_response);
        CHECK(reports.final_of(id)->chunk == nullptr);
        CHECK(reports.reports.size() == 1);
    });
}

TEST_CASE("deliver_chunk returns the 200, or fails with the peer's status", "[session][deliver]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        auto receiver_options = quick_options();
        receiver_options.accept_types = {"text/plain"};
        msrp::MSRPSession receiver(std::move(pair.accepted), receiver_options);
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());

        msrp::make_chunk_params p;
        p.data = "fine";
        auto ok = sender.make_chunk(p);
        const auto answer = co_await sender.deliver_chunk(std::move(ok));
        REQUIRE(answer);
        CHECK(answer->code == 200);

        p.content_type = "application/octet-stream";
        auto refused = sender.make_chunk(p);
        auto refused_again = refused;
        refused_again.transaction_id = msrp::choose_transaction_id(refused_again.data);
        bool thrown = false;
        try {
            co_await sender.deliver_chunk(std::move(refused));
        } catch (const msrp::MSRPTransactionError& e) {
            thrown = true;
            CHECK(e.status_code() == 415);
            CHECK(e.code() == errc::transaction_failed);
        }
        CHECK(thrown);
        std::error_code ec;
        const auto response = co_await sender.deliver_chunk(std::move(refused_again), msrp::test::redirect(ec));
        CHECK(ec == errc::transaction_failed);
        REQUIRE(response);
        CHECK(response->code == 415);

        // Failure-Report no: nothing to wait for.
        auto quiet = sender.make_chunk();
        quiet.set_header("Failure-Report", "no");
        const auto none = co_await sender.deliver_chunk(std::move(quiet));
        CHECK_FALSE(none);
    });
}

TEST_CASE("requests other than SEND and REPORT are answered 501; empty SENDs 200 and not delivered",
          "[session]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        incoming_log received;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        auto& raw = *pair.connected;
        msrp::make_chunk_params p;
        p.method = "NICKNAME";
        const auto unknown = raw.make_chunk(p);
        co_await raw.write_chunk(unknown);
        const auto r501 = co_await raw.read_chunk();
        CHECK(r501.transaction_id == unknown.transaction_id);
        CHECK(r501.code == 501);

        auto keepalive = raw.make_chunk();
        keepalive.set_header("Keep-Alive", "yes");
        co_await raw.write_chunk(keepalive);
        const auto r200 = co_await raw.read_chunk();
        CHECK(r200.transaction_id == keepalive.transaction_id);
        CHECK(r200.code == 200);
        CHECK(received.messages.empty());
    });
}

TEST_CASE("keep-alive: an idle session probes its peer and ends when it does not answer", "[session][keepalive]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        auto& silent = *pair.accepted;
        auto options = quick_options();
        options.keepalive_interval = 50ms;
        options.response_timeout = 100ms;
        incoming_log heard;
        msrp::MSRPSession prober(std::move(pair.connected), options, heard.handler());
        const auto probe = co_await silent.read_chunk();
        CHECK(probe.method == "SEND");
        CHECK(probe.keep_alive() == "yes");
        CHECK_FALSE(probe.has_body);
        REQUIRE_EVENTUALLY(heard.ended.has_value());
        CHECK(*heard.ended == asio::error::timed_out);
        CHECK_FALSE(prober.is_open());
    });
}

TEST_CASE("shutdown sends everything queued, waits for the answers, then closes", "[session][shutdown]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        incoming_log received;
        report_log reports;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        auto options = quick_options();
        options.chunk_size = 1000;
        msrp::MSRPSession sender(std::move(pair.connected), options);
        constexpr int count = 50;
        for (int i = 0; i < count; ++i) {
            auto body = std::string(3000, static_cast<char>('a' + i % 26));
            sender.send_message(text(std::move(body)), reports.handler());
        }
        co_await sender.shutdown();
        CHECK_FALSE(sender.is_open());
        CHECK(reports.finals().size() == count);
        for (const auto& r : reports.finals())
            CHECK(r.code == 200);
        REQUIRE_EVENTUALLY(received.ended.has_value());
        CHECK(received.messages.size() == count);
        CHECK(*received.ended == asio::error::eof);
        std::error_code ec;
        sender.send_chunk(sender.make_chunk(), {}, ec);
        CHECK(ec == errc::session_closed);
    });
}

TEST_CASE("close reports every queued and pending request once; a destroyed session calls nothing",
          "[session][close]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        auto& silent = *pair.accepted;
        int responses = 0;
        int codes_408 = 0;
        report_log reports;
        {
            msrp::MSRPSession sender(std::move(pair.connected), quick_options());
            for (int i = 0; i < 5; ++i)
                sender.send_chunk(sender.make_chunk(), [&](const msrp::Chunk& r) {
                    ++responses;
                    codes_408 += r.code == 408;
                });
            sender.send_message(text("pending"), reports.handler());
            co_await silent.read_chunk(); // some are on the wire, some queued
            sender.close();
            CHECK(responses == 5);
            CHECK(codes_408 == 5);
            REQUIRE(reports.finals().size() == 1);
            CHECK(reports.finals()[0].code == 408);
            CHECK(reports.finals()[0].error == errc::session_closed);
            CHECK(sender.pending_transactions() == 0);
            CHECK(sender.queued_bytes() == 0);
        }
        // A session destroyed with work pending calls no handler afterwards.
        auto second = co_await msrp::test::make_transport_pair();
        bool called = false;
        {
            msrp::MSRPSession doomed(std::move(second.connected), quick_options(),
                                     [&](msrp::IncomingMessage, std::error_code) { called = true; });
            doomed.send_chunk(doomed.make_chunk(), [&](const msrp::Chunk&) { called = true; });
            doomed.send_message(text("never"), [&](const msrp::message_report&) { called = true; });
        }
        co_await msrp::test::sleep_for(50ms);
        CHECK_FALSE(called);
    });
}

TEST_CASE("a cancelled deliver_chunk ends at once and the session goes on", "[session][cancel]") {
    using namespace asio::experimental::awaitable_operators;
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        auto& silent = *pair.accepted;
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());
        std::error_code ec;
        auto chunk = sender.make_chunk();
        auto deliver = [&]() -> asio::awaitable<void> { co_await sender.deliver_chunk(std::move(chunk), msrp::test::redirect(ec)); };
        co_await (deliver() || msrp::test::sleep_for(50ms));
        CHECK(ec == asio::error::operation_aborted);
        CHECK(sender.is_open());
        co_await silent.read_chunk();
        CHECK(sender.pending_transactions() == 1); // its verdict still comes, to nobody
    });
}

TEST_CASE("send_message refuses a Message-ID the peer could not parse", "[session]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());
        for (const char* bad : {"m1", "-starts-with-dash", "has space", "waytoolongwaytoolongwaytoolong1234"}) {
            auto message = text("x");
            message.message_id = bad;
            std::error_code ec;
            sender.send_message(std::move(message), {}, ec);
            CHECK(ec == errc::bad_message_id);
        }
        auto good = text("x");
        good.message_id = "msg-0001";
        auto again = good;
        std::error_code ec;
        CHECK(sender.send_message(std::move(good), {}, ec) == "msg-0001");
        CHECK_FALSE(ec);
        sender.send_message(std::move(again), {}, ec);
        CHECK(ec == errc::invalid_argument); // still being sent under that id

        // Header fields that could not be written are refused up front.
        auto bad_name = text("x");
        bad_name.headers.push_back(msrp::Header{"Bad Name", "value"});
        sender.send_message(std::move(bad_name), {}, ec);
        CHECK(ec == errc::invalid_argument);
        auto injected = text("x", "text/plain\r\nX-Injected: yes");
        sender.send_message(std::move(injected), {}, ec);
        CHECK(ec == errc::invalid_argument);
        auto no_type = text("x", "");
        sender.send_message(std::move(no_type), {}, ec);
        CHECK(ec == errc::invalid_argument);
    });
}

TEST_CASE("send_chunk refuses a request whose transaction id is longer than an ident", "[session]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options());
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());
        // Its answer could not be matched to it: refused, not lost later.
        auto chunk = sender.make_chunk();
        chunk.transaction_id = std::string(33, 't');
        std::error_code ec;
        sender.send_chunk(std::move(chunk), {}, ec);
        CHECK(ec == errc::bad_transaction_id);
        CHECK(sender.pending_transactions() == 0);
        // 32 octets are an ident: sent and answered.
        auto fits = sender.make_chunk();
        fits.transaction_id = std::string(32, 't');
        const auto response = co_await sender.deliver_chunk(std::move(fits));
        REQUIRE(response);
        CHECK(response->code == 200);
        CHECK(response->transaction_id == std::string(32, 't'));
    });
}

TEST_CASE("two requests under one transaction id: refused while one is pending, else the earlier gets its verdict",
          "[session]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        auto& silent = *pair.accepted; // answers nothing: the first stays pending
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());
        std::vector<msrp::Chunk> responses;
        auto first = sender.make_chunk();
        first.transaction_id = "sametid1";
        std::error_code ec;
        sender.send_chunk(std::move(first), [&](const msrp::Chunk& r) { responses.push_back(r); }, ec);
        REQUIRE_FALSE(ec);
        REQUIRE_EVENTUALLY(sender.pending_transactions() == 1);
        auto again = sender.make_chunk();
        again.transaction_id = "sametid1";
        sender.send_chunk(std::move(again), {}, ec);
        CHECK(ec == errc::invalid_argument);
        CHECK(sender.pending_transactions() == 1);
        CHECK(responses.empty());
        (void)silent;
    });
    asio::io_context ctx2{1};
    msrp::test::run(ctx2, [&]() -> asio::awaitable<void> {
        // Both queued before either is sent: the check cannot see them.
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options());
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());
        std::vector<int> first_codes, second_codes;
        for (auto* codes : {&first_codes, &second_codes}) {
            auto chunk = sender.make_chunk();
            chunk.transaction_id = "sametid2";
            std::error_code ec;
            sender.send_chunk(std::move(chunk), [codes](const msrp::Chunk& r) { codes->push_back(r.code); }, ec);
            REQUIRE_FALSE(ec);
        }
        REQUIRE_EVENTUALLY(!first_codes.empty() && !second_codes.empty());
        co_await msrp::test::sleep_for(std::chrono::milliseconds(50)); // the second 200 comes to nothing
        CHECK(first_codes == std::vector<int>{408});
        CHECK(second_codes == std::vector<int>{200});
        CHECK(sender.pending_transactions() == 0);
    });
}

TEST_CASE("stop_message: a failure REPORT now, 413 for the message's next chunk", "[session][report]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options());
        auto& raw = *pair.connected;
        msrp::make_chunk_params p;
        p.data = std::string(1000, 'a');
        p.end = 1000;
        p.length = 3000;
        p.message_id = "stopped-message";
        const auto first = raw.make_chunk(p);
        co_await raw.write_chunk(first);
        const auto ok = co_await raw.read_chunk();
        CHECK(ok.code == 200);
        CHECK(receiver.messages_in_progress() == 1);

        CHECK(receiver.stop_message("stopped-message"));
        CHECK_FALSE(receiver.stop_message("stopped-message"));
        const auto report = co_await raw.read_chunk();
        CHECK(report.method == "REPORT");
        CHECK(report.message_id() == "stopped-message");
        REQUIRE(report.status());
        CHECK(report.status()->code == 413);
        CHECK(report.byte_range() == msrp::ByteRange{1, 3000, 3000});

        p.start = 1001;
        p.end = 2000;
        p.transaction_id = "second-chunk-tid";
        const auto second = raw.make_chunk(p);
        co_await raw.write_chunk(second);
        const auto refused = co_await raw.read_chunk();
        CHECK(refused.transaction_id == "second-chunk-tid");
        CHECK(refused.code == 413);
        CHECK(receiver.messages_in_progress() == 0);
    });
}

TEST_CASE("GreenMSRPSession: a cancelled receive_chunk leaves the queue as it was", "[session][green][cancel]") {
    using namespace asio::experimental::awaitable_operators;
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::GreenMSRPSession receiver(std::move(pair.accepted), quick_options());
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());
        std::error_code ec;
        auto receive = [&]() -> asio::awaitable<void> { co_await receiver.receive_chunk(msrp::test::redirect(ec)); };
        co_await (receive() || msrp::test::sleep_for(30ms));
        CHECK(ec == asio::error::operation_aborted);
        sender.send_message(text("after the cancel"));
        const auto m = co_await receiver.receive_chunk(msrp::test::redirect(ec));
        CHECK_FALSE(ec);
        CHECK(m.data == "after the cancel");
        CHECK(receiver.incoming_queue_size() == 0);
    });
}

TEST_CASE("a cancelled queue_message ends at once and queues nothing", "[session][cancel]") {
    using namespace asio::experimental::awaitable_operators;
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        auto& silent = *pair.accepted; // reads nothing: the queue stays full
        auto options = quick_options();
        options.max_queued_bytes = 64 * 1024;
        msrp::MSRPSession sender(std::move(pair.connected), options);
        // Fill the socket, then the queue: until the queue stays full.
        const std::string body(16 * 1024, 'q');
        std::error_code ec;
        bool stuck = false;
        for (int round = 0; round < 5000 && !stuck; ++round) {
            do
                sender.send_message(text(body), {}, ec);
            while (!ec);
            REQUIRE(ec == errc::queue_full);
            const auto full = sender.queued_bytes();
            co_await msrp::test::sleep_for(5ms);
            stuck = sender.queued_bytes() == full;
        }
        REQUIRE(stuck);
        const auto before = sender.queued_bytes();
        std::error_code cancelled;
        std::string id;
        auto wait_for_room = [&]() -> asio::awaitable<void> {
            auto message = text(body); // as large as those refused
            id = co_await sender.queue_message(std::move(message), {}, msrp::test::redirect(cancelled));
        };
        co_await (wait_for_room() || msrp::test::sleep_for(50ms));
        CHECK(cancelled == asio::error::operation_aborted);
        CHECK(id.empty());
        CHECK(sender.queued_bytes() == before);
        CHECK(sender.is_open());
        (void)silent;
    });
}

TEST_CASE("queue_message waits at queue_high_water_bytes while send_message still has room", "[session][queue]") {
    using namespace asio::experimental::awaitable_operators;
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        auto& silent = *pair.accepted; // reads nothing: what is queued stays queued
        auto options = quick_options();
        options.max_queued_bytes = 1024 * 1024;
        options.queue_high_water_bytes = 64 * 1024;
        msrp::MSRPSession sender(std::move(pair.connected), options);
        // Fill the socket, then the queue past the mark (but not to its end).
        const std::string body(16 * 1024, 'h');
        bool stuck = false;
        for (int round = 0; round < 5000 && !stuck; ++round) {
            while (sender.queued_bytes() < 96 * 1024) {
                std::error_code ec;
                sender.send_message(text(body), {}, ec);
                REQUIRE_FALSE(ec);
            }
            const auto filled = sender.queued_bytes();
            co_await msrp::test::sleep_for(5ms);
            stuck = sender.queued_bytes() == filled;
        }
        REQUIRE(stuck);
        REQUIRE(sender.queued_bytes() > options.queue_high_water_bytes);
        // Room is left below max_queued_bytes: the non-blocking send takes it.
        std::error_code sent;
        sender.send_message(text(body), {}, sent);
        CHECK_FALSE(sent);
        // The waiting one waits, and leaves when cancelled.
        const auto before = sender.queued_bytes();
        std::error_code waited;
        std::string id;
        auto queue_one = [&]() -> asio::awaitable<void> {
            auto message = text(body);
            id = co_await sender.queue_message(std::move(message), {}, msrp::test::redirect(waited));
        };
        co_await (queue_one() || msrp::test::sleep_for(50ms));
        CHECK(waited == asio::error::operation_aborted);
        CHECK(id.empty());
        CHECK(sender.queued_bytes() == before);
        (void)silent;
    });
}
