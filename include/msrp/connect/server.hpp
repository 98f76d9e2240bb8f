#pragma once
/// \file
/// `MSRPServer`: listening sockets shared by many sessions (the seed's
/// `connect.MSRPServer`).

#include <msrp/connect/connector.hpp>

#include <msrp/detail/async_operation.hpp>

#include <asio/awaitable.hpp>

#include <memory>
#include <system_error>

namespace msrp {

/// Accepts connections for many sessions on shared ports. Where several
/// `AcceptorDirect`s cannot share a non-zero port, one server listens once
/// per interface and port and hands each incoming connection to the
/// session whose URI its binding SEND names.
///
/// Incoming connections whose binding SEND names no registered URI are
/// answered 481 and closed; so are connections that do not bind within the
/// bind timeout. The server must outlive the operations it runs; `close()`
/// (or the destructor) stops listening and fails waiting `complete`s.
class MSRPServer {
public:
    explicit MSRPServer(asio::any_io_executor executor, connect_options options = {});
    ~MSRPServer();
    MSRPServer(const MSRPServer&) = delete;
    MSRPServer& operator=(const MSRPServer&) = delete;

    /// Starts listening on `local_uri`'s host and port unless already
    /// listening there, and expects connections for `local_uri` (filled in
    /// as by `AcceptorDirect::prepare`; port 0 picks a port, which later
    /// sessions can then share). `logger`, when given, logs this session's
    /// connection instead of the server's. Completes with
    /// `void(std::error_code, Path)`, the full local path (its last URI is
    /// `local_uri` filled in). Errors: `errc::invalid_argument` (a port
    /// already serving the other of TCP and TLS), `tls::errc::bad_certificate`,
    /// socket errors, `asio::error::operation_aborted` after `close()`.
    /// Tokens as for `Connector::prepare`.
    template <detail::operation_token<Path> CompletionToken = asio::use_awaitable_t<>>
    auto prepare(URI local_uri, std::shared_ptr<Logger> logger, CompletionToken&& token = {}) {
        return detail::run_operation<Path>(
            executor_, std::forward<CompletionToken>(token),
            [this, uri = std::move(local_uri), logger = std::move(logger)](std::error_code& ec) mutable {
                return do_prepare(std::move(uri), std::move(logger), ec);
            },
            "MSRPServer::prepare");
    }
    auto prepare(URI local_uri) { return prepare(std::move(local_uri), nullptr); }
    auto prepare() { return prepare(URI{}, nullptr); }

    /// Waits until a connection binds with `full_remote_path`: its binding
    /// SEND names one of the expected URIs in its To-Path and the last URI
    /// of `full_remote_path` in its From-Path. An empty path is
    /// `errc::no_remote_path` unless `connect_options::accept_any_peer`
    /// (then it takes the next connection naming any expected URI). Errors
    /// also: `errc::bind_timeout` (the seed's MSRPBindSessionTimeout),
    /// `asio::error::operation_aborted` after `close()`. Completes with
    /// `void(std::error_code, std::unique_ptr<MSRPTransport>)`.
    template <detail::operation_token<std::unique_ptr<MSRPTransport>> CompletionToken = asio::use_awaitable_t<>>
    auto complete(Path full_remote_path, CompletionToken&& token = {}) {
        return detail::run_operation<std::unique_ptr<MSRPTransport>>(
            executor_, std::forward<CompletionToken>(token),
            [this, path = std::move(full_remote_path)](std::error_code& ec) mutable {
                return do_complete(std::move(path), ec);
            },
            "MSRPServer::complete");
    }

    /// No longer expects connections for `local_uri`; the listener closes
    /// when it serves no expected URI.
    void cleanup(const URI& local_uri) noexcept;

    /// Stops listening, closes connections not yet handed out, and fails
    /// every waiting `complete`.
    void close() noexcept;

    /// Connections accepted and not yet handed to a session (bounded by
    /// `max_pending_connections`).
    std::size_t pending_connections() const noexcept;

    /// Most connections waiting for their `complete` at one time; beyond
    /// it new connections are refused (481) so a flood cannot grow memory.
    std::size_t max_pending_connections = 256;

    const asio::any_io_executor& get_executor() const noexcept { return executor_; }

private:
    asio::awaitable<Path> do_prepare(URI local_uri, std::shared_ptr<Logger> logger, std::error_code& ec);
    asio::awaitable<std::unique_ptr<MSRPTransport>> do_complete(Path full_remote_path, std::error_code& ec);

    asio::any_io_executor executor_;
    struct state;
    std::shared_ptr<state> state_;
};

} // namespace msrp
