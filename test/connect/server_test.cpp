// MSRPServer: many sessions on one listening port, over real sockets.

#include "../support/connect_helpers.hpp"
#include "../support/io_test.hpp"

#include <msrp/connect/server.hpp>
#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/make_chunk.hpp>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include <catch2/catch.hpp>

using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;
using msrp::errc;

namespace {

constexpr auto as_tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

using msrp::test::completion;
using msrp::test::complete_into;
using msrp::test::quick_connect_options;
using msrp::test::sleep_for;

} // namespace

TEST_CASE("three sessions bind concurrently on one port and their data stays apart", "[server]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::MSRPServer server(ctx.get_executor(), quick_connect_options());
        auto path0 = co_await server.prepare();
        const msrp::URI first = path0.back();
        REQUIRE(first.port != 0);
        std::vector<msrp::Path> server_paths{path0};
        for (int i = 1; i < 3; ++i) {
            msrp::URI shared;
            shared.port = first.port; // the same listening socket
            server_paths.push_back(co_await server.prepare(shared));
            CHECK(server_paths.back().back().port == first.port);
            CHECK(server_paths.back().back().session_id != first.session_id);
        }
        std::vector<std::unique_ptr<msrp::ConnectorDirect>> connectors;
        std::vector<msrp::Path> client_paths;
        for (int i = 0; i < 3; ++i) {
            connectors.push_back(std::make_unique<msrp::ConnectorDirect>(ctx.get_executor(), quick_connect_options()));
            client_paths.push_back(co_await connectors.back()->prepare());
        }
        completion s[3], c[3];
        // Sessions 0 and 1 wait before their peers connect; session 2's
        // peer connects before the session asks for it.
        auto late = [&]() -> asio::awaitable<void> {
            co_await sleep_for(100ms);
            co_await complete_into(server, client_paths[2], s[2]);
        };
        co_await (complete_into(server, client_paths[0], s[0]) && complete_into(server, client_paths[1], s[1]) &&
                  late() && complete_into(*connectors[2], server_paths[2], c[2]) &&
                  complete_into(*connectors[1], server_paths[1], c[1]) &&
                  complete_into(*connectors[0], server_paths[0], c[0]));
        for (int i = 0; i < 3; ++i) {
            INFO("session " << i);
            REQUIRE_FALSE(s[i].ec);
            REQUIRE_FALSE(c[i].ec);
            CHECK(s[i].transport->local_uri() == server_paths[i][0]);
        }
        for (int i = 0; i < 3; ++i) {
            msrp::make_chunk_params p;
            p.data = "message for session " + std::to_string(i);
            const auto chunk = c[i].transport->make_chunk(p);
            co_await c[i].transport->write_chunk(chunk);
        }
        for (int i = 0; i < 3; ++i) {
            const auto got = co_await s[i].transport->read_chunk();
            CHECK(got.data == "message for session " + std::to_string(i));
            CHECK_FALSE(s[i].transport->check_incoming_SEND_chunk(got));
        }
        CHECK(server.pending_connections() == 0);
    });
}

TEST_CASE("a connection for an unknown session is answered 481 and closed", "[server]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::MSRPServer server(ctx.get_executor(), quick_connect_options());
        msrp::URI local;
        const auto path = co_await server.prepare(local);
        auto unknown = path;
        unknown[0].session_id = "nosuchsession";
        msrp::ConnectorDirect connector(ctx.get_executor(), quick_connect_options());
        completion c;
        co_await complete_into(connector, unknown, c);
        CHECK(c.ec == errc::bind_failed);
        CHECK(server.pending_connections() == 0);
    });
}

TEST_CASE("server complete times out and cleanup closes the port", "[server]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto options = quick_connect_options();
        options.bind_timeout = 150ms;
        msrp::MSRPServer server(ctx.get_executor(), options);
        const msrp::URI local = (co_await server.prepare()).back();
        completion s;
        const msrp::Path nobody{msrp::URI::parse("msrp://peer.example:9/x12345;tcp")};
        co_await complete_into(server, nobody, s);
        CHECK(s.ec == errc::bind_timeout);
        server.cleanup(local);
        // Nothing listens there any more.
        asio::ip::tcp::socket probe(ctx);
        const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), local.port);
        auto [ec] = co_await probe.async_connect(ep, as_tuple_awaitable);
        CHECK(ec == asio::error::connection_refused);
    });
}

TEST_CASE("close fails a waiting complete", "[server]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::MSRPServer server(ctx.get_executor(), quick_connect_options());
        msrp::URI local;
        co_await server.prepare(local);
        completion s;
        const msrp::Path nobody{msrp::URI::parse("msrp://peer.example:9/x12345;tcp")};
        auto closer = [&]() -> asio::awaitable<void> {
            co_await sleep_for(50ms);
            server.close();
        };
        co_await (complete_into(server, nobody, s) && closer());
        CHECK(s.ec == asio::error::operation_aborted);
    });
}

TEST_CASE("server complete with an empty path: refused, or the next peer when it accepts any", "[server]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        const msrp::Path any_peer;
        {
            msrp::MSRPServer server(ctx.get_executor(), quick_connect_options());
            co_await server.prepare();
            completion s;
            co_await complete_into(server, any_peer, s);
            CHECK(s.ec == errc::no_remote_path);
        }
        auto options = quick_connect_options();
        options.accept_any_peer = true;
        msrp::MSRPServer server(ctx.get_executor(), options);
        const auto server_path = co_await server.prepare();
        msrp::ConnectorDirect connector(ctx.get_executor(), quick_connect_options());
        const auto client_path = co_await connector.prepare();
        completion s, c;
        co_await (complete_into(server, any_peer, s) && complete_into(connector, server_path, c));
        REQUIRE_FALSE(s.ec);
        REQUIRE_FALSE(c.ec);
        // The peer's From-Path became the remote path, as with AcceptorDirect.
        CHECK(s.transport->full_remote_path() == client_path);
        CHECK(s.transport->local_uri() == server_path.back());
    });
}
