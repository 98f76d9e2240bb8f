#pragma once
/// \file
/// TLS for msrps (RFC 4975 §14.2): certificates, SDP fingerprints
/// (RFC 4572, RFC 8122) and the settings a transport uses.

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace msrp::tls {

/// A certificate and its private key, both PEM (the key unencrypted PKCS#8,
/// "BEGIN PRIVATE KEY").
struct credentials {
    std::string certificate_pem;
    std::string private_key_pem;
};

/// A new self-signed certificate made in memory: EC P-256 key, SHA-256
/// signature, valid from one hour ago for `days` days, subject CN
/// `common_name`. MSRP endpoints commonly use one and let the SDP
/// fingerprint vouch for it. Throws `std::system_error` with
/// `errc::bad_certificate` and OpenSSL's reason in `what()` when OpenSSL
/// fails (a common name over 64 characters is one such failure), and
/// `std::invalid_argument` when `days` is below 1.
credentials generate_self_signed(std::string_view common_name = "msrp-asio", int days = 365);

/// The fingerprint of a PEM certificate as SDP writes it (RFC 8122 §5):
/// `<hash-func> <HEX:HEX:...>`, e.g. "sha-256 4A:AD:...". Hash functions:
/// "sha-1", "sha-224", "sha-256", "sha-384", "sha-512", matched
/// case-insensitively and written lower-case. The digest covers the DER form
/// of the first certificate in `certificate_pem`. Errors:
/// `errc::bad_certificate`, `errc::unsupported_hash`; `out` is set only on
/// success.
std::error_code fingerprint(std::string_view certificate_pem, std::string_view hash_func, std::string& out);
/// Throws `std::system_error` carrying the error code (and OpenSSL's reason
/// for `errc::bad_certificate`) on failure.
std::string fingerprint(std::string_view certificate_pem, std::string_view hash_func = "sha-256");

/// Whether a DER certificate matches an SDP fingerprint value (hash name
/// and hex compared case-insensitively; blanks before, between and after the
/// two fields are ignored). The DER bytes are hashed as given, not parsed.
/// Errors: `errc::bad_fingerprint` (not `<hash> <HEX:HEX...>`, or a number
/// of hex pairs other than the hash's digest size), `errc::unsupported_hash`,
/// `errc::fingerprint_mismatch`; `errc::bad_certificate` only if OpenSSL
/// cannot compute the digest.
std::error_code match_fingerprint(std::string_view certificate_der, std::string_view expected);

/// What one side of an msrps connection uses.
struct settings {
    /// This side's certificate; none: a self-signed one is generated once
    /// per process and reused (`default_credentials()`).
    std::optional<credentials> local;
    /// The peer's `a=fingerprint` value from its SDP; empty: not checked.
    /// A mismatch fails the connection with `errc::fingerprint_mismatch`.
    std::string expected_peer_fingerprint;
    /// Verify the peer's chain against `ca_file` or the system store, and,
    /// when `verify_host` is set, its name (relays with real certificates).
    bool verify_peer_chain = false;
    std::string ca_file;
    std::string verify_host;
};

/// The process-wide self-signed credentials used when none are given,
/// generated on first use (thread-safe) and alive until the process exits.
/// Throws as `generate_self_signed`; a later call tries again.
const credentials& default_credentials();

enum class errc {
    fingerprint_mismatch = 1, ///< the peer's certificate does not match the SDP fingerprint
    no_peer_certificate,      ///< the peer sent no certificate to check
    bad_fingerprint,          ///< a fingerprint value is not `<hash> <HEX:HEX...>`
    unsupported_hash,         ///< the fingerprint names an unknown hash function
    bad_certificate,          ///< a certificate or key could not be read
};

/// The "msrp.tls" category of `errc`.
const std::error_category& error_category() noexcept;
/// Makes `errc` usable as a `std::error_code`.
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

} // namespace msrp::tls

template <>
struct std::is_error_code_enum<msrp::tls::errc> : std::true_type {};
