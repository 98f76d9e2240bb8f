// Connectors and acceptors over real loopback sockets: binding, TLS,
// failures on both ends, and the transport's reading contract.
// (Arguments of co_await calls are named locals: GCC 12 mishandles
// temporaries with destructors in co_await expressions.)

#include "../support/connect_helpers.hpp"
#include "../support/io_test.hpp"

#include <msrp/connect/connector.hpp>
#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/make_chunk.hpp>
#include <msrp/transport/tls.hpp>

#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;
using msrp::errc;

namespace {

constexpr auto as_tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

using msrp::test::completion;
using msrp::test::complete_into;
using msrp::test::direct_pair;
using msrp::test::quick_connect_options;
using msrp::test::sleep_for;

// A peer that speaks MSRP by hand: for bytes the library would never send.
struct raw_peer {
    asio::ip::tcp::socket socket;
    msrp::URI uri;

    static asio::awaitable<raw_peer> connect(const msrp::URI& target) {
        // GCC 12 cannot co_await inside a braced initializer: await first.
        auto executor = co_await asio::this_coro::executor;
        raw_peer p{asio::ip::tcp::socket(executor), msrp::URI::parse("msrp://raw.example:9/rawpeer;tcp")};
        const asio::ip::tcp::endpoint ep(asio::ip::make_address(target.host), target.port);
        co_await p.socket.async_connect(ep, asio::use_awaitable);
        co_return p;
    }
    asio::awaitable<void> send(std::string_view bytes) {
        co_await asio::async_write(socket, asio::buffer(bytes), asio::use_awaitable);
    }
    // Binds as the active side and reads the 200.
    asio::awaitable<void> bind(const msrp::Path& acceptor_path) {
        const auto chunk = msrp::make_chunk(acceptor_path, msrp::Path{uri});
        const auto bytes1 = msrp::to_wire(chunk);
        co_await send(bytes1);
        std::string reply(512, '\0');
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(reply), as_tuple_awaitable);
        REQUIRE_FALSE(ec);
        reply.resize(n);
        REQUIRE(reply.find("MSRP " + chunk.transaction_id + " 200 OK\r\n") == 0);
    }
};

// An acceptor bound to a raw peer, ready for the raw peer's bytes.
struct raw_session {
    std::unique_ptr<msrp::MSRPTransport> transport;
    raw_peer peer;
};

asio::awaitable<raw_session> accept_raw(msrp::AcceptorDirect& acceptor) {
    const auto path = co_await acceptor.prepare();
    const msrp::URI local = path.back();
    auto peer = co_await raw_peer::connect(local);
    completion accepted;
    const msrp::Path peer_path{peer.uri}; // GCC 12: no braced lists in a co_await expression
    co_await (complete_into(acceptor, peer_path, accepted) && peer.bind(path));
    REQUIRE_FALSE(accepted.ec);
    co_return raw_session{std::move(accepted.transport), std::move(peer)};
}

std::string send_head(const msrp::Path& to, const msrp::URI& from, const std::string& tid, const std::string& range) {
    return "MSRP " + tid + " SEND\r\nTo-Path: " + msrp::format_path(to) + "\r\nFrom-Path: " + from.to_string() +
           "\r\nMessage-ID: msg12345\r\nByte-Range: " + range + "\r\nContent-Type: text/plain\r\n\r\n";
}

} // namespace

TEST_CASE("connector and acceptor bind over TCP and exchange chunks", "[connect]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        direct_pair pair(ctx.get_executor());
        const msrp::URI any_local;
        co_await pair.bind(any_local);
        REQUIRE_FALSE(pair.accepted.ec);
        REQUIRE_FALSE(pair.connected.ec);
        auto& a = *pair.accepted.transport;
        auto& c = *pair.connected.transport;
        // Port 0 became the real port, and the path says so.
        CHECK(pair.acceptor_path.at(0).port != 0);
        CHECK(c.full_remote_path() == pair.acceptor_path);
        CHECK(a.full_remote_path() == pair.connector_path);

        msrp::make_chunk_params hello;
        hello.data = "Hello, Bob";
        const auto sent = c.make_chunk(hello);
        co_await c.write_chunk(sent);
        const auto got = co_await a.read_chunk();
        CHECK(got.data == "Hello, Bob");
        CHECK(got.transaction_id == sent.transaction_id);
        CHECK(got.segment == 0);
        CHECK_FALSE(a.check_incoming_SEND_chunk(got));
        const auto chunk2 = msrp::make_response(got, 200, a.local_uri());
        co_await a.write_chunk(chunk2);
        const auto response = co_await c.read_chunk();
        CHECK(response.code == 200);
        CHECK(response.transaction_id == sent.transaction_id);

        // And the other way.
        msrp::make_chunk_params back;
        back.data = std::string(100000, 'b');
        const auto chunk3 = a.make_chunk(back);
        co_await a.write_chunk(chunk3);
        const auto big = co_await c.read_chunk();
        CHECK(big.data == back.data);
        CHECK_FALSE(c.check_incoming_SEND_chunk(big));
    });
}

