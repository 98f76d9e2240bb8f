#pragma once
// What the connection tests share: collecting a complete()'s outcome and
// sleeping inside a coroutine.

#include <msrp/connect/connector.hpp>
#include <msrp/connect/server.hpp>

#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <memory>
#include <system_error>

namespace msrp::test {

/// The outcome of one `complete`.
struct completion {
    std::unique_ptr<MSRPTransport> transport;
    std::error_code ec;
};

/// Runs `complete(remote)` of a connector or acceptor into `out`.
inline asio::awaitable<void> complete_into(Connector& c, Path remote, completion& out) {
    out.transport = co_await c.complete(remote, out.ec);
}

/// Runs `complete(remote)` of a server into `out`.
inline asio::awaitable<void> complete_into(MSRPServer& server, Path remote, completion& out) {
    out.transport = co_await server.complete(remote, out.ec);
}

inline asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

} // namespace msrp::test
