#include <msrp/connect/connector.hpp>

#include "binding.hpp"
#include "../detail/deadline.hpp"
#include "stream_setup.hpp"
#include "../detail/coroutine_helpers.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>

namespace msrp {

using detail::as_tuple_awaitable;

struct AcceptorDirect::listener {
    explicit listener(asio::any_io_executor executor) : acceptor(std::move(executor)) {}
    asio::ip::tcp::acceptor acceptor;
};

AcceptorDirect::AcceptorDirect(asio::any_io_executor executor, connect_options options)
    : Connector(std::move(executor), std::move(options)) {}

AcceptorDirect::~AcceptorDirect() { cleanup(); }

asio::awaitable<Path> AcceptorDirect::do_prepare(URI local_uri, std::error_code& ec) {
    ec = {};
    // The host is what the peer connects to; without one, loopback (see
    // the header).
    detail::complete_local_uri(local_uri, "127.0.0.1");
    if (local_uri.use_tls && (ec = detail::check_tls_credentials(options_.tls, true)))
        co_return Path{};
    auto l = std::make_unique<listener>(executor_);
    co_await detail::listen_on(l->acceptor, local_uri, ec);
    if (ec)
        co_return Path{};
    local_uri.port = l->acceptor.local_endpoint().port();
    listener_ = std::move(l);
    local_uri_ = local_uri;
    co_return Path{local_uri};
}

asio::awaitable<std::unique_ptr<MSRPTransport>> AcceptorDirect::do_complete(Path full_remote_path,
                                                                            std::error_code& ec) {
    ec = {};
    if (!listener_ || !local_uri_) {
        ec = errc::invalid_argument; // not prepared, or completed before
        co_return nullptr;
    }
    if (full_remote_path.empty() && !options_.accept_any_peer) {
        ec = errc::no_remote_path;
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
        auto stream = co_await detail::accept_stream(std::move(socket), local.use_tls, options, result);
        if (result)
            co_return nullptr;
        // Built first, awaited next: GCC 12 and temporaries in co_await.
        auto bind = detail::bind_stream(std::move(stream), std::move(local), std::move(remote), options.transport,
                                        false, result);
        co_return co_await std::move(bind);
    };
    std::error_code op_ec;
    auto op = accept_and_bind(listener_->acceptor, *local_uri_, std::move(full_remote_path), options_, op_ec);
    auto transport = co_await detail::with_deadline(std::move(op), op_ec, options_.bind_timeout,
                                                    make_error_code(errc::bind_timeout), ec);
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