TEST_CASE("a bind with the wrong session is answered 481 and fails on both ends", "[connect]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        direct_pair pair(ctx.get_executor());
        const msrp::URI any_local;
        co_await pair.prepare(any_local);
        auto wrong = pair.acceptor_path;
        wrong[0].session_id += "x";
        completion accepted, connected;
        co_await (complete_into(pair.acceptor, pair.connector_path, accepted) &&
                  complete_into(pair.connector, wrong, connected));
        CHECK(accepted.ec == errc::session_mismatch);
        CHECK(connected.ec == errc::bind_failed);
        CHECK_FALSE(accepted.transport);
        CHECK_FALSE(connected.transport);
    });
}

TEST_CASE("an acceptor given no remote path binds the first peer that names it, when it accepts any peer",
          "[connect]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        const msrp::URI any_local;
        const msrp::Path any_peer;
        {
            // By default an empty path is refused, by the connector too.
            direct_pair refusing(ctx.get_executor());
            co_await refusing.prepare(any_local);
            completion accepted, connected;
            co_await complete_into(refusing.acceptor, any_peer, accepted);
            co_await complete_into(refusing.connector, any_peer, connected);
            CHECK(accepted.ec == errc::no_remote_path);
            CHECK(connected.ec == errc::no_remote_path);
        }
        auto any_peer_options = quick_connect_options();
        any_peer_options.accept_any_peer = true;
        direct_pair pair(ctx.get_executor(), any_peer_options);
        co_await pair.prepare(any_local);
        completion accepted, connected;
        co_await (complete_into(pair.acceptor, any_peer, accepted) &&
                  complete_into(pair.connector, pair.acceptor_path, connected));
        REQUIRE_FALSE(accepted.ec);
        REQUIRE_FALSE(connected.ec);
        // The peer's From-Path became the remote path: chunks go back to it.
        CHECK(accepted.transport->full_remote_path() == pair.connector_path);
        msrp::make_chunk_params hello;
        hello.data = "back to you";
        const auto sent = accepted.transport->make_chunk(hello);
        co_await accepted.transport->write_chunk(sent);
        const auto got = co_await connected.transport->read_chunk();
        CHECK(got.data == "back to you");
        CHECK_FALSE(connected.transport->check_incoming_SEND_chunk(got));

        // The To-Path must still name the acceptor.
        direct_pair pair2(ctx.get_executor(), any_peer_options);
        co_await pair2.prepare(any_local);
        auto wrong = pair2.acceptor_path;
        wrong[0].session_id += "x";
        completion accepted2, connected2;
        co_await (complete_into(pair2.acceptor, any_peer, accepted2) &&
                  complete_into(pair2.connector, wrong, connected2));
        CHECK(accepted2.ec == errc::session_mismatch);
        CHECK(connected2.ec == errc::bind_failed);
    });
}

TEST_CASE("binding that does not happen in time fails with bind_timeout", "[connect]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto options = quick_connect_options();
        options.bind_timeout = 200ms;
        SECTION("nobody connects to the acceptor") {
            msrp::AcceptorDirect acceptor(ctx.get_executor(), options);
            msrp::URI local;
            co_await acceptor.prepare(local);
            completion accepted;
            const msrp::Path nobody{msrp::URI::parse("msrp://peer.example:9/p1234;tcp")};
            co_await complete_into(acceptor, nobody, accepted);
            CHECK(accepted.ec == errc::bind_timeout);
        }
        SECTION("the peer accepts the connection and never answers the SEND") {
            asio::ip::tcp::acceptor silent(ctx, {asio::ip::make_address("127.0.0.1"), 0});
            const auto port = silent.local_endpoint().port();
            asio::ip::tcp::socket held(ctx);
            auto hold = [&]() -> asio::awaitable<void> { held = co_await silent.async_accept(asio::use_awaitable); };
            msrp::ConnectorDirect connector(ctx.get_executor(), options);
            completion connected;
            const msrp::Path remote{msrp::URI::parse("msrp://127.0.0.1:" + std::to_string(port) + "/s1234;tcp")};
            co_await (hold() && complete_into(connector, remote, connected));
            CHECK(connected.ec == errc::bind_timeout);
        }
    });
}

