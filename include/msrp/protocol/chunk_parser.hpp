#pragma once
/// \file
/// The streaming, sans-IO MSRP chunk parser.

#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/error.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace msrp {

/// Bounds on what the parser accepts. Exceeding one is an error, never an
/// allocation: the parser allocates once, in its constructor.
struct parser_limits {
    /// Longest start or header line, CRLF excluded. RFC 4975 sets no limit.
    std::size_t max_line_bytes = 16 * 1024;
    /// Longest header section: start line through the empty line or end-line.
    /// A read buffer must hold this many bytes for the parser to see a whole head.
    std::size_t max_header_block_bytes = 64 * 1024;
    /// Most header fields in one chunk.
    std::size_t max_header_count = 64;
    /// Longest transaction id; RFC 4975's ident is 4..32 characters.
    std::size_t max_transaction_id_bytes = 32;
    /// Largest body of a request other than SEND (RFC 4975 §7.1: 10240).
    std::uint64_t max_non_send_body_bytes = 10240;
    /// Largest body of any one chunk. The parser streams bodies, so this
    /// bounds time and disk, not memory.
    std::uint64_t max_body_bytes = std::numeric_limits<std::uint64_t>::max();
};

/// What the parser accepts beyond its limits.
struct parser_options {
    parser_limits limits;
    /// RFC 4975 §9 puts To-Path first and From-Path second; some stacks send
    /// them in another order. When false, any order is accepted.
    bool require_path_order = true;
    /// RFC 4975 defines only the tcp transport. When true, other transport
    /// tokens (e.g. "ws" of RFC 7977) are accepted in paths.
    bool accept_any_transport = false;
};

/// What one call of `chunk_parser::parse()` produced.
enum class parse_event : std::uint8_t {
    need_more, ///< give more bytes (keep the unconsumed ones in front of them)
    head,      ///< start line and headers are complete: see `chunk_parser::head()`
    body,      ///< a piece of the body: `parse_result::body`
    end,       ///< the end-line: `chunk_parser::continuation_flag()`; the next chunk starts
    error,     ///< `parse_result::ec` says why; the parser stays failed
};

/// A header field seen by the parser; views into the caller's buffer.
struct header_view {
    std::string_view name;
    std::string_view value;
};

/// The start line and headers of the chunk being parsed, checked against
/// RFC 4975 §9 and RFC 4976 §7. The views point into the buffer passed to
/// the `parse()` call that returned `parse_event::head`, and stay valid as
/// long as the caller keeps those bytes where they were; `transaction_id`
/// views the parser's own copy, valid until the next chunk starts.
struct chunk_head {
    std::string_view transaction_id;
    std::string_view method;     ///< empty for a response
    int status_code = 0;         ///< 0 for a request
    std::string_view comment;    ///< response comment, may be empty
    const header_view* headers = nullptr;
    std::size_t header_count = 0;
    bool has_body = false;       ///< an empty line follows the headers

    // Fields the parser checked, for callers that need them at once.
    std::string_view to_path;
    std::string_view from_path;
    std::string_view message_id;
    std::string_view content_type;
    bool has_byte_range = false;
    /// The To-Path and From-Path values are byte for byte those of the
    /// previous head this parser handed out (since it was made or reset).
    /// A connection's chunks repeat them, so whoever acts on the paths
    /// (routing, RFC 4975 §7.3 checks) can reuse what it found last time.
    /// (Beside `has_byte_range`: in its padding, the head keeps its size.)
    bool same_paths_as_previous = false;
    ByteRange byte_range;        ///< valid when has_byte_range

    bool is_request() const noexcept { return !method.empty(); }
    const header_view* begin() const noexcept { return headers; }
    const header_view* end() const noexcept { return headers + header_count; }
};

struct parse_result {
    parse_event event = parse_event::need_more;
    /// Bytes of the input used; drop them before the next call. For
    /// `need_more` the unused tail (part of a line or of a possible end-line)
    /// must be passed again, followed by new bytes.
    std::size_t consumed = 0;
    std::string_view body;       ///< for `parse_event::body`: view into the input
    std::error_code ec;          ///< for `parse_event::error`
};

