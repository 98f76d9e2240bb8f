#pragma once
// What connectors, acceptors and the server share: opening the byte
// stream of a connection (TCP, or TLS with its handshake and peer check),
// listening sockets, and filling in local URIs. Internal header.

#include <msrp/connect/connector.hpp>

#include "../transport/byte_stream.hpp"

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <memory>
#include <system_error>

namespace msrp::detail {

/// Fills in what a local URI leaves open: `host` (`default_host` when
/// empty), a random session-id, the transport.
void complete_local_uri(URI& local_uri, std::string_view default_host);

/// This machine's address towards the default route (IPv4, else IPv6), as
/// the routing table picks it for a datagram socket "connected" to a
/// documentation address (nothing is sent); "127.0.0.1" without a route.
/// The host of an active endpoint's URI: unlike a host name, the peer can
/// resolve it.
std::string default_route_address(const asio::any_io_executor& executor);

/// Whether this side's TLS credentials and CA file load, checked when a
/// connector or server is prepared, so that an unusable key is an error of
/// `prepare()` and not of the first peer to connect. Errors:
/// `tls::errc::bad_certificate`, or OpenSSL's when it cannot make a context.
std::error_code check_tls_credentials(const tls::settings& settings, bool server);

/// Connects to `target` (resolving its host), runs the TLS handshake for
/// msrps, logs each step. Errors: resolver, socket and TLS errors, `tls::errc`.
asio::awaitable<std::unique_ptr<byte_stream>> open_stream(const URI& target, const connect_options& options,
                                                          std::error_code& ec);

/// Wraps an accepted socket; with `tls`, runs the server handshake and
/// checks the peer. Logs each step.
asio::awaitable<std::unique_ptr<byte_stream>> accept_stream(asio::ip::tcp::socket socket, bool tls,
                                                            const connect_options& options, std::error_code& ec);

/// Opens `acceptor` listening on `uri`'s host and port (0: any free port).
asio::awaitable<void> listen_on(asio::ip::tcp::acceptor& acceptor, const URI& uri, std::error_code& ec);

} // namespace msrp::detail
