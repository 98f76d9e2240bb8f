#include "bench_support.hpp"

#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/make_chunk.hpp>

#include <msrp/connect/connector.hpp>

#include "transport/tls_context.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/read.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <system_error>
#include <vector>

using namespace asio::experimental::awaitable_operators;
using asio::ip::tcp;

namespace msrp::bench {

void print_figure(const char* name, double value, const char* unit, const char* ref_name, double ref_value) {
    std::printf("{\"case\": \"%s\", \"value\": %.6g, \"unit\": \"%s\", \"ref_case\": \"%s\", "
                "\"ref_value\": %.6g, \"ratio\": %.4g}\n",
                name, value, unit, ref_name, ref_value, value / ref_value);
    std::fflush(stdout);
}

void print_figure(const char* name, double value, const char* unit) {
    std::printf("{\"case\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"}\n", name, value, unit);
    std::fflush(stdout);
}

asio::awaitable<std::pair<tcp::socket, tcp::socket>> socket_pair(asio::io_context& ctx) {
    tcp::acceptor acceptor(ctx, {asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket client(ctx);
    tcp::socket server(ctx);
    const auto endpoint = acceptor.local_endpoint();
    co_await (acceptor.async_accept(server, asio::use_awaitable) && client.async_connect(endpoint, asio::use_awaitable));
    client.set_option(tcp::no_delay(true));
    server.set_option(tcp::no_delay(true));
    co_return std::pair{std::move(client), std::move(server)};
}

namespace {

struct completion {
    std::unique_ptr<MSRPTransport> transport;
    std::error_code ec;
};

asio::awaitable<void> complete_into(Connector& c, Path remote, completion& out) {
    out.transport = co_await c.complete(remote, asio::redirect_error(asio::use_awaitable, out.ec));
}

template <class Stream>
asio::awaitable<void> pump(Stream& writer, Stream& reader, std::size_t block, std::size_t count) {
    const std::string data(block, 'p');
    std::vector<char> in(64 * 1024);
    auto write_all = [&]() -> asio::awaitable<void> {
        for (std::size_t i = 0; i < count; ++i)
            co_await asio::async_write(writer, asio::buffer(data), asio::use_awaitable);
    };
    auto read_all = [&]() -> asio::awaitable<void> {
        std::size_t left = block * count;
        while (left > 0)
            left -= co_await reader.async_read_some(asio::buffer(in.data(), std::min(in.size(), left)),
                                                    asio::use_awaitable);
    };
    co_await (write_all() && read_all());
}

} // namespace

asio::awaitable<std::pair<std::unique_ptr<MSRPTransport>, std::unique_ptr<MSRPTransport>>>
transport_pair(asio::io_context& ctx, bool use_tls) {
    AcceptorDirect acceptor(ctx.get_executor());
    ConnectorDirect connector(ctx.get_executor());
    URI a_uri, c_uri;
    a_uri.use_tls = use_tls;
    const auto a_path = co_await acceptor.prepare(a_uri);
    const auto c_path = co_await connector.prepare(c_uri);
    completion a, c;
    co_await (complete_into(acceptor, c_path, a) && complete_into(connector, a_path, c));
    if (a.ec || c.ec)
        throw std::system_error(a.ec ? a.ec : c.ec, "bind");
    co_return std::pair{std::move(c.transport), std::move(a.transport)};
}

double raw_tcp_pump(std::size_t block, std::size_t count) {
    return timed([&](asio::io_context& ctx) -> asio::awaitable<void> {
        auto [client, server] = co_await socket_pair(ctx);
        co_await pump(client, server, block, count);
    });
}

double raw_tls_pump(std::size_t block, std::size_t count) {
    return timed([&](asio::io_context& ctx) -> asio::awaitable<void> {
        auto [client, server] = co_await socket_pair(ctx);
        tls::settings settings;
        auto client_ctx = detail::make_tls_context(detail::tls_role::client, settings);
        auto server_ctx = detail::make_tls_context(detail::tls_role::server, settings);
        asio::ssl::stream<tcp::socket> c(std::move(client), client_ctx);
        asio::ssl::stream<tcp::socket> s(std::move(server), server_ctx);
        co_await (c.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable) &&
                  s.async_handshake(asio::ssl::stream_base::server, asio::use_awaitable));
        co_await pump(c, s, block, count);
    });
}

double raw_ping_pong(std::size_t request_bytes, std::size_t response_bytes, std::size_t count) {
    return timed([&](asio::io_context& ctx) -> asio::awaitable<void> {
        auto [client, server] = co_await socket_pair(ctx);
        const std::string request(request_bytes, 'q'), response(response_bytes, 'r');
        std::vector<char> in(std::max(request_bytes, response_bytes));
        auto serve = [&]() -> asio::awaitable<void> {
            for (std::size_t i = 0; i < count; ++i) {
                co_await asio::async_read(server, asio::buffer(in.data(), request_bytes), asio::use_awaitable);
                co_await asio::async_write(server, asio::buffer(response), asio::use_awaitable);
            }
        };
        auto ask = [&]() -> asio::awaitable<void> {
            for (std::size_t i = 0; i < count; ++i) {
                co_await asio::async_write(client, asio::buffer(request), asio::use_awaitable);
                co_await asio::async_read(client, asio::buffer(in.data(), response_bytes), asio::use_awaitable);
            }
        };
        co_await (serve() && ask());
    });
}

std::pair<double, double> best_of(std::function<double()> work, std::function<double()> reference, double items) {
    double best = 0, best_ref = 0;
    for (int i = 0; i < runs; ++i) {
        best = std::max(best, items / work());
        best_ref = std::max(best_ref, items / reference());
    }
    return {best, best_ref};
}

std::size_t wire_size(std::size_t body) {
    msrp::make_chunk_params p;
    p.data = std::string(body, 'm');
    const msrp::Path to{msrp::URI::parse("msrp://127.0.0.1:40000/abcdefghijklmnop;tcp")};
    const msrp::Path from{msrp::URI::parse("msrp://bench.example:9/abcdefghijklmnop;tcp")};
    return msrp::to_wire(msrp::make_chunk(to, from, p)).size();
}

} // namespace msrp::bench
