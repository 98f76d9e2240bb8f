// MSRPSession over real loopback sockets: messages, transactions, reports,
// timeouts and shutdown.

#include "session_helpers.hpp"
#include "../support/io_test.hpp"

#include <msrp/protocol/chunk_serializer.hpp>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using msrp::errc;
using msrp::test::incoming_log;
using msrp::test::report_log;
using msrp::test::wait_until;

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
        REQUIRE(co_await wait_until([&] { return received.messages.size() == 1 && !reports.finals().empty(); }));
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
