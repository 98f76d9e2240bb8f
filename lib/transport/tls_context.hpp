#pragma once
// The OpenSSL side of msrps (RFC 4975 §14.2): context set-up and the check of
// the peer's certificate against its SDP fingerprint. Internal to lib/transport.

#include <msrp/transport/tls.hpp>

#include <asio/ssl/context.hpp>

#include <string>
#include <system_error>

#include <openssl/ssl.h>

namespace msrp::detail {

enum class tls_role { client, server };

/// A context for one side of an msrps connection: TLS 1.2 or later, this
/// side's certificate from `settings.local` or `tls::default_credentials()`.
/// Both sides present certificates (RFC 4975 §14.2): the server requests the
/// client's. With `settings.verify_peer_chain` the peer must present a
/// certificate that chains to `settings.ca_file` (or the system store) and,
/// when `settings.verify_host` is set, names that host; otherwise any
/// certificate is accepted during the handshake (self-signed peers are normal
/// in MSRP) and `check_peer` compares it with the SDP fingerprint afterwards.
///
/// Throws `std::system_error` with `tls::errc::bad_certificate` (the OpenSSL
/// reason in `what()`) when the credentials or the CA file cannot be loaded,
/// and asio's `std::system_error` when OpenSSL cannot make a context.
asio::ssl::context make_tls_context(tls_role role, const tls::settings& settings);

/// After a successful handshake on `ssl`: the peer's certificate checked
/// against `settings.expected_peer_fingerprint` when that is not empty.
/// On success `peer_fingerprint` is the peer certificate's "sha-256 ..."
/// fingerprint (empty if the peer sent none); on failure it is cleared.
/// Errors: `tls::errc::no_peer_certificate` (a fingerprint is expected but the
/// peer sent no certificate), and those of `tls::match_fingerprint`
/// (`fingerprint_mismatch`, `bad_fingerprint`, `unsupported_hash`).
std::error_code check_peer(SSL* ssl, const tls::settings& settings, std::string& peer_fingerprint);

} // namespace msrp::detail
