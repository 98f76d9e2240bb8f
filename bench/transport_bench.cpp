// Throughput and latency of MSRPTransport over loopback, against raw Asio
// sockets moving the same bytes in the same run. One JSON line per figure:
//   {"case", "value", "unit", "ref_case", "ref_value", "ratio"}
//
// Both sides of every connection run on one io_context in this process,
// for the library case and the reference alike, so both pay for the same
// scheduling. Each figure alternates case and reference `runs` times and
// reports the best of each.

#include <msrp/connect/connector.hpp>
#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/make_chunk.hpp>

#include "transport/tls_context.hpp"

#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace asio::experimental::awaitable_operators;
using asio::ip::tcp;

namespace {

constexpr int runs = 3;

void print_figure(const char* name, double value, const char* unit, const char* ref_name, double ref_value) {
    std::printf("{\"case\": \"%s\", \"value\": %.6g, \"unit\": \"%s\", \"ref_case\": \"%s\", "
                "\"ref_value\": %.6g, \"ratio\": %.4g}\n",
                name, value, unit, ref_name, ref_value, value / ref_value);
    std::fflush(stdout);
}

/// Runs `make()` to the end on a fresh io_context; returns seconds taken.
template <class Make>
double timed(Make make) {
    asio::io_context ctx{1};
    std::exception_ptr failure;
    asio::co_spawn(ctx, make(ctx), [&](std::exception_ptr e) { failure = e; });
    const auto start = std::chrono::steady_clock::now();
    ctx.run();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (failure)
        std::rethrow_exception(failure);
    return seconds;
}

/// A connected pair of plain sockets on 127.0.0.1.
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

// ---- references: raw Asio moving the same bytes ---------------------------

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

double raw_tcp_pump(std::size_t block, std::size_t count) {
    return timed([&](asio::io_context& ctx) -> asio::awaitable<void> {
        auto [client, server] = co_await socket_pair(ctx);
        co_await pump(client, server, block, count);
    });
}

double raw_tls_pump(std::size_t block, std::size_t count) {
    return timed([&](asio::io_context& ctx) -> asio::awaitable<void> {
        auto [client, server] = co_await socket_pair(ctx);
        msrp::tls::settings settings;
        auto client_ctx = msrp::detail::make_tls_context(msrp::detail::tls_role::client, settings);
        auto server_ctx = msrp::detail::make_tls_context(msrp::detail::tls_role::server, settings);
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

// ---- the library -----------------------------------------------------------

struct completion {
    std::unique_ptr<msrp::MSRPTransport> transport;
    std::error_code ec;
};

asio::awaitable<void> complete_into(msrp::Connector& c, msrp::Path remote, completion& out) {
    out.transport = co_await c.complete(remote, out.ec);
}

/// A bound connector/acceptor pair (TCP, or TLS with `use_tls`).
asio::awaitable<std::pair<std::unique_ptr<msrp::MSRPTransport>, std::unique_ptr<msrp::MSRPTransport>>>
transport_pair(asio::io_context& ctx, bool use_tls) {
    msrp::AcceptorDirect acceptor(ctx.get_executor());
    msrp::ConnectorDirect connector(ctx.get_executor());
    msrp::URI a_uri, c_uri;
    a_uri.use_tls = use_tls;
    const auto a_path = co_await acceptor.prepare(a_uri);
    const auto c_path = co_await connector.prepare(c_uri);
    completion a, c;
    co_await (complete_into(acceptor, c_path, a) && complete_into(connector, a_path, c));
    if (a.ec || c.ec)
        throw std::system_error(a.ec ? a.ec : c.ec, "bind");
    co_return std::pair{std::move(c.transport), std::move(a.transport)};
}

/// Wire size of the chunks `chunk_stream` sends.
std::size_t wire_size(std::size_t body) {
    msrp::make_chunk_params p;
    p.data = std::string(body, 'm');
    const msrp::Path to{msrp::URI::parse("msrp://127.0.0.1:40000/abcdefghijklmnop;tcp")};
    const msrp::Path from{msrp::URI::parse("msrp://bench.example:9/abcdefghijklmnop;tcp")};
    return msrp::to_wire(msrp::make_chunk(to, from, p)).size();
}

double chunk_stream(bool use_tls, std::size_t body, std::size_t count) {
    return timed([&](asio::io_context& ctx) -> asio::awaitable<void> {
        auto [sender, receiver] = co_await transport_pair(ctx, use_tls);
        msrp::make_chunk_params p;
        p.data = std::string(body, 'm');
        const auto chunk = sender->make_chunk(p);
        auto send_all = [&]() -> asio::awaitable<void> {
            for (std::size_t i = 0; i < count; ++i)
                co_await sender->write_chunk(chunk);
        };
        auto receive_all = [&]() -> asio::awaitable<void> {
            msrp::IncomingChunk got; // reused, as a reader that cares for speed does
            std::error_code ec;
            for (std::size_t i = 0; i < count; ++i) {
                co_await receiver->read_chunk_into(got, std::nullopt, ec);
                if (ec || got.data.size() != body)
                    throw std::runtime_error("short chunk");
            }
        };
        co_await (send_all() && receive_all());
    });
}

double chunk_round_trips(std::size_t count, std::size_t& request_bytes, std::size_t& response_bytes) {
    return timed([&](asio::io_context& ctx) -> asio::awaitable<void> {
        auto [client, server] = co_await transport_pair(ctx, false);
        msrp::make_chunk_params p;
        p.data = "Are you there? This is a short chat message of about a hundred octets, as chat sends.";
        const auto request = client->make_chunk(p);
        const auto response = msrp::make_response(request, 200, server->local_uri());
        request_bytes = msrp::to_wire(request).size();
        response_bytes = msrp::to_wire(response).size();
        auto serve = [&]() -> asio::awaitable<void> {
            msrp::IncomingChunk got;
            std::error_code ec;
            for (std::size_t i = 0; i < count; ++i) {
                co_await server->read_chunk_into(got, std::nullopt, ec);
                co_await server->write_chunk(response);
            }
        };
        auto ask = [&]() -> asio::awaitable<void> {
            msrp::IncomingChunk got;
            std::error_code ec;
            for (std::size_t i = 0; i < count; ++i) {
                co_await client->write_chunk(request);
                co_await client->read_chunk_into(got, std::nullopt, ec);
            }
        };
        co_await (serve() && ask());
    });
}

/// Best rate of `work` and of `reference` (items / seconds), alternated.
std::pair<double, double> best_of(std::function<double()> work, std::function<double()> reference, double items) {
    double best = 0, best_ref = 0;
    for (int i = 0; i < runs; ++i) {
        best = std::max(best, items / work());
        best_ref = std::max(best_ref, items / reference());
    }
    return {best, best_ref};
}

void stream_figure(const char* name, const char* ref_name, bool use_tls, std::size_t body, std::size_t total_bytes) {
    const auto wire = wire_size(body);
    const auto count = std::max<std::size_t>(1, total_bytes / wire);
    const auto [rate, ref_rate] = best_of([&] { return chunk_stream(use_tls, body, count); },
                                          [&] { return use_tls ? raw_tls_pump(wire, count) : raw_tcp_pump(wire, count); },
                                          double(wire) * double(count));
    print_figure(name, rate / 1e6, "MB/s", ref_name, ref_rate / 1e6);
}

} // namespace

int main() {
    stream_figure("transport/tcp-64KiB", "raw-tcp/64KiB", false, 64 * 1024, 1u << 30);
    stream_figure("transport/tcp-2KiB", "raw-tcp/2KiB", false, 2 * 1024, 256u << 20);
    stream_figure("transport/tls-64KiB", "raw-tls/64KiB", true, 64 * 1024, 512u << 20);

    constexpr std::size_t trips = 20000;
    std::size_t request_bytes = 0, response_bytes = 0;
    chunk_round_trips(10, request_bytes, response_bytes); // learn the sizes
    const auto [rate, ref_rate] = best_of([&] { return chunk_round_trips(trips, request_bytes, response_bytes); },
                                          [&] { return raw_ping_pong(request_bytes, response_bytes, trips); },
                                          double(trips));
    print_figure("transport/roundtrip", rate, "round trips/s", "raw-tcp/ping-pong", ref_rate);
    return 0;
}
