#pragma once
// What the connection tests share: their connect options, an acceptor and
// a connector bound to each other, collecting a complete()'s outcome, and
// sleeping inside a coroutine.

#include <msrp/connect/connector.hpp>

#include "io_test.hpp"
#include <msrp/connect/server.hpp>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <memory>
#include <system_error>
#include <utility>

namespace msrp::test {

/// The outcome of one `complete`.
struct completion {
    std::unique_ptr<MSRPTransport> transport;
    std::error_code ec;
};

/// Runs `complete(remote)` of a connector or acceptor into `out`.
inline asio::awaitable<void> complete_into(Connector& c, Path remote, completion& out) {
    out.transport = co_await c.complete(remote, msrp::test::redirect(out.ec));
}

/// Runs `complete(remote)` of a server into `out`.
inline asio::awaitable<void> complete_into(MSRPServer& server, Path remote, completion& out) {
    out.transport = co_await server.complete(remote, msrp::test::redirect(out.ec));
}

/// The connect options of the connection tests: the defaults, with a bind
/// timeout that ends a bind gone wrong in seconds rather than the default
/// 30 s, yet leaves a loaded sanitizer build plenty of room.
inline connect_options quick_connect_options() {
    connect_options o;
    o.bind_timeout = std::chrono::seconds(5);
    return o;
}

/// An AcceptorDirect and a ConnectorDirect on one executor, and what
/// binding them to each other gave. Callers check the outcome themselves.
struct direct_pair {
    AcceptorDirect acceptor;
    ConnectorDirect connector;
    Path acceptor_path, connector_path; ///< set by `prepare`
    completion accepted, connected;     ///< set by `complete`

    direct_pair(const asio::any_io_executor& executor, const connect_options& acceptor_options,
                const connect_options& connector_options)
        : acceptor(executor, acceptor_options), connector(executor, connector_options) {}
    explicit direct_pair(const asio::any_io_executor& executor,
                         const connect_options& options = quick_connect_options())
        : direct_pair(executor, options, options) {}

    /// Prepares the acceptor on `acceptor_uri` (its TLS, host, port), then
    /// the connector on the defaults.
    asio::awaitable<void> prepare(URI acceptor_uri) {
        URI connector_uri;
        acceptor_path = co_await acceptor.prepare(acceptor_uri);
        connector_path = co_await connector.prepare(connector_uri);
    }
    /// Both `complete` at once, each given the other's path.
    asio::awaitable<void> complete() {
        using namespace asio::experimental::awaitable_operators;
        co_await (complete_into(acceptor, connector_path, accepted) &&
                  complete_into(connector, acceptor_path, connected));
    }
    /// `prepare`, then `complete`.
    asio::awaitable<void> bind(URI acceptor_uri) {
        co_await prepare(std::move(acceptor_uri));
        co_await complete();
    }
};

/// Both ends of a connection bound over loopback: the acceptor's side and
/// the connector's side.
struct transport_pair {
    std::unique_ptr<MSRPTransport> accepted, connected;
};

/// Binds a fresh AcceptorDirect / ConnectorDirect pair on 127.0.0.1.
/// (No default argument: GCC 12 mishandles a default-argument temporary in
/// a co_await expression. Callers name their options first.)
inline asio::awaitable<transport_pair> make_transport_pair(connect_options options) {
    const auto executor = co_await asio::this_coro::executor;
    direct_pair pair(executor, options);
    const URI any_local;
    co_await pair.bind(any_local);
    if (pair.accepted.ec || pair.connected.ec)
        throw std::system_error(pair.accepted.ec ? pair.accepted.ec : pair.connected.ec, "make_transport_pair");
    co_return transport_pair{std::move(pair.accepted.transport), std::move(pair.connected.transport)};
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
