#include "stream_setup.hpp"

#include <msrp/protocol/random_ident.hpp>

#include "../transport/tls_context.hpp"
#include "../detail/coroutine_helpers.hpp"

#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/udp.hpp>
#include <asio/use_awaitable.hpp>

namespace msrp::detail {
namespace {

void log_state(const connect_options& options, connection_state state, const connection_info& info,
               std::error_code ec = {}, std::string_view fingerprint = {}) {
    if (options.transport.logger)
        options.transport.logger->on_state(connection_event{state, info, ec, {}, fingerprint});
}

// The TLS handshake on a connected socket, from either side.
asio::awaitable<std::unique_ptr<byte_stream>> tls_handshake(asio::ip::tcp::socket socket, tls_role role,
                                                            const connect_options& options, std::error_code& ec) {
    // prepare() checked the credentials; should they fail now all the same,
    // the connection fails, not the io_context (a peer caused this call).
    std::shared_ptr<asio::ssl::context> context;
    try {
        context = std::make_shared<asio::ssl::context>(make_tls_context(role, options.tls));
    } catch (const std::system_error& e) {
        ec = e.code();
        co_return nullptr;
    }
    auto stream = std::make_unique<tls_byte_stream>(std::move(socket), std::move(context));
    log_state(options, connection_state::connected, stream->info);
    const auto type = role == tls_role::client ? asio::ssl::stream_base::client : asio::ssl::stream_base::server;
    co_await stream->handshake(type, options.tls, ec);
    log_state(options, ec ? connection_state::error : connection_state::tls_handshake, stream->info, ec,
              stream->peer_fingerprint());
    if (ec)
        co_return nullptr;
    co_return stream;
}

} // namespace

std::error_code check_tls_credentials(const tls::settings& settings, bool server) {
    try {
        make_tls_context(server ? tls_role::server : tls_role::client, settings);
    } catch (const std::system_error& e) {
        return e.code();
    }
    return {};
}

std::string default_route_address(const asio::any_io_executor& executor) {
    // TEST-NET-1 and the IPv6 documentation prefix (RFC 5737, RFC 3849):
    // routed like any other address by a default route, never answered.
    for (const char* probe : {"192.0.2.1", "2001:db8::1"}) {
        std::error_code ec;
        asio::ip::udp::socket socket(executor);
        const asio::ip::udp::endpoint target(asio::ip::make_address(probe, ec), 9);
        if (ec)
            continue;
        socket.connect(target, ec);
        if (ec)
            continue;
        const auto local = socket.local_endpoint(ec);
        if (!ec && !local.address().is_unspecified())
            return local.address().to_string();
    }
    return "127.0.0.1";
}

void complete_local_uri(URI& local_uri, std::string_view default_host) {
    if (local_uri.host.empty())
        local_uri.host = default_host;
    if (local_uri.session_id.empty())
        local_uri.session_id = random_ident();
    if (local_uri.transport.empty())
        local_uri.transport = "tcp";
}

asio::awaitable<std::unique_ptr<byte_stream>> open_stream(const URI& target, const connect_options& options,
                                                          std::error_code& ec) {
    auto executor = co_await asio::this_coro::executor;
    connection_info pending;
    pending.remote = target.host + ":" + std::to_string(target.effective_port());
    pending.tls = target.use_tls;
    log_state(options, connection_state::connecting, pending);
    asio::ip::tcp::resolver resolver(executor);
    // GCC 12 mishandles temporaries in co_await expressions: name them.
    const std::string host = target.host, service = std::to_string(target.effective_port());
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(host, service, as_tuple_awaitable);
    if (resolve_ec) {
        ec = resolve_ec;
        co_return nullptr;
    }
    asio::ip::tcp::socket socket(executor);
    auto [connect_ec, endpoint] = co_await asio::async_connect(socket, endpoints, as_tuple_awaitable);
    (void)endpoint;
    if (connect_ec) {
        ec = connect_ec;
        co_return nullptr;
    }
    if (target.use_tls)
        co_return co_await tls_handshake(std::move(socket), tls_role::client, options, ec);
    auto stream = std::make_unique<tcp_byte_stream>(std::move(socket));
    log_state(options, connection_state::connected, stream->info);
    co_return stream;
}

asio::awaitable<std::unique_ptr<byte_stream>> accept_stream(asio::ip::tcp::socket socket, bool tls,
                                                            const connect_options& options, std::error_code& ec) {
    if (tls)
        co_return co_await tls_handshake(std::move(socket), tls_role::server, options, ec);
    auto stream = std::make_unique<tcp_byte_stream>(std::move(socket));
    log_state(options, connection_state::connected, stream->info);
    co_return stream;
}

asio::awaitable<void> listen_on(asio::ip::tcp::acceptor& acceptor, const URI& uri, std::error_code& ec) {
    asio::ip::tcp::resolver resolver(acceptor.get_executor());
    // GCC 12 mishandles temporaries in co_await expressions: name them.
    const std::string host = uri.host, service = std::to_string(uri.port);
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(host, service, as_tuple_awaitable);
    if (resolve_ec) {
        ec = resolve_ec;
        co_return;
    }
    const auto endpoint = endpoints.begin()->endpoint();
    acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::error_code ignored;
        acceptor.close(ignored);
    }
}

} // namespace msrp::detail