TEST_CASE("a peer that closes in the middle of a chunk gives truncated, not a hang", "[connect][transport]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::AcceptorDirect acceptor(ctx.get_executor(), quick_connect_options());
        auto s = co_await accept_raw(acceptor);
        const msrp::Path to{s.transport->local_uri()};
        const auto cut = send_head(to, s.peer.uri, "cut12345", "1-100/100") + "only part of the body";
        co_await s.peer.send(cut);
        s.peer.socket.close();
        std::error_code ec;
        co_await s.transport->read_chunk(std::nullopt, msrp::test::redirect(ec));
        CHECK(ec == errc::truncated);
        CHECK_FALSE(s.transport->is_open());
    });
}

TEST_CASE("garbage from the peer is a parse error and closes the connection", "[connect][transport]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::AcceptorDirect acceptor(ctx.get_executor(), quick_connect_options());
        auto s = co_await accept_raw(acceptor);
        co_await s.peer.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        std::error_code ec;
        co_await s.transport->read_chunk(std::nullopt, msrp::test::redirect(ec));
        CHECK(ec == errc::bad_start_line);
        CHECK_FALSE(s.transport->is_open());
        // Later reads report the same failure at once.
        co_await s.transport->read_chunk(std::nullopt, msrp::test::redirect(ec));
        CHECK(ec == errc::bad_start_line);
        // The peer sees the connection closed.
        char byte;
        auto [read_ec, n] = co_await s.peer.socket.async_read_some(asio::buffer(&byte, 1), as_tuple_awaitable);
        CHECK(read_ec == asio::error::eof);
        CHECK(n == 0);
    });
}

TEST_CASE("read_chunk(size) returns segments with narrowed Byte-Range", "[transport]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::AcceptorDirect acceptor(ctx.get_executor(), quick_connect_options());
        auto s = co_await accept_raw(acceptor);
        auto& t = *s.transport;
        const msrp::Path to{t.local_uri()};
        const std::string body(100, 'x');
        const std::string head = send_head(to, s.peer.uri, "seg12345", "1-100/100");
        const std::string tail = "\r\n-------seg12345$\r\n";

        SECTION("size 0: a segment as soon as any body bytes are there") {
            const auto bytes4 = head + body.substr(0, 30);
            co_await s.peer.send(bytes4);
            auto first = co_await t.read_chunk(0);
            CHECK(first.segment == 1);
            CHECK(first.data == body.substr(0, 30));
            CHECK(first.byte_range() == msrp::ByteRange{1, 30, 100});
            CHECK(first.contflag == '+');
            const auto bytes5 = body.substr(30, 40);
            co_await s.peer.send(bytes5);
            auto second = co_await t.read_chunk(0);
            CHECK(second.segment == 2);
            CHECK(second.byte_range() == msrp::ByteRange{31, 70, 100});
            CHECK(second.contflag == '+');
            const auto bytes6 = body.substr(70) + tail;
            co_await s.peer.send(bytes6);
            auto last = co_await t.read_chunk(0);
            CHECK(last.segment == 3);
            CHECK(last.data == body.substr(70));
            CHECK(last.byte_range() == msrp::ByteRange{71, 100, 100});
            CHECK(last.contflag == '$');
            CHECK(last.transaction_id == "seg12345");
        }
        SECTION("size smaller than the chunk") {
            const auto bytes7 = head + body.substr(0, 60);
            co_await s.peer.send(bytes7);
            auto first = co_await t.read_chunk(50);
            CHECK(first.segment == 1);
            CHECK(first.data.size() == 60);
            CHECK(first.byte_range() == msrp::ByteRange{1, 60, 100});
            const auto bytes8 = body.substr(60) + tail;
            co_await s.peer.send(bytes8);
            auto last = co_await t.read_chunk(50);
            CHECK(last.segment == 2);
            CHECK(last.byte_range() == msrp::ByteRange{61, 100, 100});
            CHECK(last.contflag == '$');
        }
        SECTION("size larger than the chunk: the whole chunk") {
            const auto bytes9 = head + body.substr(0, 60);
            co_await s.peer.send(bytes9);
            msrp::IncomingChunk whole;
            auto reader = [&]() -> asio::awaitable<void> { whole = co_await t.read_chunk(1000); };
            auto late_writer = [&]() -> asio::awaitable<void> {
                co_await sleep_for(50ms);
                const auto bytes10 = body.substr(60) + tail;
                co_await s.peer.send(bytes10);
            };
            co_await (reader() && late_writer());
            CHECK(whole.segment == 0);
            CHECK(whole.data == body);
            CHECK(whole.byte_range() == msrp::ByteRange{1, 100, 100});
        }
        SECTION("a chunk already complete is returned whole whatever the size") {
            const auto bytes11 = head + body + tail;
            co_await s.peer.send(bytes11);
            co_await sleep_for(20ms);
            auto whole = co_await t.read_chunk(10);
            CHECK(whole.segment == 0);
            CHECK(whole.data == body);
        }
    });
}

