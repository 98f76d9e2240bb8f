#pragma once
/// \file
/// An MSRP chunk held in memory: the seed's `protocol.MSRPData`.

#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/path.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace msrp {

/// One header field as it appeared on the wire (name keeps its case).
struct Header {
    std::string name;
    std::string value;
    friend bool operator==(const Header&, const Header&) = default;
};

/// The value of a Status header (RFC 4975 §9: `namespace SP code [SP comment]`).
struct StatusHeader {
    int ns = 0;   ///< namespace; 000 for MSRP
    int code = 200;
    std::string comment;
    friend bool operator==(const StatusHeader&, const StatusHeader&) = default;
};

/// Continuation flags of an end-line (RFC 4975 §5.1).
namespace contflag {
inline constexpr char complete = '$';    ///< last chunk of the message
inline constexpr char more = '+';        ///< more chunks follow
inline constexpr char aborted = '#';     ///< the sender gave the message up
} // namespace contflag

/// A request or response with its ordered header fields and its body.
///
/// A request carries `method`; a response carries `code` (and `method` is
/// empty). Typed getters read the header list (first occurrence, header
/// names compared case-insensitively) and return `std::nullopt` when the
/// field is absent or does not parse; typed setters replace the field or
/// append it before Content-Type, which stays last (RFC 4975 §9).
class Chunk {
public:
    std::string transaction_id;
    std::string method;       ///< request method ("SEND", "REPORT", "AUTH", extensions verbatim); empty for a response
    int code = 0;             ///< response status code; 0 for a request
    std::string comment;      ///< response comment (may be empty)
    std::vector<Header> headers;
    char contflag = contflag::complete;
    std::string data;         ///< the body
    /// Whether the chunk has a body section (an empty line after the
    /// headers); true for requests with a Content-Type. An empty body
    /// (`Byte-Range: 1-0/0`) has a body section with no octets.
    bool has_body = false;

    bool is_request() const noexcept { return !method.empty(); }
    bool is_response() const noexcept { return method.empty(); }

    /// Member by member: readers that trade a chunk for the next one's
    /// buffers swap on every chunk, and the generic swap moves each member
    /// three times.
    friend void swap(Chunk& a, Chunk& b) noexcept {
        using std::swap;
        swap(a.transaction_id, b.transaction_id);
        swap(a.method, b.method);
        swap(a.code, b.code);
        swap(a.comment, b.comment);
        swap(a.headers, b.headers);
        swap(a.contflag, b.contflag);
        swap(a.data, b.data);
        swap(a.has_body, b.has_body);
    }

    // Generic access.
    const std::string* find_header(std::string_view name) const noexcept;
    std::optional<std::string> header(std::string_view name) const;
    /// Replaces the first field of this name (removing later duplicates) or adds it.
    void set_header(std::string_view name, std::string value);
    /// Appends a field (before Content-Type unless it is Content-Type).
    void add_header(std::string_view name, std::string value);
    bool remove_header(std::string_view name);

    // Typed access to the fields of RFC 4975 and RFC 4976.
    std::optional<Path> to_path() const;
    std::optional<Path> from_path() const;
    std::optional<Path> use_path() const;
    std::optional<std::string> message_id() const { return header("Message-ID"); }
    std::optional<ByteRange> byte_range() const;
    std::optional<std::string> content_type() const { return header("Content-Type"); }
    std::optional<std::string> success_report() const { return header("Success-Report"); }
    std::optional<std::string> failure_report() const { return header("Failure-Report"); }
    std::optional<StatusHeader> status() const;
    std::optional<std::uint32_t> expires() const;
    std::optional<std::uint32_t> min_expires() const;
    std::optional<std::uint32_t> max_expires() const;
    std::optional<std::string> www_authenticate() const { return header("WWW-Authenticate"); }
    std::optional<std::string> authorization() const { return header("Authorization"); }
    std::optional<std::string> authentication_info() const { return header("Authentication-Info"); }
    std::optional<std::string> content_id() const { return header("Content-ID"); }
    std::optional<std::string> content_description() const { return header("Content-Description"); }
    std::optional<std::string> content_disposition() const { return header("Content-Disposition"); }
    std::optional<std::string> keep_alive() const { return header("Keep-Alive"); }

    void set_to_path(const Path& p) { set_header("To-Path", format_path(p)); }
    void set_from_path(const Path& p) { set_header("From-Path", format_path(p)); }
    void set_use_path(const Path& p) { set_header("Use-Path", format_path(p)); }
    void set_message_id(std::string id) { set_header("Message-ID", std::move(id)); }
    void set_byte_range(const ByteRange& r) { set_header("Byte-Range", r.to_string()); }
    /// Sets Content-Type (always last) and marks the chunk as having a body.
    void set_content_type(std::string type);
    void set_status(const StatusHeader& s);

    friend bool operator==(const Chunk&, const Chunk&) = default;
};

/// The name the seed uses for a chunk.
using MSRPData = Chunk;

} // namespace msrp
