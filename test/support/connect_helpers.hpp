#pragma once
// What the connection tests share: collecting a complete()'s outcome and
// sleeping inside a coroutine.

#include <msrp/connect/connector.hpp>
#include <msrp/connect/server.hpp>

#include <asio/experimental/awaitable_operators.hpp>
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

/// Both ends of a connection bound over loopback: the acceptor's side and
/// the connector's side.
struct transport_pair {
    std::unique_ptr<MSRPTransport> accepted, connected;
};

/// Binds a fresh AcceptorDirect / ConnectorDirect pair on 127.0.0.1.
/// (No default argument: GCC 12 mishandles a default-argument temporary in
/// a co_await expression. Callers name their options first.)
inline asio::awaitable<transport_pair> make_transport_pair(connect_options options) {
    using namespace asio::experimental::awaitable_operators;
    const auto executor = co_await asio::this_coro::executor;
    AcceptorDirect acceptor(executor, options);
    ConnectorDirect connector(executor, options);
    URI acceptor_uri, connector_uri;
    const auto acceptor_path = co_await acceptor.prepare(acceptor_uri);
    const auto connector_path = co_await connector.prepare(connector_uri);
    completion a, c;
    co_await (complete_into(acceptor, connector_path, a) && complete_into(connector, acceptor_path, c));
    if (a.ec || c.ec)
        throw std::system_error(a.ec ? a.ec : c.ec, "make_transport_pair");
    co_return transport_pair{std::move(a.transport), std::move(c.transport)};
}

inline asio::awaitable<transport_pair> make_transport_pair() {
    connect_options options;
    co_return co_await make_transport_pair(options);
}

inline asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    const auto executor = co_await asio::this_coro::executor; // named: GCC 12 and co_await temporaries
    asio::steady_timer t(executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

} // namespace msrp::test
