#include <msrp/connect/connector.hpp>
#include <msrp/protocol/random_ident.hpp>

#include "../transport/byte_stream.hpp"
#include "../transport/tls_context.hpp"
#include "binding.hpp"
#include "deadline.hpp"

#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/host_name.hpp>
#include <asio/ip/tcp.hpp>

namespace msrp {
namespace {

constexpr auto as_tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

[[noreturn]] void throw_error(std::error_code ec, const char* what) { throw std::system_error(ec, what); }

/// Connects to `target`, runs the TLS handshake for msrps, and wraps the
/// connection in a byte stream.
asio::awaitable<std::unique_ptr<detail::byte_stream>> open_stream(const URI& target, const connect_options& options,
                                                                 std::error_code& ec) {
    auto executor = co_await asio::this_coro::executor;
    if (options.transport.logger) {
        connection_info pending;
        pending.remote = target.host + ":" + std::to_string(target.effective_port());
        pending.tls = target.use_tls;
        options.transport.logger->on_state(connection_event{connection_state::connecting, pending, {}, {}, {}});
    }
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
    if (!target.use_tls) {
        auto stream = std::make_unique<detail::tcp_byte_stream>(std::move(socket));
        if (options.transport.logger)
            options.transport.logger->on_state(connection_event{connection_state::connected, stream->info, {}, {}, {}});
        co_return stream;
    }
    auto context = std::make_shared<asio::ssl::context>(detail::make_tls_context(detail::tls_role::client, options.tls));
    auto stream = std::make_unique<detail::tls_byte_stream>(std::move(socket), std::move(context));
    if (options.transport.logger)
        options.transport.logger->on_state(connection_event{connection_state::connected, stream->info, {}, {}, {}});
    co_await stream->handshake(asio::ssl::stream_base::client, options.tls, ec);
    if (options.transport.logger)
        options.transport.logger->on_state(connection_event{
            ec ? connection_state::error : connection_state::tls_handshake, stream->info, ec, {}, stream->peer_fingerprint()});
    if (ec)
        co_return nullptr;
    co_return stream;
}

} // namespace

asio::awaitable<Path> Connector::prepare(URI& local_uri) {
    std::error_code ec;
    auto path = co_await prepare(local_uri, ec);
    if (ec)
        throw_error(ec, "prepare");
    co_return path;
}

asio::awaitable<Path> Connector::prepare() {
    URI local;
    co_return co_await prepare(local);
}

asio::awaitable<std::unique_ptr<MSRPTransport>> Connector::complete(const Path& full_remote_path) {
    std::error_code ec;
    auto transport = co_await complete(full_remote_path, ec);
    if (ec)
        throw_error(ec, "complete");
    co_return transport;
}

ConnectorDirect::ConnectorDirect(asio::any_io_executor executor, connect_options options)
    : Connector(std::move(executor), std::move(options)) {}

ConnectorDirect::~ConnectorDirect() = default;

asio::awaitable<Path> ConnectorDirect::prepare(URI& local_uri, std::error_code& ec) {
    ec = {};
    // The connecting side listens nowhere: its URI only names the session.
    // RFC 6135 §4.2: an active endpoint's port is not used; 9 says so.
    if (local_uri.host.empty())
        local_uri.host = asio::ip::host_name();
    if (local_uri.port == 0)
        local_uri.port = 9;
    if (local_uri.session_id.empty())
        local_uri.session_id = random_ident();
    if (local_uri.transport.empty())
        local_uri.transport = "tcp";
    local_uri_ = local_uri;
    co_return Path{local_uri};
}

asio::awaitable<std::unique_ptr<MSRPTransport>> ConnectorDirect::complete(const Path& full_remote_path,
                                                                          std::error_code& ec) {
    ec = {};
    if (!local_uri_) {
        URI local;
        co_await prepare(local, ec);
    }
    if (full_remote_path.empty()) {
        ec = errc::invalid_argument;
        co_return nullptr;
    }
    auto connect_and_bind = [](URI local, Path remote, connect_options options,
                               std::error_code& result) -> asio::awaitable<std::unique_ptr<MSRPTransport>> {
        auto stream = co_await open_stream(remote.front(), options, result);
        if (result)
            co_return nullptr;
        auto transport = std::make_unique<MSRPTransport>(std::move(stream), local, Path{local}, std::move(remote),
                                                         options.transport);
        co_await detail::bind_active(*transport, result);
        if (result)
            co_return nullptr;
        if (options.transport.logger)
            options.transport.logger->on_state(
                connection_event{connection_state::bound, transport->connection(), {}, {}, {}});
        co_return transport;
    };
    std::error_code op_ec;
    auto op = connect_and_bind(*local_uri_, full_remote_path, options_, op_ec);
    auto transport = co_await detail::with_deadline(std::move(op), options_.bind_timeout,
                                                    make_error_code(errc::bind_timeout), ec);
    if (!ec)
        ec = op_ec;
    if (ec)
        co_return nullptr;
    co_return transport;
}

void ConnectorDirect::cleanup() noexcept {}

std::unique_ptr<Connector> get_connector(asio::any_io_executor executor, const std::optional<relay_settings>& relay,
                                         std::shared_ptr<Logger> logger, connect_options options) {
    if (relay)
        throw std::system_error(make_error_code(errc::not_supported), "get_connector: relays (RFC 4976)");
    if (logger)
        options.transport.logger = std::move(logger);
    return std::make_unique<ConnectorDirect>(std::move(executor), std::move(options));
}

std::unique_ptr<Connector> get_acceptor(asio::any_io_executor executor, const std::optional<relay_settings>& relay,
                                        std::shared_ptr<Logger> logger, connect_options options) {
    if (relay)
        throw std::system_error(make_error_code(errc::not_supported), "get_acceptor: relays (RFC 4976)");
    if (logger)
        options.transport.logger = std::move(logger);
    return std::make_unique<AcceptorDirect>(std::move(executor), std::move(options));
}

} // namespace msrp
