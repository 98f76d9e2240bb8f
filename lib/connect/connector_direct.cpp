#include <msrp/connect/connector.hpp>

#include "binding.hpp"
#include "../detail/deadline.hpp"
#include "stream_setup.hpp"
#include "../detail/coroutine_helpers.hpp"


namespace msrp {

ConnectorDirect::ConnectorDirect(asio::any_io_executor executor, connect_options options)
    : Connector(std::move(executor), std::move(options)) {}

ConnectorDirect::~ConnectorDirect() = default;

asio::awaitable<Path> ConnectorDirect::do_prepare(URI local_uri, std::error_code& ec) {
    ec = {};
    // The connecting side listens nowhere: its URI only names the session
    // (see the header), so the port says "not listening" and the host is
    // one the peer could resolve, not a bare host name.
    detail::complete_local_uri(local_uri, detail::default_route_address(executor_));
    if (local_uri.port == 0)
        local_uri.port = 9;
    if (local_uri.use_tls && (ec = detail::check_tls_credentials(options_.tls, false)))
        co_return Path{};
    local_uri_ = local_uri;
    co_return Path{local_uri};
}

asio::awaitable<std::unique_ptr<MSRPTransport>> ConnectorDirect::do_complete(Path full_remote_path,
                                                                             std::error_code& ec) {
    ec = {};
    if (!local_uri_) {
        auto prepare_now = do_prepare(URI{}, ec);
        co_await std::move(prepare_now);
        if (ec)
            co_return nullptr;
    }
    if (full_remote_path.empty()) {
        ec = errc::no_remote_path; // an active side needs somewhere to connect to
        co_return nullptr;
    }
    auto connect_and_bind = [](URI local, Path remote, connect_options options,
                               std::error_code& result) -> asio::awaitable<std::unique_ptr<MSRPTransport>> {
        auto stream = co_await detail::open_stream(remote.front(), options, result);
        if (result)
            co_return nullptr;
        // Built first, awaited next: GCC 12 and temporaries in co_await.
        auto bind = detail::bind_stream(std::move(stream), std::move(local), std::move(remote), options.transport,
                                        true, result);
        co_return co_await std::move(bind);
    };
    std::error_code op_ec;
    auto op = connect_and_bind(*local_uri_, std::move(full_remote_path), options_, op_ec);
    auto transport = co_await detail::with_deadline(std::move(op), op_ec, options_.bind_timeout,
                                                    make_error_code(errc::bind_timeout), ec);
    if (ec)
        co_return nullptr;
    co_return transport;
}

void ConnectorDirect::cleanup() noexcept {}

namespace {

// The seed's factories: a direct connector or acceptor, the logger put into
// its transport options. Relays (RFC 4976) are not built yet.
template <class Direct>
std::unique_ptr<Connector> make_direct(const char* what, asio::any_io_executor executor,
                                       const std::optional<relay_settings>& relay, std::shared_ptr<Logger> logger,
                                       connect_options options) {
    if (relay)
        throw std::system_error(make_error_code(errc::not_supported), std::string(what) + ": relays (RFC 4976)");
    if (logger)
        options.transport.logger = std::move(logger);
    return std::make_unique<Direct>(std::move(executor), std::move(options));
}

} // namespace

std::unique_ptr<Connector> get_connector(asio::any_io_executor executor, const std::optional<relay_settings>& relay,
                                         std::shared_ptr<Logger> logger, connect_options options) {
    return make_direct<ConnectorDirect>("get_connector", std::move(executor), relay, std::move(logger),
                                        std::move(options));
}

std::unique_ptr<Connector> get_acceptor(asio::any_io_executor executor, const std::optional<relay_settings>& relay,
                                        std::shared_ptr<Logger> logger, connect_options options) {
    return make_direct<AcceptorDirect>("get_acceptor", std::move(executor), relay, std::move(logger),
                                       std::move(options));
}

} // namespace msrp