TEST_CASE("msrps: TLS with fingerprints checked both ways", "[connect][tls]") {
    asio::io_context ctx{1};
    const auto acceptor_cert = msrp::tls::generate_self_signed("acceptor");
    const auto connector_cert = msrp::tls::generate_self_signed("connector");
    auto acceptor_options = quick_connect_options();
    auto connector_options = quick_connect_options();
    acceptor_options.tls.local = acceptor_cert;
    connector_options.tls.local = connector_cert;
    acceptor_options.tls.expected_peer_fingerprint = msrp::tls::fingerprint(connector_cert.certificate_pem);
    msrp::URI secure;
    secure.use_tls = true;

    SECTION("matching fingerprints bind and carry chunks") {
        connector_options.tls.expected_peer_fingerprint = msrp::tls::fingerprint(acceptor_cert.certificate_pem);
        msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
            direct_pair pair(ctx.get_executor(), acceptor_options, connector_options);
            co_await pair.bind(secure);
            REQUIRE_FALSE(pair.accepted.ec);
            REQUIRE_FALSE(pair.connected.ec);
            CHECK(pair.acceptor_path.at(0).use_tls);
            CHECK(pair.connected.transport->connection().tls);
            msrp::make_chunk_params p;
            p.data = std::string(70000, 's');
            const auto chunk12 = pair.connected.transport->make_chunk(p);
            co_await pair.connected.transport->write_chunk(chunk12);
            const auto got = co_await pair.accepted.transport->read_chunk();
            CHECK(got.data == p.data);
        });
    }
    SECTION("a fingerprint mismatch fails the connection") {
        connector_options.tls.expected_peer_fingerprint =
            msrp::tls::fingerprint(msrp::tls::generate_self_signed("impostor").certificate_pem);
        msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
            direct_pair pair(ctx.get_executor(), acceptor_options, connector_options);
            co_await pair.bind(secure);
            CHECK(pair.connected.ec == msrp::tls::errc::fingerprint_mismatch);
            CHECK(pair.accepted.ec);
            CHECK_FALSE(pair.accepted.transport);
        });
    }
    SECTION("a plain TCP client on a TLS port fails cleanly") {
        msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
            msrp::AcceptorDirect acceptor(ctx.get_executor(), acceptor_options);
            const auto path = co_await acceptor.prepare(secure);
            const msrp::URI local = path.back();
            completion accepted;
            auto plain = [&]() -> asio::awaitable<void> {
                auto peer = co_await raw_peer::connect(local);
                const msrp::Path from{peer.uri};
                const auto bind = msrp::to_wire(msrp::make_chunk(path, from));
                co_await peer.send(bind);
                char buf[256];
                co_await peer.socket.async_read_some(asio::buffer(buf), as_tuple_awaitable);
            };
            const msrp::Path raw{msrp::URI::parse("msrp://raw.example:9/rawpeer;tcp")};
            co_await (complete_into(acceptor, raw, accepted) && plain());
            CHECK(accepted.ec);
            CHECK(accepted.ec != errc::bind_timeout);
            CHECK_FALSE(accepted.transport);
        });
    }
}

TEST_CASE("get_connector and get_acceptor", "[connect]") {
    asio::io_context ctx{1};
    CHECK(dynamic_cast<msrp::ConnectorDirect*>(msrp::get_connector(ctx.get_executor(), std::nullopt).get()));
    CHECK(dynamic_cast<msrp::AcceptorDirect*>(msrp::get_acceptor(ctx.get_executor(), std::nullopt).get()));
    msrp::relay_settings relay{msrp::URI::parse("msrps://relay.example.com;tcp"), "alice", "secret"};
    try {
        msrp::get_connector(ctx.get_executor(), relay);
        FAIL("a relay must not be accepted yet");
    } catch (const std::system_error& e) {
        CHECK(e.code() == errc::not_supported);
    }
}

