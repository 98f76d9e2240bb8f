#pragma once
/// \file
/// Establishing a bound MSRP connection: the seed's `msrplib.connect`
/// connectors and acceptors, with the seed's `prepare` / `complete` /
/// `cleanup` interface as coroutines.
///
/// ```
/// auto connector = msrp::get_connector(std::nullopt, logger);
/// msrp::URI local;                                  // host, port, session-id filled in
/// auto local_path = co_await connector->prepare(local);  // goes into SDP a=path
/// ... exchange SDP, parse the peer's a=path into remote_path ...
/// auto transport = co_await connector->complete(remote_path);
/// ```
/// Errors follow the library convention (see transport.hpp): each
/// operation throws `std::system_error`, or reports through a trailing
/// `std::error_code&`.

#include <msrp/protocol/path.hpp>
#include <msrp/transport/tls.hpp>
#include <msrp/transport/transport.hpp>

#include <asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

namespace msrp {

/// How connectors and acceptors connect and bind.
struct connect_options {
    transport_options transport;
    /// For msrps URIs: this side's certificate and what to expect of the peer.
    tls::settings tls;
    /// Time for connecting (or being connected to) and binding; the seed's
    /// `MSRPBindSessionTimeout` (30 s). Expiry fails with `errc::bind_timeout`.
    std::chrono::milliseconds bind_timeout{30000};
};

/// A relay to use (RFC 4976): its URI and the credentials for AUTH.
struct relay_settings {
    URI uri;
    std::string username;
    std::string password;
};

/// The interface every connector and acceptor has. One use each.
class Connector {
public:
    virtual ~Connector() = default;

    /// Prepares the connection: an acceptor starts listening. Fills in what
    /// `local_uri` leaves open (host, port 0 → the real port, session-id,
    /// scheme as asked by `use_tls`) and returns the full local path for the
    /// SDP a=path attribute.
    virtual asio::awaitable<Path> prepare(URI& local_uri, std::error_code& ec) = 0;
    asio::awaitable<Path> prepare(URI& local_uri);
    asio::awaitable<Path> prepare();

    /// Connects (or waits for the peer's connection) and binds it to the
    /// session (RFC 4975 §5.4): the active side sends a SEND, the passive
    /// side checks its To-Path and From-Path against the paths and answers
    /// 200, or 481 and fails with `errc::session_mismatch`. Errors also:
    /// `errc::bind_timeout`, `errc::bind_failed`, socket and TLS errors.
    ///
    /// An acceptor given an empty path binds whichever peer connects
    /// first and names this side's URI in its To-Path, and takes the
    /// peer's From-Path as the remote path: for tools and servers that
    /// listen for any peer. A SIP endpoint knows the path from the SDP and
    /// passes it, so that nobody else can take its session.
    virtual asio::awaitable<std::unique_ptr<MSRPTransport>> complete(const Path& full_remote_path,
                                                                     std::error_code& ec) = 0;
    asio::awaitable<std::unique_ptr<MSRPTransport>> complete(const Path& full_remote_path);

    /// Releases what `prepare` took (the listening socket) when `complete`
    /// will not be called; harmless after `complete`.
    virtual void cleanup() noexcept = 0;

    const connect_options& options() const noexcept { return options_; }
    connect_options& options() noexcept { return options_; }

protected:
    explicit Connector(asio::any_io_executor executor, connect_options options)
        : executor_(std::move(executor)), options_(std::move(options)) {}

    asio::any_io_executor executor_;
    connect_options options_;
};

/// The calling endpoint without a relay: connects to the peer's first path URI.
class ConnectorDirect final : public Connector {
public:
    explicit ConnectorDirect(asio::any_io_executor executor, connect_options options = {});
    ~ConnectorDirect() override;

    using Connector::complete;
    using Connector::prepare;
    asio::awaitable<Path> prepare(URI& local_uri, std::error_code& ec) override;
    asio::awaitable<std::unique_ptr<MSRPTransport>> complete(const Path& full_remote_path,
                                                             std::error_code& ec) override;
    void cleanup() noexcept override;

private:
    std::optional<URI> local_uri_;
};

/// The answering endpoint without a relay: listens on the local URI's port
/// for the one connection of this session, then stops listening.
class AcceptorDirect final : public Connector {
public:
    explicit AcceptorDirect(asio::any_io_executor executor, connect_options options = {});
    ~AcceptorDirect() override;

    using Connector::complete;
    using Connector::prepare;
    asio::awaitable<Path> prepare(URI& local_uri, std::error_code& ec) override;
    asio::awaitable<std::unique_ptr<MSRPTransport>> complete(const Path& full_remote_path,
                                                             std::error_code& ec) override;
    void cleanup() noexcept override;

private:
    struct listener;
    std::unique_ptr<listener> listener_;
    std::optional<URI> local_uri_;
};

/// The seed's `get_connector`: `ConnectorDirect` without a relay. Relays
/// arrive with RFC 4976 support; until then a relay gives
/// `errc::not_supported` (thrown as `std::system_error`).
std::unique_ptr<Connector> get_connector(asio::any_io_executor executor, const std::optional<relay_settings>& relay,
                                         std::shared_ptr<Logger> logger = {}, connect_options options = {});
/// The seed's `get_acceptor`: `AcceptorDirect` without a relay (see `get_connector`).
std::unique_ptr<Connector> get_acceptor(asio::any_io_executor executor, const std::optional<relay_settings>& relay,
                                        std::shared_ptr<Logger> logger = {}, connect_options options = {});

} // namespace msrp
