// Throughput and latency of MSRPTransport over loopback, against raw Asio
// sockets moving the same bytes in the same run. One JSON line per figure:
//   {"case", "value", "unit", "ref_case", "ref_value", "ratio"}
//
// Both sides of every connection run on one io_context in this process,
// for the library case and the reference alike, so both pay for the same
// scheduling. Each figure alternates case and reference `runs` times and
// reports the best of each.

#include "bench_support.hpp"

#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/make_chunk.hpp>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

using namespace asio::experimental::awaitable_operators;
using namespace msrp::bench;

namespace {

// ---- the library -----------------------------------------------------------


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