TEST_CASE("cancelled operations end at once and leave nothing open", "[connect][cancel]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        SECTION("an acceptor waiting for its peer") {
            msrp::AcceptorDirect acceptor(ctx.get_executor(), quick_connect_options());
            const msrp::URI local = (co_await acceptor.prepare()).back();
            completion accepted;
            const msrp::Path nobody{msrp::URI::parse("msrp://peer.example:9/p1234;tcp")};
            // `||` cancels the loser: the 5 s bind timeout must not be waited out.
            const auto start = std::chrono::steady_clock::now();
            co_await (complete_into(acceptor, nobody, accepted) || sleep_for(50ms));
            CHECK(std::chrono::steady_clock::now() - start < 2s);
            CHECK(accepted.ec == asio::error::operation_aborted);
            CHECK_FALSE(accepted.transport);
            // The port is closed: nothing listens any more.
            asio::ip::tcp::socket probe(ctx);
            const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), local.port);
            auto [ec] = co_await probe.async_connect(ep, as_tuple_awaitable);
            CHECK(ec == asio::error::connection_refused);
        }
        SECTION("a read waiting for a chunk") {
            direct_pair pair(ctx.get_executor());
            const msrp::URI any_local;
            co_await pair.bind(any_local);
            REQUIRE_FALSE(pair.accepted.ec);
            auto& t = *pair.accepted.transport;
            std::error_code read_ec;
            auto reader = [&]() -> asio::awaitable<void> { co_await t.read_chunk(std::nullopt, msrp::test::redirect(read_ec)); };
            co_await (reader() || sleep_for(50ms));
            CHECK(read_ec == asio::error::operation_aborted);
        }
    });
}

TEST_CASE("the traffic log sees the connection's life and every chunk", "[connect][log]") {
    asio::io_context ctx{1};
    std::ostringstream text, json;
    auto options = quick_connect_options();
    options.transport.logger = msrp::make_text_logger(text);
    auto json_options = quick_connect_options();
    json_options.transport.logger = msrp::make_json_logger(json);
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        direct_pair pair(ctx.get_executor(), options, json_options);
        const msrp::URI any_local;
        co_await pair.bind(any_local);
        REQUIRE_FALSE(pair.accepted.ec);
        msrp::make_chunk_params p;
        p.data = "logged message";
        const auto chunk = pair.connected.transport->make_chunk(p);
        co_await pair.connected.transport->write_chunk(chunk);
        const auto got = co_await pair.accepted.transport->read_chunk();
        co_await pair.connected.transport->shutdown();
        std::error_code ec;
        co_await pair.accepted.transport->read_chunk(std::nullopt, msrp::test::redirect(ec));
        CHECK(ec == asio::error::eof);
    });
    const auto t = text.str();
    INFO(t);
    // The acceptor's side: bound, the binding SEND in, its 200 out, the
    // message in, the close.
    CHECK(t.find("bound") != std::string::npos);
    CHECK(t.find("logged message") != std::string::npos);
    CHECK(t.find(" 200 OK") != std::string::npos);
    CHECK(t.find("closed") != std::string::npos);
    // The connector's side as JSON lines: connecting first, then connected,
    // then the chunks, one object per line.
    std::istringstream lines(json.str());
    std::string line;
    std::vector<std::string> events;
    int data_lines = 0;
    while (std::getline(lines, line)) {
        const auto j = nlohmann::json::parse(line);
        if (j.contains("event"))
            events.push_back(j.at("event").get<std::string>());
        else
            ++data_lines;
    }
    REQUIRE(events.size() >= 3);
    CHECK(events[0] == "connecting");
    CHECK(events[1] == "connected");
    CHECK(std::find(events.begin(), events.end(), "bound") != events.end());
    CHECK(data_lines >= 4); // binding SEND out, its 200 in, the message out (head, body, end-line)
}

