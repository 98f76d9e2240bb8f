#pragma once
/// \file
/// SDP media descriptions for MSRP (RFC 4566 syntax; RFC 4975 §8 a=path,
/// a=accept-types, a=accept-wrapped-types, a=max-size; RFC 6135 a=setup and
/// RFC 4145 a=connection; RFC 4572 a=fingerprint; RFC 6714 a=msrp-cema):
/// how two endpoints tell each other where to connect and what to send.
/// Parsing and formatting only; the offer/answer rules live with the session.

#include <msrp/protocol/path.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace msrp {

/// Bounds on what `parse_sdp` and `parse_sdp_media` accept, so a hostile
/// peer cannot make them allocate without limit: exceeding one gives
/// `errc::sdp_too_large`, never a larger buffer.
struct sdp_limits {
    /// Octets of the whole input, line ends included.
    std::size_t max_bytes = 64 * 1024;
    /// Non-empty lines of the whole input.
    std::size_t max_lines = 512;
    /// `a=` lines of one media section (known MSRP attributes included).
    std::size_t max_attributes_per_media = 128;
    /// Octets of one line without its line end.
    std::size_t max_line_bytes = 8192;
};

/// An attribute line `a=name` or `a=name:value` (RFC 4566 §5.13) that has no
/// field of its own in `SDPMedia` (file-selector, file-transfer-id,
/// chatroom, ...), kept verbatim.
struct SDPAttribute {
    std::string name;        ///< as written (attribute names are case-sensitive)
    std::string value;       ///< everything after the first `:`, as written
    bool has_value = false;  ///< the line had a `:` (`a=x:` has an empty value)
    friend bool operator==(const SDPAttribute&, const SDPAttribute&) = default;
};

/// A `c=<nettype> <addrtype> <connection-address>` line (RFC 4566 §5.7),
/// fields as written.
struct SDPConnection {
    std::string net_type = "IN";
    std::string addr_type = "IP4";
    std::string address;     ///< a host name or an address (RFC 4975 examples use names)
    friend bool operator==(const SDPConnection&, const SDPConnection&) = default;
};

/// One `m=message` media section for MSRP (RFC 4975 §8), named after the
/// seed's `SDPMedia`.
///
/// Strings are copies of what was parsed, so a value owns its memory. An
/// empty string or vector means the attribute was absent; `format_sdp_media`
/// then writes no line for it.
struct SDPMedia {
    std::string media = "message";           ///< as written (compared case-insensitively when parsing)
    std::uint16_t port = 0;                  ///< 0: a rejected stream or a capability description (RFC 3264 §6, RFC 5547 §9.3)
    std::string transport = "TCP/MSRP";      ///< `TCP/MSRP` or `TCP/TLS/MSRP` (any case), as written
    std::vector<std::string> formats{"*"};   ///< the `fmt` list; RFC 4975 §8.1 puts `*` here
    std::optional<SDPConnection> connection_data; ///< the media-level `c=`; see `SDPSession::connection_for`
    /// The section's `i=`, `b=` and `k=` lines verbatim (`"i=My picture"`),
    /// `i=` lines first, then the others in their order.
    std::vector<std::string> other_lines;
    Path path;                                ///< a=path; empty only when absent (allowed when `port` is 0)
    std::vector<std::string> accept_types;    ///< a=accept-types entries as written: `*`, `type/*`, `type/subtype`
    std::vector<std::string> accept_wrapped_types; ///< a=accept-wrapped-types entries (RFC 4975 §8.6)
    std::optional<std::uint64_t> max_size;    ///< a=max-size: the largest message the sender of this SDP accepts
    std::string setup;                        ///< a=setup: active, passive, actpass or holdconn (see `negotiate_setup`)
    std::string connection;                   ///< a=connection: new or existing
    bool msrp_cema = false;                   ///< a=msrp-cema: the endpoint supports CEMA (RFC 6714)
    /// The first a=fingerprint value, `hash-func SP 2HEX *(":" 2HEX)` as
    /// written (`SHA-1 4A:AD:...`). Further a=fingerprint lines (RFC 8122
    /// allows one per hash function) are checked the same way and kept in
    /// `attributes`.
    std::string fingerprint;
    std::string direction;                    ///< sendrecv, sendonly, recvonly or inactive (a value-less attribute)
    std::vector<SDPAttribute> attributes;     ///< every other a= line, in order

    /// Whether the transport is `TCP/TLS/MSRP` (the path then holds msrps URIs).
    bool uses_tls() const noexcept;

    friend bool operator==(const SDPMedia&, const SDPMedia&) = default;
};

/// A media section that is not `m=message`, kept line for line so that an
/// answer can mirror the offer's m= lines in order (RFC 3264 §6).
struct SDPOtherMedia {
    std::size_t index = 0;              ///< position among all m= sections of the description, from 0
    std::vector<std::string> lines;     ///< its lines verbatim without line ends, the m= line first
    friend bool operator==(const SDPOtherMedia&, const SDPOtherMedia&) = default;
};

