// Two sessions over one connection (RFC 4975 §5.4), over a real socket:
// the peer opens a second session on the connection it already has, the
// server hands it to the second session's complete(), and each session
// gets its own chunks only.

#include "../support/connect_helpers.hpp"
#include "../support/io_test.hpp"

#include "connect/binding.hpp"

#include <msrp/connect/server.hpp>
#include <msrp/protocol/make_chunk.hpp>

#include <asio/experimental/awaitable_operators.hpp>

#include <catch2/catch.hpp>

using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;
using msrp::errc;

namespace {

using msrp::test::completion;
using msrp::test::complete_into;
using msrp::test::quick_connect_options;
using msrp::test::sleep_for;

// Texts are views: GCC 12 mishandles temporaries with destructors inside a
// co_await expression, so callers name built strings first.
asio::awaitable<void> send_text(msrp::MSRPTransport& t, std::string_view text) {
    msrp::make_chunk_params p;
    p.data = text;
    const auto chunk = t.make_chunk(p);
    co_await t.write_chunk(chunk);
}

asio::awaitable<std::string> read_text(msrp::MSRPTransport& t) {
    const auto chunk = co_await t.read_chunk();
    CHECK_FALSE(t.check_incoming_SEND_chunk(chunk));
    co_return chunk.data;
}

// One server port with two expected sessions, and a client bound to the first.
struct two_sessions {
    msrp::MSRPServer server;
    msrp::ConnectorDirect connector;
    msrp::Path path_a, path_b; // the server's sessions
    completion s1, c1;

    two_sessions(asio::io_context& ctx, msrp::connect_options options)
        : server(ctx.get_executor(), options), connector(ctx.get_executor(), options) {}

    asio::awaitable<void> start() {
        path_a = co_await server.prepare();
        msrp::URI b;
        b.port = path_a.back().port;
        path_b = co_await server.prepare(b);
        msrp::URI local;
        const auto client_path = co_await connector.prepare(local);
        co_await (complete_into(server, client_path, s1) && complete_into(connector, path_a, c1));
        REQUIRE_FALSE(s1.ec);
        REQUIRE_FALSE(c1.ec);
    }

    // The client's second session, on the first one's connection.
    std::unique_ptr<msrp::MSRPTransport> share(std::string session_id, const msrp::Path& remote) {
        auto uri = c1.transport->local_uri();
        uri.session_id = std::move(session_id);
        return c1.transport->share(uri, msrp::Path{uri}, remote);
    }

    // Session B, bound over session A's connection.
    struct second_session {
        std::unique_ptr<msrp::MSRPTransport> client;
        completion server;
        std::error_code bind_ec;
        std::string server1_got; // what A's server side read meanwhile
    };

    // The peer binds session B over the same connection, then sends `text`
    // on A; the server sees B while A's server side reads.
    asio::awaitable<void> bind_second(std::string_view text, second_session& out) {
        out.client = share("secondsession", path_b);
        auto& client1 = *c1.transport;
        auto& server1 = *s1.transport;
        auto bind_then_talk = [&]() -> asio::awaitable<void> {
            co_await msrp::detail::bind_active(*out.client, out.bind_ec);
            co_await send_text(client1, text);
        };
        auto server1_reads = [&]() -> asio::awaitable<void> { out.server1_got = co_await read_text(server1); };
        const auto client2_path = out.client->full_local_path();
        co_await (complete_into(server, client2_path, out.server) && bind_then_talk() && server1_reads());
    }
};

} // namespace

