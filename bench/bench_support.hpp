#pragma once
// What the benchmarks share: printing a figure, timing a coroutine on a
// fresh io_context, loopback connections (raw sockets and bound MSRP
// transports), the raw Asio references, and best-of-N alternation.
//
// One JSON line per figure:
//   {"case", "value", "unit", "ref_case", "ref_value", "ratio"}

#include <msrp/transport/transport.hpp>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <utility>

namespace msrp::bench {

/// Runs of each side of a figure (alternated; the best is reported).
inline constexpr int runs = 3;

void print_figure(const char* name, double value, const char* unit, const char* ref_name, double ref_value);
/// A figure without a reference (an absolute cost, such as memory).
void print_figure(const char* name, double value, const char* unit);

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

/// A connected pair of plain sockets on 127.0.0.1 (client, server), Nagle off.
asio::awaitable<std::pair<asio::ip::tcp::socket, asio::ip::tcp::socket>> socket_pair(asio::io_context& ctx);

/// A bound connector/acceptor pair over loopback (TCP, or TLS with
/// `use_tls`): the connector's transport first, then the acceptor's.
asio::awaitable<std::pair<std::unique_ptr<MSRPTransport>, std::unique_ptr<MSRPTransport>>>
transport_pair(asio::io_context& ctx, bool use_tls);

// ---- references: raw Asio moving the same bytes ---------------------------

/// `count` writes of `block` bytes over raw TCP, read in up to 64 KiB reads.
double raw_tcp_pump(std::size_t block, std::size_t count);
/// The same over TLS (the library's TLS context settings).
double raw_tls_pump(std::size_t block, std::size_t count);
/// `count` request/response exchanges of the given sizes, one at a time.
double raw_ping_pong(std::size_t request_bytes, std::size_t response_bytes, std::size_t count);

/// Wire size of a SEND chunk with `body` bytes and the header fields a
/// session or `make_chunk` writes (paths of loopback length, Message-ID,
/// Byte-Range, Content-Type): what a raw reference must move per chunk to
/// move the same bytes.
std::size_t wire_size(std::size_t body);

/// Best rate of `work` and of `reference` (items / seconds), alternated
/// `runs` times.
std::pair<double, double> best_of(std::function<double()> work, std::function<double()> reference, double items);

} // namespace msrp::bench