TEST_CASE("writes started together go out whole, one after the other", "[transport]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        direct_pair pair(ctx.get_executor());
        const msrp::URI any_local;
        co_await pair.bind(any_local);
        REQUIRE_FALSE(pair.connected.ec);
        auto& c = *pair.connected.transport;
        // Big enough that each write needs many socket writes.
        std::vector<msrp::Chunk> chunks;
        for (char fill : {'a', 'b', 'c', 'd'}) {
            msrp::make_chunk_params p;
            p.data = std::string(3 << 20, fill);
            chunks.push_back(c.make_chunk(p));
        }
        auto writer = [&](std::size_t i) -> asio::awaitable<void> { co_await c.write_chunk(chunks[i]); };
        auto reader = [&]() -> asio::awaitable<void> {
            for (std::size_t i = 0; i < chunks.size(); ++i) {
                const auto got = co_await pair.accepted.transport->read_chunk();
                CHECK(got.transaction_id == chunks[i].transaction_id);
                CHECK(got.data == chunks[i].data);
            }
        };
        co_await (writer(0) && writer(1) && writer(2) && writer(3) && reader());
    });
}

TEST_CASE("small writes into a full socket wait for the peer and arrive whole and in order", "[transport]") {
    // Writes small enough to be tried at once (without the reactor) meet a
    // socket that is full or nearly so: some are cut short and finish
    // later, some wait from the start. None may lose, repeat or reorder a byte.
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        const auto options = quick_connect_options();
        auto pair = co_await msrp::test::make_transport_pair(options);
        auto& c = *pair.connected;
        constexpr std::size_t count = 2000; // 16 MiB: more than loopback buffers hold
        std::vector<msrp::Chunk> chunks;
        for (std::size_t i = 0; i < count; ++i) {
            msrp::make_chunk_params p;
            p.data = std::string(8 * 1024, char('a' + i % 26));
            p.data.replace(0, std::to_string(i).size(), std::to_string(i));
            chunks.push_back(c.make_chunk(p));
        }
        std::size_t written = 0;
        auto writer = [&]() -> asio::awaitable<void> {
            for (const auto& chunk : chunks) {
                co_await c.write_chunk(chunk);
                ++written;
            }
        };
        std::size_t written_before_reading = 0, matched = 0;
        auto reader = [&]() -> asio::awaitable<void> {
            co_await msrp::test::sleep_for(std::chrono::milliseconds(100)); // let the socket fill
            written_before_reading = written;
            for (std::size_t i = 0; i < count; ++i) {
                const auto got = co_await pair.accepted->read_chunk();
                if (got.transaction_id == chunks[i].transaction_id && got.data == chunks[i].data)
                    ++matched;
            }
        };
        co_await (writer() && reader());
        CHECK(written_before_reading < count); // the writer did wait for the reader
        CHECK(matched == count);
    });
}

TEST_CASE("msrps: an unusable certificate or key fails prepare() with bad_certificate, before any peer comes",
          "[connect][tls]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        const auto good = msrp::tls::generate_self_signed("alice");
        const msrp::tls::credentials broken_key{good.certificate_pem, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"};
        const msrp::tls::credentials not_pem{"not a certificate", good.private_key_pem};
        const auto other = msrp::tls::generate_self_signed("bob");
        const msrp::tls::credentials mismatched{good.certificate_pem, other.private_key_pem};
        for (const auto& creds : {broken_key, not_pem, mismatched}) {
            auto options = quick_connect_options();
            options.tls.local = creds;
            msrp::AcceptorDirect acceptor(ctx.get_executor(), options);
            msrp::ConnectorDirect connector(ctx.get_executor(), options);
            msrp::MSRPServer server(ctx.get_executor(), options);
            for (msrp::Connector* c : {static_cast<msrp::Connector*>(&acceptor), static_cast<msrp::Connector*>(&connector)}) {
                msrp::URI local;
                local.use_tls = true;
                std::error_code ec;
                co_await c->prepare(local, msrp::test::redirect(ec));
                CHECK(ec == msrp::tls::errc::bad_certificate);
            }
            msrp::URI server_uri;
            server_uri.use_tls = true;
            std::error_code ec;
            co_await server.prepare(server_uri, nullptr, msrp::test::redirect(ec));
            CHECK(ec == msrp::tls::errc::bad_certificate);
            // The throwing form throws it too, from prepare() itself.
            msrp::URI again;
            again.use_tls = true;
            bool threw = false;
            try {
                co_await acceptor.prepare(again);
            } catch (const std::system_error& e) {
                threw = e.code() == msrp::tls::errc::bad_certificate;
            }
            CHECK(threw);
        }
        // Over plain TCP the credentials are not used and not checked.
        auto options = quick_connect_options();
        options.tls.local = not_pem;
        msrp::AcceptorDirect plain(ctx.get_executor(), options);
        msrp::URI local;
        std::error_code ec;
        co_await plain.prepare(local, msrp::test::redirect(ec));
        CHECK_FALSE(ec);
    });
}
