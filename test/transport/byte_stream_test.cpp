// The plain TCP stream under transports: its writes are tried at once and
// wait only for a full socket, so a write may be cut anywhere in its
// buffers and must go on from exactly there.

#include "transport/byte_stream.hpp"

#include "../support/connect_helpers.hpp"
#include "../support/io_test.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <vector>

namespace {

using asio::ip::tcp;

struct socket_pair {
    tcp::socket client, server;
};

asio::awaitable<socket_pair> connect_loopback() {
    const auto executor = co_await asio::this_coro::executor;
    tcp::acceptor acceptor(executor, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket client(executor);
    const auto endpoint = acceptor.local_endpoint();
    co_await client.async_connect(endpoint, asio::use_awaitable);
    auto server = co_await acceptor.async_accept(asio::use_awaitable);
    co_return socket_pair{std::move(client), std::move(server)};
}

} // namespace

TEST_CASE("writes cut short by a full socket go on where they were cut", "[transport][stream]") {
    using namespace asio::experimental::awaitable_operators;
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto sockets = co_await connect_loopback();
        // Small buffers on both ends: the socket fills after a few writes,
        // and the kernel takes part of a write when part fits (in runs of
        // this test, about a dozen writes are cut). Much smaller ones make
        // loopback crawl (delayed acknowledgements).
        sockets.client.set_option(asio::socket_base::send_buffer_size(64 * 1024));
        sockets.server.set_option(asio::socket_base::receive_buffer_size(64 * 1024));
        msrp::detail::tcp_byte_stream stream(std::move(sockets.client));

        // Every write gathers three pieces of odd sizes, each byte telling
        // its write and its place.
        constexpr int writes = 400;
        std::string expected;
        std::vector<std::array<std::string, 3>> pieces(writes);
        for (int w = 0; w < writes; ++w) {
            const std::size_t sizes[3] = {std::size_t(1 + w % 7), std::size_t(3000 + w % 13), std::size_t(700 + w % 5)};
            for (int p = 0; p < 3; ++p) {
                std::string& piece = pieces[w][p];
                for (std::size_t i = 0; i < sizes[p]; ++i)
                    piece += char('!' + (w * 3 + p + i) % 90);
                expected += piece;
            }
        }
        int done = 0, done_before_reading = 0;
        std::error_code write_ec;
        auto writer = [&]() -> asio::awaitable<void> {
            for (int w = 0; w < writes && !write_ec; ++w) {
                const std::array<asio::const_buffer, 3> buffers{asio::buffer(pieces[w][0]), asio::buffer(pieces[w][1]),
                                                                asio::buffer(pieces[w][2])};
                co_await stream.write(buffers, write_ec);
                ++done;
            }
        };
        std::string received;
        auto reader = [&]() -> asio::awaitable<void> {
            // In bursts, so that the socket fills again and again.
            std::vector<char> buffer(16 * 1024);
            while (received.size() < expected.size()) {
                co_await msrp::test::sleep_for(std::chrono::milliseconds(10));
                if (received.empty())
                    done_before_reading = done;
                for (std::size_t burst = 0; burst < 64 * 1024 && received.size() < expected.size();) {
                    auto [ec, n] = co_await sockets.server.async_read_some(
                        asio::buffer(buffer), asio::experimental::as_tuple(asio::use_awaitable));
                    if (ec)
                        co_return;
                    received.append(buffer.data(), n);
                    burst += n;
                }
            }
        };
        co_await (writer() && reader());
        CHECK_FALSE(write_ec);
        CHECK(done_before_reading < writes); // the socket did fill
        CHECK(received.size() == expected.size());
        CHECK(received == expected);
    });
}
