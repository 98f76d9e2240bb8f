#pragma once
/// \file
/// Writing chunks as scatter-gather buffers, and choosing transaction ids
/// that cannot end a chunk early.

#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/error.hpp>

#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

namespace msrp {

/// A chunk ready for a gather write: head block, body, end-line.
///
/// `head` and `tail` are owned here; `body` views the body given to
/// `serialize()` (usually `Chunk::data`), which must outlive the write.
struct serialized_chunk {
    std::string head;            ///< start line, headers, and the empty line when there is a body
    std::string_view body;
    std::array<char, 96> tail{}; ///< ["\r\n"] "-------" tid flag "\r\n"
    std::size_t tail_len = 0;

    std::string_view tail_view() const noexcept { return {tail.data(), tail_len}; }
    /// The three pieces in wire order (some may be empty).
    std::array<std::string_view, 3> buffers() const noexcept { return {head, body, tail_view()}; }
    std::size_t size() const noexcept { return head.size() + body.size() + tail_len; }
    /// The whole chunk as one string (copies the body; for tests and logs).
    std::string to_string() const;
};

/// Serializes `chunk`. The head goes into `out.head` (its capacity is
/// reused); the body is not copied. Errors: `errc::invalid_argument` (no
/// transaction id, a header name that is not a token, a header value or
/// comment that is not UTF-8 text without control characters but tab),
/// `errc::end_line_in_body` (the body holds this transaction's end-line;
/// choose another id, see `choose_transaction_id`).
std::error_code serialize(const Chunk& chunk, serialized_chunk& out);
/// The same with a body given apart from `chunk.data` (a view into a file
/// buffer, say); `chunk.data` is ignored.
std::error_code serialize(const Chunk& chunk, std::string_view body, serialized_chunk& out);

/// Whether `body` contains `-------<tid>` followed by a flag (`$`, `+`,
/// `#`) anywhere, line start or not (RFC 4975 §7.1: the end-line must not
/// occur in the body). A body without seven consecutive hyphens cannot
/// collide with any id; that check is one scan.
bool end_line_collides(std::string_view body, std::string_view transaction_id) noexcept;

/// A fresh random transaction id (see `random_ident`) whose end-line does
/// not occur in `body` (RFC 4975 §7.1).
std::string choose_transaction_id(std::string_view body);

/// Serializes a whole chunk into one string (for tests and small messages).
std::string to_wire(const Chunk& chunk);

/// The pieces of the wire format that `serialize` writes a chunk with, for
/// writers that build a chunk without a `Chunk` (a session's responses,
/// REPORTs and SEND heads, on its busiest paths). They check nothing: the
/// caller passes what `serialize` would accept (an ident for a transaction
/// id, an upper-case method, a token for a header name, utf8text for a
/// value or comment), usually because it came from a parsed chunk or was
/// checked once when queued.
namespace wire {

// Inline: they are the busiest lines of a session's writer (a response or
// a SEND head per chunk), called across translation units.

/// `MSRP <tid> <method>` CRLF (RFC 4975 §9, req-start).
inline void append_request_line(std::string& out, std::string_view transaction_id, std::string_view method) {
    out += "MSRP ";
    out += transaction_id;
    out += ' ';
    out += method;
    out += "\r\n";
}

/// `MSRP <tid> <code>[ <comment>]` CRLF (resp-start); `code` in 0-999.
inline void append_response_line(std::string& out, std::string_view transaction_id, int code,
                                 std::string_view comment) {
    out += "MSRP ";
    out += transaction_id;
    const char digits[4] = {' ', static_cast<char>('0' + code / 100), static_cast<char>('0' + code / 10 % 10),
                            static_cast<char>('0' + code % 10)};
    out.append(digits, 4);
    if (!comment.empty()) {
        out += ' ';
        out += comment;
    }
    out += "\r\n";
}

/// `<name>: <value>` CRLF.
inline void append_header(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
}

/// The empty line that ends the header block of a chunk with a body.
inline void append_body_separator(std::string& out) { out += "\r\n"; }

/// Writes the end-line into `tail`: CRLF first when a body precedes it,
/// then `-------<tid><flag>` CRLF. Returns its length; `tail` holds
/// `serialized_chunk::tail`'s 96 octets, enough for a 64-octet id.
inline std::size_t write_end_line(char* tail, bool after_body, std::string_view transaction_id, char flag) noexcept {
    std::size_t n = 0;
    if (after_body) {
        tail[n++] = '\r';
        tail[n++] = '\n';
    }
    std::memcpy(tail + n, "-------", 7);
    n += 7;
    std::memcpy(tail + n, transaction_id.data(), transaction_id.size());
    n += transaction_id.size();
    tail[n++] = flag;
    tail[n++] = '\r';
    tail[n++] = '\n';
    return n;
}

} // namespace wire

} // namespace msrp
