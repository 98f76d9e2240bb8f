#pragma once
/// \file
/// Establishing a bound MSRP connection: the seed's `msrplib.connect`
/// connectors and acceptors, with the seed's `prepare` / `complete` /
/// `cleanup` interface as asynchronous operations.
///
/// ```
/// auto connector = msrp::get_connector(executor, std::nullopt, logger);
/// msrp::Path local_path = co_await connector->prepare();  // goes into SDP a=path
/// ... exchange SDP, parse the peer's a=path into remote_path ...
/// auto transport = co_await connector->complete(remote_path);
/// ```
/// Each operation takes an Asio completion token, `asio::use_awaitable`
/// when none is given (README, "Operations and completion tokens"): with
/// it an error is thrown as `std::system_error`; with
/// `asio::redirect_error(asio::use_awaitable, ec)` it is put in `ec`; any
/// other token completes with `void(std::error_code, T)`. The connector
/// must outlive its operations.

#include <msrp/protocol/path.hpp>
#include <msrp/transport/tls.hpp>
#include <msrp/transport/transport.hpp>

#include <msrp/detail/async_operation.hpp>

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
    /// `complete` with an empty path binds whichever peer names this side's
    /// URI first (an `MSRPServer`: any URI it expects), and takes the
    /// peer's From-Path as the remote path: for tools and test servers that
    /// listen without an SDP exchange. Off, an empty path fails with
    /// `errc::no_remote_path`: a SIP endpoint knows the peer's path from
    /// the SDP and passes it, so that nobody else can take its session.
    bool accept_any_peer = false;
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
    /// `local_uri` leaves open and returns the full local path for the SDP
    /// a=path attribute (this side's URI last; `local_uri()` holds it too).
    /// Left open, the session-id becomes a random one and the transport
    /// `tcp`; the host and port depend on the side (see `ConnectorDirect`
    /// and `AcceptorDirect`). Errors: `tls::errc::bad_certificate` (for an
    /// msrps URI, credentials that cannot be used), socket errors of
    /// listening. Completes with `void(std::error_code, Path)`.
    ///
    /// Unlike the seed's, `local_uri` is not updated in place: it is taken
    /// by value, so that an operation that runs later (spawned, deferred)
    /// holds no reference to the caller's variable.
    template <detail::operation_token<Path> CompletionToken = asio::use_awaitable_t<>>
    auto prepare(URI local_uri, CompletionToken&& token = {}) {
        return detail::run_operation<Path>(
            executor_, std::forward<CompletionToken>(token),
            [this, uri = std::move(local_uri)](std::error_code& ec) mutable { return do_prepare(std::move(uri), ec); },
            "prepare");
    }
    /// `prepare` with nothing given (see the note on GCC 12 in
    /// `detail/async_operation.hpp`: no defaulted URI argument).
    auto prepare() { return prepare(URI{}); }

    /// Connects (or waits for the peer's connection) and binds it to the
    /// session (RFC 4975 §5.4): the active side sends a SEND, the passive
    /// side checks its To-Path and From-Path against the paths and answers
    /// 200, or 481 and fails with `errc::session_mismatch`. A connector not
    /// prepared prepares with an empty URI first. Errors also:
    /// `errc::bind_timeout`, `errc::bind_failed`, `errc::no_remote_path`
    /// (an empty path, unless an acceptor with
    /// `connect_options::accept_any_peer`), `errc::invalid_argument` (an
    /// acceptor not prepared, or completed before), socket and TLS errors.
    /// Completes with `void(std::error_code, std::unique_ptr<MSRPTransport>)`.
    template <detail::operation_token<std::unique_ptr<MSRPTransport>> CompletionToken = asio::use_awaitable_t<>>
    auto complete(Path full_remote_path, CompletionToken&& token = {}) {
        return detail::run_operation<std::unique_ptr<MSRPTransport>>(
            executor_, std::forward<CompletionToken>(token),
            [this, path = std::move(full_remote_path)](std::error_code& ec) mutable {
                return do_complete(std::move(path), ec);
            },
            "complete");
    }

    /// Releases what `prepare` took (the listening socket) when `complete`
    /// will not be called; harmless after `complete`.
    virtual void cleanup() noexcept = 0;

    /// This side's URI as `prepare` completed it; empty before.
    const std::optional<URI>& local_uri() const noexcept { return local_uri_; }

    const connect_options& options() const noexcept { return options_; }
    connect_options& options() noexcept { return options_; }
    const asio::any_io_executor& get_executor() const noexcept { return executor_; }

protected:
    explicit Connector(asio::any_io_executor executor, connect_options options)
        : executor_(std::move(executor)), options_(std::move(options)) {}

    /// What `prepare` and `complete` run; a subclass sets `local_uri_`.
    virtual asio::awaitable<Path> do_prepare(URI local_uri, std::error_code& ec) = 0;
    virtual asio::awaitable<std::unique_ptr<MSRPTransport>> do_complete(Path full_remote_path,
                                                                        std::error_code& ec) = 0;

    asio::any_io_executor executor_;
    connect_options options_;
    std::optional<URI> local_uri_;
};

/// The calling endpoint without a relay: connects to the peer's first path URI.
///
/// It listens nowhere, so its URI only names the session: the peer never
/// connects to it, but compares it with the From-Path of the binding SEND
/// (RFC 4975 §6.1). `prepare` leaves a given host and port as they are; an
/// empty host becomes this machine's address towards the default route (as
/// the reference implementation names itself; 127.0.0.1 without a route),
/// and port 0 becomes 9, the discard port, which says "not listening" as
/// RFC 4145 and RFC 6135 have an active endpoint's m-line and URI do.
class ConnectorDirect final : public Connector {
public:
    explicit ConnectorDirect(asio::any_io_executor executor, connect_options options = {});
    ~ConnectorDirect() override;

    void cleanup() noexcept override;

protected:
    asio::awaitable<Path> do_prepare(URI local_uri, std::error_code& ec) override;
    asio::awaitable<std::unique_ptr<MSRPTransport>> do_complete(Path full_remote_path, std::error_code& ec) override;
};

/// The answering endpoint without a relay: listens on the local URI's host
/// and port for the one connection of this session, then stops listening.
/// `prepare` takes an empty host as 127.0.0.1 (an application reachable
/// elsewhere names its address: it goes into the path the peer connects
/// to) and port 0 as a port the system picks, which it fills in.
class AcceptorDirect final : public Connector {
public:
    explicit AcceptorDirect(asio::any_io_executor executor, connect_options options = {});
    ~AcceptorDirect() override;

    void cleanup() noexcept override;

protected:
    asio::awaitable<Path> do_prepare(URI local_uri, std::error_code& ec) override;
    asio::awaitable<std::unique_ptr<MSRPTransport>> do_complete(Path full_remote_path, std::error_code& ec) override;

private:
    struct listener;
    std::unique_ptr<listener> listener_;
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
