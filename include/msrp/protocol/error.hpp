#pragma once
/// \file
/// Error codes of msrp-asio's protocol core and the MSRP status each maps to.

#include <string>
#include <system_error>

namespace msrp {

/// Expected failures of the protocol core. Every code has a readable message
/// (`std::error_code::message()`); `status_code_for()` says which MSRP status
/// a receiver answers with, if any.
enum class errc {
    // Framing of the start line and header section (RFC 4975 §9).
    bad_start_line = 1,       ///< start line is not `MSRP SP tid SP method|code [SP comment]`
    bad_transaction_id,       ///< transaction id is not an ident (4..32 ident-chars)
    bad_method,               ///< method is not 1*UPALPHA
    bad_status_code,          ///< response status code is not 3DIGIT
    bare_lf,                  ///< a line ends in LF without CR
    bare_cr,                  ///< a CR not followed by LF in the start line or headers
    nul_byte,                 ///< NUL octet in the start line or headers
    bad_header_line,          ///< header line is not `name ": " value` (or holds control characters / bad UTF-8)
    line_too_long,            ///< a start or header line exceeds parser_limits::max_line_bytes
    header_block_too_large,   ///< header section exceeds parser_limits::max_header_block_bytes
    too_many_headers,         ///< more header fields than parser_limits::max_header_count
    // Header semantics (RFC 4975 §7, §8, §9; RFC 4976 §7).
    missing_to_path,          ///< no To-Path header field
    missing_from_path,        ///< no From-Path header field
    header_order,             ///< To-Path and From-Path are not the first two header fields
    duplicate_header,         ///< a single-valued header field occurs twice
    bad_uri,                  ///< an MSRP URI or path does not follow RFC 4975 §9
    unsupported_transport,    ///< a URI names a transport other than tcp
    bad_byte_range,           ///< Byte-Range is malformed or inconsistent
    bad_message_id,           ///< Message-ID is not an ident
    bad_header_value,         ///< a Success-Report, Failure-Report, Expires or Content-Type value is invalid
    bad_status_header,        ///< Status is not `namespace SP code [SP comment]`
    missing_content_type,     ///< a request has a body but no Content-Type
    content_type_not_last,    ///< Content-Type is not the last header field before the body
    content_type_without_body,///< a request without body carries Content-Type
    response_with_body,       ///< a response carries a body
    missing_message_id,       ///< SEND or REPORT without Message-ID
    missing_status,           ///< REPORT without Status
    report_with_report_header,///< REPORT carrying Success-Report or Failure-Report
    body_too_large,           ///< body beyond a configured limit (non-SEND requests: 10240 octets)
    // End of a chunk.
    end_line_mismatch,        ///< the chunk ends with an end-line for another transaction id
    bad_continuation_flag,    ///< end-line flag is not `$`, `+`, `#` (responses: not `$`)
    truncated,                ///< the input ended inside a chunk (no end-line)
    trailing_data,            ///< bytes follow the end-line where one chunk was expected
    // Building chunks.
    end_line_in_body,         ///< the body contains the end-line of the chosen transaction id
    invalid_argument,         ///< a value the application gave cannot be used (a chunk or URI that cannot be serialized as is, an option out of range, a call out of order)
    // Sessions and connections.
    session_mismatch,         ///< To-Path/From-Path do not belong to this session (answer 481)
    bind_failed,              ///< the peer answered the binding SEND with an error status
    bind_timeout,             ///< no binding within the configured time (the seed's MSRPBindSessionTimeout)
    not_supported,            ///< the operation needs a feature this build or class does not have
    no_remote_path,           ///< `complete` got an empty path and `connect_options::accept_any_peer` is off
    // Messages (RFC 4975 §7.1, §7.3.1).
    message_too_large,        ///< the message is larger than the receiver accepts (answer 413)
    too_many_messages,        ///< more messages in progress at once than the receiver accepts (answer 413)
    message_stopped,          ///< the application stopped receiving the message (answer 413)
    message_aborted,          ///< the sender gave the message up (continuation flag '#')
    message_incomplete,       ///< the session ended while bytes of the message were missing
    inconsistent_byte_range,  ///< a chunk's Byte-Range contradicts earlier chunks of its message (answer 400)
    // Sessions.
    session_closed,           ///< the session is closed: nothing more can be sent (the seed's MSRPSessionError)
    queue_full,               ///< the session's send queue is at its configured limit
    transaction_failed,       ///< the peer answered a request with a non-2xx status (the seed's MSRPTransactionError)
    // message/cpim bodies (RFC 3862): content errors, not MSRP framing.
    bad_cpim_header,          ///< a CPIM or content header line is not `Name:[;params] value`, or holds control characters / bad UTF-8
    bad_cpim_address,         ///< From, To, cc or NS is not `[name] <URI>`
    bad_cpim_quoted_string,   ///< a quoted string has no closing quote or an escape RFC 3862 §3.6 does not define
    bad_cpim_datetime,        ///< DateTime is not an RFC 3339 date-time
    duplicate_cpim_header,    ///< a second From or DateTime
    missing_cpim_separator,   ///< the CPIM body ends before the empty line after its message or content headers
    cpim_too_many_headers,    ///< more header fields than cpim_limits::max_header_count
    cpim_header_too_long,     ///< a header line exceeds cpim_limits::max_header_line_bytes
    // SDP media descriptions for MSRP (RFC 4566, RFC 4975 §8, RFC 6135, RFC 6714).
    bad_sdp_line,             ///< an SDP line is not `<letter>=<value>`, or holds control characters / bad UTF-8
    bad_sdp_media,            ///< the m= line is not `message <port> TCP/MSRP|TCP/TLS/MSRP <fmt>...`
    bad_sdp_attribute,        ///< an MSRP attribute value (path, accept-types, max-size, setup, connection, msrp-cema, fingerprint) is malformed
    missing_sdp_path,         ///< an MSRP media description without a=path
    sdp_too_large,            ///< an SDP description exceeds sdp_limits (bytes, lines or attributes)
    // Is-composing documents (RFC 3994).
    bad_iscomposing,          ///< an application/im-iscomposing+xml document is not well formed or lacks <state>

    // Sessions, continued.
    no_response,              ///< no response came in time: the failure was decided locally (RFC 4975 §7.1.1)
    report_window_stalled,    ///< no success REPORT made room in the REPORT window in time (session_options::max_unreported_bytes)
};

/// The category of `errc`, named "msrp".
const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// The MSRP status code a receiver answers a request with when it failed with
/// `ec` (400, 413, ...), or 0 when no response can be sent because the
/// framing is lost (the transaction id is unknown or the end of the chunk
/// cannot be found) or `ec` is not an msrp error.
int status_code_for(std::error_code ec) noexcept;

/// The reason phrase msrp-asio puts after a status code (RFC 4975 §10).
/// Empty for a code it has none for.
const char* status_comment(int status_code) noexcept;

} // namespace msrp

template <>
struct std::is_error_code_enum<msrp::errc> : std::true_type {};