/// Parses a stream of chunks fed in pieces of any size.
///
/// Call `parse(input)` with the bytes not consumed yet; it returns one event.
/// Until the head is complete nothing is consumed, so the head is checked
/// in place and handed out as views (no copy); the parser remembers how far
/// it has looked so nothing is scanned twice. Body bytes are handed out as
/// views as soon as they cannot be part of the end-line, whatever the
/// piece boundaries (a look-alike end-line of another transaction id is
/// body). A few bytes that may start the end-line are left unconsumed until
/// the next call decides.
///
/// Errors are final: the transaction id, when it was read, stays available
/// through `transaction_id()` so a 400 can be sent before closing.
class chunk_parser {
public:
    explicit chunk_parser(parser_options options = {});

    parse_result parse(std::string_view input);

    /// Valid after `parse_event::head` until the head's bytes are dropped.
    const chunk_head& head() const noexcept { return head_; }
    /// The flag of the end-line, after `parse_event::end`.
    char continuation_flag() const noexcept { return flag_; }
    /// The transaction id of the current chunk (empty before its start line
    /// was read). Stays valid until the parser is reset, even after an error.
    std::string_view transaction_id() const noexcept { return {tid_, tid_len_}; }
    /// Body octets seen so far in the current chunk.
    std::uint64_t body_bytes() const noexcept { return body_bytes_; }

    /// Call when the input ends (connection closed) with `unconsumed` bytes
    /// still not consumed. No error between chunks; otherwise the error that
    /// explains the unfinished chunk (`errc::truncated`, or
    /// `end_line_mismatch`/`bad_continuation_flag` when the input ended with
    /// a line that looks like a wrong end-line).
    std::error_code finish(std::size_t unconsumed = 0) const noexcept;

    /// True between chunks (nothing of a next chunk seen yet).
    bool idle() const noexcept { return state_ == state::start_line && scanned_ == 0; }
    bool failed() const noexcept { return state_ == state::failed; }
    const parser_options& options() const noexcept { return options_; }

    /// Forgets the current chunk and any error.
    void reset() noexcept;

private:
    enum class state : std::uint8_t { start_line, headers, head_done_bodiless, body, failed };
    enum class suspect : std::uint8_t { none, other_tid, own_tid_bad_flag };

    parse_result parse_head(std::string_view input);
    parse_result parse_body(std::string_view input);
    std::error_code parse_start_line(std::string_view line);
    std::error_code parse_header_line(std::string_view input, std::size_t begin, std::size_t end);
    std::error_code check_head(std::string_view input);
    parse_result fail(std::error_code ec);
    parse_result head_complete();

    struct header_offsets {
        std::uint32_t name_begin, name_len, value_begin, value_len;
        std::uint8_t known; ///< which field with a rule of its own, if any
    };

    parser_options options_;
    state state_ = state::start_line;
    std::size_t scanned_ = 0;     ///< bytes of the head already split into lines
    std::size_t line_begin_ = 0;  ///< offset of the line being scanned
    std::vector<header_offsets> header_offsets_;
    std::vector<header_view> header_views_;
    chunk_head head_;
    std::uint32_t method_begin_ = 0, method_len_ = 0, comment_begin_ = 0, comment_len_ = 0;
    int status_code_ = 0;
    bool is_response_ = false;
    bool is_send_ = false;
    char tid_[64] = {};
    std::size_t tid_len_ = 0;
    char end_line_[80] = {};      ///< "\r\n-------" + tid
    std::size_t end_line_len_ = 0;
    char flag_ = '$';
    std::uint64_t body_bytes_ = 0;
    std::error_code error_;       ///< the error once failed
    suspect suspect_ = suspect::none;
    std::uint64_t suspect_end_ = 0; ///< body offset where the suspicious line ended
    /// The To-Path and From-Path values of the previous head: its URIs
    /// checked out (else the parser failed), and equal values need no
    /// second look. The one copy of these bytes on the read path: the
    /// parser needs it for its own checks (it is used alone, by
    /// `chunk_reader` and `parse_chunk`), and what it tells of it
    /// (`chunk_head::same_paths_as_previous`) serves the routing in
    /// `chunk_demux` and the sessions' path checks.
    std::string checked_paths_[2];
};

} // namespace msrp