/// A whole session description: session-level lines kept, MSRP media parsed.
///
/// Session-level attributes stay in `session_lines`; nothing is copied from
/// the session level into `media` (so a value formats back as it came).
/// Ask `connection_for` and `fingerprint_for` for the values that apply to
/// a media section.
struct SDPSession {
    /// The lines before the first m= line, verbatim without line ends and
    /// in order (`v=0`, `o=...`, `s= -`, `t=0 0`, `a=...`), except `c=`.
    std::vector<std::string> session_lines;
    std::optional<SDPConnection> connection_data; ///< the session-level `c=`
    std::vector<SDPMedia> media;                  ///< every m=message section, in order
    std::vector<SDPOtherMedia> other_media;       ///< every other media section, in order

    /// The `c=` that applies to `m` (one of `media`): its own, else the
    /// session's (RFC 4566 §5.7); null when neither exists. Points into
    /// `m` or this session.
    const SDPConnection* connection_for(const SDPMedia& m) const noexcept;
    /// The a=fingerprint that applies to `m`: its own, else the first
    /// session-level one (RFC 4572 §5 allows both); empty when neither
    /// exists. The view points into `m` or this session.
    std::string_view fingerprint_for(const SDPMedia& m) const noexcept;

    friend bool operator==(const SDPSession&, const SDPSession&) = default;
};

/// Parses one MSRP media section: text that starts with its `m=` line and
/// holds only that section (`i=`, `c=`, `b=`, `k=`, `a=` lines, any order).
///
/// Lines end in CRLF or, for peers that write them, LF alone; empty lines
/// are skipped. The m= line is `message <port> <proto> 1*<fmt>` with fields
/// separated by one or more SP. Known attributes are checked (RFC 4975 §9,
/// RFC 6135, RFC 4145, RFC 4572, RFC 6714) and each may appear once (but
/// a=fingerprint, see `SDPMedia::fingerprint`); other attributes are kept
/// verbatim. a=path is required unless the port is 0 (a rejected stream or
/// an RFC 5547 §9.3 capability description carries none).
///
/// Errors: `bad_sdp_line` (a line is not `<a-z>=<value>`, holds a control
/// character other than HTAB or invalid UTF-8, has a type letter a media
/// section may not hold, a second m= line, a malformed or second `c=`, an
/// attribute name that is not a token), `bad_sdp_media` (no m= line first,
/// media not `message`, port not 0..65535, proto not TCP/MSRP or
/// TCP/TLS/MSRP, no or a non-token fmt), `bad_sdp_attribute` (a known
/// attribute with a malformed, missing or unexpected value, or given
/// twice), `missing_sdp_path`, `sdp_too_large`. `out` is only written on
/// success.
std::error_code parse_sdp_media(std::string_view section, SDPMedia& out, const sdp_limits& limits = {});

/// Parses a whole session description (an SDP offer or answer body).
///
/// Session-level lines may be `v o s i u e p c b t r z k a` in any order;
/// none is required, so the RFC 4975 fragments (c=, m=, a= only) parse.
/// Each m=message section is parsed as by `parse_sdp_media` (an
/// m=message with another proto is an error, not skipped); other media
/// sections are checked line by line only and kept in `other_media`.
/// A session-level a=fingerprint is checked like a media-level one.
///
/// Errors: those of `parse_sdp_media`, plus `bad_sdp_line` for a
/// session-level type letter outside the list above, or a malformed or
/// second session-level `c=`. Limits apply to the whole description
/// (`max_attributes_per_media` to each media section). `out` is only
/// written on success.
std::error_code parse_sdp(std::string_view description, SDPSession& out, const sdp_limits& limits = {});

/// Writes `media` with CRLF line ends in this order: m=, i=, c=, b=/k=,
/// then a=accept-types, a=accept-wrapped-types, a=max-size, a=path
/// (RFC 4975 §8 examples), a=setup, a=connection, a=fingerprint,
/// a=msrp-cema, the direction, then `attributes` in order. An empty
/// `formats` is written as `*`. Control characters other than HTAB in
/// the values (which a parsed value never holds) become spaces, so a value
/// cannot inject a line; other malformed values set by the application are
/// written as they are and `parse_sdp_media` may reject the result.
///
/// A parsed media section formats to text that parses to an equal value
/// and formats identically (given limits that allow for the CR added to
/// LF-only lines).
std::string format_sdp_media(const SDPMedia& media);

/// Writes `session` with CRLF line ends: `session_lines` with the
/// session-level c= inserted before the first b=, t=, r=, z=, k= or a= line
/// (RFC 4566 §5 order), then the media sections, `media` and `other_media`
/// merged by `SDPOtherMedia::index`. Canonical like `format_sdp_media`.
std::string format_sdp(const SDPSession& session);

/// A media section with the library's defaults for a chat offer: port,
/// c= (`IN IP4`, or `IN IP6` for an IPv6 host) and the proto (TCP/TLS/MSRP
/// for an msrps URI) from the first URI of `local_path`, the one the peer
/// connects to (with a relay, the relay's, as RFC 6714 §4.2 asks);
/// fmt `*`; no a=setup (RFC 4975 §5.4: the offerer connects), no
/// a=max-size, no direction (sendrecv). An empty path gives port 0 and
/// no c=.
SDPMedia make_msrp_media(const Path& local_path, std::vector<std::string> accept_types,
                         std::vector<std::string> accept_wrapped_types = {});

} // namespace msrp
