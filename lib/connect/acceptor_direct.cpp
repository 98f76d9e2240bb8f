#include <msrp/connect/connector.hpp>
#include <msrp/protocol/random_ident.hpp>

#include "../transport/byte_stream.hpp"
#include "../transport/tls_context.hpp"
#include "binding.hpp"
#include "deadline.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>

namespace msrp {
namespace {

constexpr auto as_tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

} // namespace

struct AcceptorDirect::listener {
    explicit listener(asio::any_io_executor executor) : acceptor(std::move(executor)) {}
    asio::ip::tcp::acceptor acceptor;
};

AcceptorDirect::AcceptorDirect(asio::any_io_executor executor, connect_options options)
    : Connector(std::move(executor), std::move(options)) {}

AcceptorDirect::~AcceptorDirect() { cleanup(); }

asio::awaitable<Path> AcceptorDirect::prepare(URI& local_uri, std::error_code& ec) {
    ec = {};
    // The host is what the peer connects to; without one, loopback. An
    // application that is reachable elsewhere names its address.
    if (local_uri.host.empty())
        local_uri.host = "127.0.0.1";
    if (local_uri.session_id.empty())
        local_uri.session_id = random_ident();
    if (local_uri.transport.empty())
        local_uri.transport = "tcp";
    asio::ip::tcp::resolver resolver(executor_);
    // GCC 12 mishandles temporaries in co_await expressions: name them.
    const std::string host = local_uri.host, service = std::to_string(local_uri.port);
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(host, service, as_tuple_awaitable);
    if (resolve_ec) {
        ec = resolve_ec;
        co_return Path{};
    }
    auto l = std::make_unique<listener>(executor_);
    const auto endpoint = endpoints.begin()->endpoint();
    l->acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        l->acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        l->acceptor.bind(endpoint, ec);
    if (!ec)
        l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        co_return Path{};
    local_uri.port = l->acceptor.local_endpoint().port();
    listener_ = std::move(l);
    local_uri_ = local_uri;
    co_return Path{local_uri};
}

asio::awaitable<std::unique_ptr<MSRPTransport>> AcceptorDirect::complete(const Path& full_remote_path,
                                                                         std::error_code& ec) {
    ec = {};
    if (!listener_ || !local_uri_ || full_remote_path.empty()) {
        ec = errc::invalid_argument;
        co_return nullptr;
    }
    auto accept_and_bind = [](asio::ip::tcp::acceptor& acceptor, URI local, Path remote, connect_options options,
                              std::error_code& result) -> asio::awaitable<std::unique_ptr<MSRPTransport>> {
        auto [accept_ec, socket] = co_await acceptor.async_accept(as_tuple_awaitable);
        if (accept_ec) {
            result = accept_ec;
            co_return nullptr;
        }
        // One connection per AcceptorDirect (the seed): stop listening now.
        std::error_code ignored;
        acceptor.close(ignored);
        std::unique_ptr<detail::byte_stream> stream;
        if (local.use_tls) {
            auto context =
                std::make_shared<asio::ssl::context>(detail::make_tls_context(detail::tls_role::server, options.tls));
            auto tls = std::make_unique<detail::tls_byte_stream>(std::move(socket), std::move(context));
            if (options.transport.logger)
                options.transport.logger->on_state(
                    connection_event{connection_state::connected, tls->info, {}, {}, {}});
            co_await tls->handshake(asio::ssl::stream_base::server, options.tls, result);
            if (options.transport.logger)
                options.transport.logger->on_state(connection_event{
                    result ? connection_state::error : connection_state::tls_handshake, tls->info, result, {},
                    tls->peer_fingerprint()});
            if (result)
                co_return nullptr;
            stream = std::move(tls);
        } else {
            stream = std::make_unique<detail::tcp_byte_stream>(std::move(socket));
            if (options.transport.logger)
                options.transport.logger->on_state(
                    connection_event{connection_state::connected, stream->info, {}, {}, {}});
        }
        auto transport = std::make_unique<MSRPTransport>(std::move(stream), local, Path{local}, std::move(remote),
                                                         options.transport);
        co_await detail::bind_passive(*transport, result);
        if (result)
            co_return nullptr;
        if (options.transport.logger)
            options.transport.logger->on_state(
                connection_event{connection_state::bound, transport->connection(), {}, {}, {}});
        co_return transport;
    };
    std::error_code op_ec;
    auto op = accept_and_bind(listener_->acceptor, *local_uri_, full_remote_path, options_, op_ec);
    auto transport = co_await detail::with_deadline(std::move(op), options_.bind_timeout,
                                                    make_error_code(errc::bind_timeout), ec);
    if (!ec)
        ec = op_ec;
    cleanup();
    if (ec)
        co_return nullptr;
    co_return transport;
}

void AcceptorDirect::cleanup() noexcept {
    if (listener_) {
        std::error_code ignored;
        listener_->acceptor.close(ignored);
        listener_.reset();
    }
}

} // namespace msrp