TEST_CASE("a second session on an existing connection binds and keeps its data apart", "[server][reuse]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        two_sessions t(ctx, quick_connect_options());
        co_await t.start();
        auto& client1 = *t.c1.transport;
        auto& server1 = *t.s1.transport;

        // The peer binds session B over the same connection; the server
        // sees it while session A reads.
        two_sessions::second_session b;
        co_await t.bind_second("for A", b);
        auto& client2 = b.client;
        auto& s2 = b.server;
        REQUIRE_FALSE(b.bind_ec);
        REQUIRE_FALSE(s2.ec);
        auto& server2 = *s2.transport;
        CHECK(b.server1_got == "for A");
        CHECK(server2.local_uri() == t.path_b[0]);
        CHECK(server2.connection().id == server1.connection().id);
        CHECK(server2.sessions_on_connection() == 2);
        CHECK(client2->connection().id == client1.connection().id);
        CHECK(t.server.pending_connections() == 0);

        // Interleaved both ways: each session reads only its own chunks.
        co_await send_text(*client2, "to B 1");
        co_await send_text(client1, "to A 2");
        co_await send_text(*client2, "to B 2");
        {
            const auto got = co_await read_text(server1);
            CHECK(got == "to A 2");
        }
        CHECK(server2.inbox_size() == 1); // "to B 1", read for it while A read
        {
            const auto got = co_await read_text(server2);
            CHECK(got == "to B 1");
        }
        {
            const auto got = co_await read_text(server2);
            CHECK(got == "to B 2");
        }
        co_await send_text(server2, "back to B");
        co_await send_text(server1, "back to A");
        {
            const auto got = co_await read_text(client1);
            CHECK(got == "back to A");
        }
        {
            const auto got = co_await read_text(*client2);
            CHECK(got == "back to B");
        }

        // A binding on the connection for a session the server does not
        // expect reaches a session that can refuse it.
        auto unknown = t.path_b;
        unknown[0].session_id = "nosuchsession";
        auto client3 = t.share("thirdsession", unknown);
        std::error_code third_ec;
        auto bind_third = [&]() -> asio::awaitable<void> { co_await msrp::detail::bind_active(*client3, third_ec); };
        auto refuse_third = [&]() -> asio::awaitable<void> {
            const auto stray = co_await server1.read_chunk();
            CHECK(server1.check_incoming_SEND_chunk(stray) == errc::session_mismatch);
            const auto answer = msrp::make_response(stray, 481, server1.local_uri());
            co_await server1.write_chunk(answer);
        };
        co_await (bind_third() && refuse_third());
        CHECK(third_ec == errc::bind_failed);
        client3.reset();

        // Session B ends; A goes on, and what still comes for B reaches A.
        server2.close();
        t.server.cleanup(t.path_b[0]);
        CHECK(server1.sessions_on_connection() == 1);
        CHECK(server1.is_open());
        co_await send_text(*client2, "late for B");
        co_await send_text(client1, "to A 3");
        const auto late = co_await server1.read_chunk();
        CHECK(late.data == "late for B");
        CHECK(server1.check_incoming_SEND_chunk(late) == errc::session_mismatch);
        {
            const auto got = co_await read_text(server1);
            CHECK(got == "to A 3");
        }

        // The last session closes the connection.
        s2.transport.reset();
        t.s1.transport.reset();
        std::error_code eof;
        co_await client1.read_chunk(std::nullopt, msrp::test::redirect(eof));
        CHECK(eof == asio::error::eof);
    });
}

TEST_CASE("a session that does not read stops the shared connection, not its memory", "[server][reuse]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto options = quick_connect_options();
        options.transport.max_inbox_chunks = 4;
        two_sessions t(ctx, options);
        co_await t.start();
        auto& client1 = *t.c1.transport;
        auto& server1 = *t.s1.transport;
        two_sessions::second_session b;
        co_await t.bind_second("first for A", b);
        auto& client2 = b.client;
        auto& s2 = b.server;
        REQUIRE_FALSE(s2.ec);
        auto& server2 = *s2.transport;

        // 40 chunks for B, then one for A. A's read must wait behind B's
        // full inbox: the connection stops reading instead of buffering.
        constexpr int for_b = 40;
        for (int i = 0; i < for_b; ++i) {
            const auto text = "B " + std::to_string(i);
            co_await send_text(*client2, text);
        }
        co_await send_text(client1, "second for A");
        bool a_done = false;
        std::size_t most_in_inbox = 0;
        auto server1_waits = [&]() -> asio::awaitable<void> {
            {
                const auto got = co_await read_text(server1);
                CHECK(got == "second for A");
            }
            a_done = true;
        };
        auto watch_then_drain = [&]() -> asio::awaitable<void> {
            co_await sleep_for(100ms);
            CHECK_FALSE(a_done);
            most_in_inbox = server2.inbox_size();
            for (int i = 0; i < for_b; ++i) {
                most_in_inbox = std::max(most_in_inbox, server2.inbox_size());
                {
                    const auto got = co_await read_text(server2);
                    CHECK(got == "B " + std::to_string(i));
                }
            }
        };
        co_await (server1_waits() && watch_then_drain());
        CHECK(a_done);
        CHECK(most_in_inbox == options.transport.max_inbox_chunks);
    });
}
