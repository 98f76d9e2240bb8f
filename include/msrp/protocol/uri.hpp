#pragma once
/// \file
/// MSRP URIs (RFC 4975 §6, §9): parsing, formatting and comparison.

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace msrp {

/// Port assigned to MSRP by IANA; used to connect when a URI has no port.
inline constexpr std::uint16_t default_port = 2855;

/// A parsed URI whose parts are views into the parsed text. Produced by
/// `parse_uri_view()` without allocating; valid as long as that text.
struct uri_view {
    bool use_tls = false;             ///< scheme is msrps
    std::string_view user;            ///< userinfo without '@' (may be empty)
    std::string_view host;            ///< reg-name, IPv4, or IPv6 without brackets
    std::uint16_t port = 0;           ///< 0 when the URI has no port
    std::string_view session_id;      ///< empty when absent
    std::string_view transport;       ///< as written, e.g. "tcp"
    std::string_view parameters;      ///< everything after the transport's ';', without it (may be empty)
    bool host_is_ipv6 = false;
    bool host_is_ipv4 = false;
};

/// Parses `text` as one MSRP-URI. Errors: `errc::bad_uri`.
/// The transport is only checked to be 1*ALPHANUM here (any token is kept).
std::error_code parse_uri_view(std::string_view text, uri_view& out) noexcept;

/// An MSRP URI, named after the seed's `protocol.URI`.
///
/// `port == 0` means the URI carries no port (connect to `default_port`).
/// Comparison (`==`) follows RFC 4975 §6.1: scheme, host (case-insensitive,
/// IP addresses compared as addresses, percent-encoding decoded), port
/// (explicit ports must match; explicit never equals absent), session-id
/// (case-sensitive), transport (case-insensitive); userinfo and URI
/// parameters are not compared.
struct URI {
    std::string host;
    bool use_tls = false;
    std::string user;
    std::uint16_t port = 0;
    std::string session_id;
    std::string transport = "tcp";
    /// URI parameters after the transport, each as written (`name` or `name=value`).
    std::vector<std::string> parameters;

    /// Parses one URI. Errors: `errc::bad_uri`.
    static std::error_code parse(std::string_view text, URI& out);
    /// Parses one URI; throws `std::system_error` on failure.
    static URI parse(std::string_view text);
    static URI from_view(const uri_view& v);

    std::string scheme() const { return use_tls ? "msrps" : "msrp"; }
    /// The port to connect to: `port`, or `default_port` when absent.
    std::uint16_t effective_port() const noexcept { return port ? port : default_port; }
    /// The URI as it goes on the wire (IPv6 hosts in brackets).
    std::string to_string() const;
    void append_to(std::string& out) const;

    friend bool operator==(const URI& a, const URI& b) noexcept;
};

/// RFC 4975 §6.1 equivalence of two parsed views (see `URI`).
bool uri_equivalent(const uri_view& a, const uri_view& b) noexcept;

} // namespace msrp
