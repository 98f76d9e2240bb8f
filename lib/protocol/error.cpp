#include <msrp/protocol/error.hpp>

namespace msrp {
namespace {

class msrp_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "msrp"; }

    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::bad_start_line: return "the start line is not 'MSRP <transaction-id> <method>' or 'MSRP <transaction-id> <code> [comment]'";
        case errc::bad_transaction_id: return "the transaction id is not 4 to 32 letters, digits or '.-+%='";
        case errc::bad_method: return "the method is not made of upper-case letters";
        case errc::bad_status_code: return "the response status code is not three digits";
        case errc::bare_lf: return "a line ends in LF without CR; MSRP lines end in CRLF";
        case errc::bare_cr: return "a CR not followed by LF in the start line or headers";
        case errc::nul_byte: return "a NUL octet in the start line or headers";
        case errc::bad_header_line: return "a header line is not 'Name: value' (missing colon or space, bad name, control character or invalid UTF-8)";
        case errc::line_too_long: return "a start or header line is longer than the parser's line limit";
        case errc::header_block_too_large: return "the header section is larger than the parser's header block limit";
        case errc::too_many_headers: return "the chunk has more header fields than the parser's limit";
        case errc::missing_to_path: return "the chunk has no To-Path header";
        case errc::missing_from_path: return "the chunk has no From-Path header";
        case errc::header_order: return "To-Path and From-Path are not the first two header fields";
        case errc::duplicate_header: return "a header field that may appear once appears twice";
        case errc::bad_uri: return "an MSRP URI or path is malformed";
        case errc::unsupported_transport: return "an MSRP URI names a transport other than tcp";
        case errc::bad_byte_range: return "the Byte-Range header is malformed or inconsistent";
        case errc::bad_message_id: return "the Message-ID is not 4 to 32 letters, digits or '.-+%='";
        case errc::bad_header_value: return "a Success-Report, Failure-Report, Expires or Content-Type value is invalid";
        case errc::bad_status_header: return "the Status header is not '<namespace> <code> [comment]'";
        case errc::missing_content_type: return "the request has a body but no Content-Type";
        case errc::content_type_not_last: return "Content-Type is not the last header field before the body";
        case errc::content_type_without_body: return "the request has a Content-Type but no body";
        case errc::response_with_body: return "the response carries a body";
        case errc::missing_message_id: return "the SEND or REPORT request has no Message-ID";
        case errc::missing_status: return "the REPORT request has no Status header";
        case errc::report_with_report_header: return "the REPORT request carries Success-Report or Failure-Report";
        case errc::body_too_large: return "the body is larger than the configured limit";
        case errc::end_line_mismatch: return "the chunk ends with an end-line for another transaction id";
        case errc::bad_continuation_flag: return "the end-line's continuation flag is not '$', '+' or '#' ('$' for responses)";
        case errc::truncated: return "the input ended inside a chunk, before its end-line";
        case errc::trailing_data: return "bytes follow the end-line of the chunk";
        case errc::end_line_in_body: return "the body contains the end-line of the chunk's transaction id";
        case errc::invalid_argument: return "a value the application gave cannot be used here (a chunk or URI that cannot be written as given, an option out of range, a call out of order)";
        case errc::session_mismatch: return "the chunk's To-Path or From-Path does not belong to this session";
        case errc::bind_failed: return "the peer refused to bind the connection to the session";
        case errc::bind_timeout: return "the connection was not bound to the session in time";
        case errc::not_supported: return "the operation is not supported here";
        case errc::no_remote_path: return "no remote path was given to bind to (connect_options::accept_any_peer is off)";
        case errc::message_too_large: return "the message is larger than this receiver accepts";
        case errc::too_many_messages: return "too many messages are being received at once";
        case errc::message_stopped: return "the application stopped receiving the message";
        case errc::message_aborted: return "the sender aborted the message";
        case errc::message_incomplete: return "the session ended before the whole message arrived";
        case errc::inconsistent_byte_range: return "the chunk's Byte-Range contradicts earlier chunks of the message";
        case errc::session_closed: return "the session is closed";
        case errc::queue_full: return "the session's send queue is full";
        case errc::transaction_failed: return "the peer answered the request with an error status";
        case errc::no_response: return "no response came in time; the request was given up locally (408)";
        case errc::report_window_stalled: return "no success REPORT made room in the REPORT window in time; the receiver may report only whole messages (see session_options::max_unreported_bytes)";
        case errc::bad_cpim_header: return "a message/cpim header line is not 'Name: value' (bad name or parameter, control character or invalid UTF-8)";
        case errc::bad_cpim_address: return "a message/cpim From, To, cc or NS header is not '[name] <URI>'";
        case errc::bad_cpim_quoted_string: return "a message/cpim quoted string is not closed or holds a backslash escape other than \\uXXXX, \\b, \\t, \\n, \\r, \\\", \\' or \\\\";
        case errc::bad_cpim_datetime: return "the message/cpim DateTime is not an RFC 3339 date and time such as 2000-12-13T13:40:00-08:00";
        case errc::duplicate_cpim_header: return "a message/cpim From or DateTime header appears twice";
        case errc::missing_cpim_separator: return "the message/cpim body ends before the empty line that ends its headers";
        case errc::cpim_too_many_headers: return "the message/cpim body has more headers than the configured limit";
        case errc::cpim_header_too_long: return "a message/cpim header line is longer than the configured limit";
        case errc::bad_sdp_line: return "an SDP line is not '<letter>=<value>', or holds a control character or invalid UTF-8";
        case errc::bad_sdp_media: return "the SDP m= line is not 'message <port> TCP/MSRP (or TCP/TLS/MSRP) <format>...'";
        case errc::bad_sdp_attribute: return "an SDP attribute for MSRP (path, accept-types, accept-wrapped-types, max-size, setup, connection, msrp-cema or fingerprint) has a malformed value";
        case errc::missing_sdp_path: return "the SDP media description for MSRP has no a=path attribute";
        case errc::sdp_too_large: return "the SDP description exceeds the configured limits on size, lines or attributes";
        case errc::bad_iscomposing: return "the is-composing document (application/im-iscomposing+xml) is not well formed or has no valid <state>";
        }
        return "unknown msrp error " + std::to_string(value);
    }
};

} // namespace

const std::error_category& error_category() noexcept {
    static const msrp_category category;
    return category;
}

int status_code_for(std::error_code ec) noexcept {
    if (ec.category() != error_category())
        return 0;
    switch (static_cast<errc>(ec.value())) {
    // Without a transaction id, or without the end of the chunk, there is
    // nothing to answer: the connection has to go.
    case errc::bad_start_line:
    case errc::bad_transaction_id:
    case errc::line_too_long:
    case errc::header_block_too_large:
    case errc::end_line_mismatch:
    case errc::truncated:
    case errc::trailing_data:
    case errc::end_line_in_body:
    case errc::invalid_argument:
    case errc::bind_failed:
    case errc::bind_timeout:
    case errc::not_supported:
    case errc::no_remote_path:
    case errc::message_aborted:
    case errc::message_incomplete:
    case errc::session_closed:
    case errc::queue_full:
    case errc::transaction_failed:
    case errc::no_response:
    case errc::report_window_stalled:
    // A message/cpim body is content: the chunk carrying it was well formed.
    case errc::bad_cpim_header:
    case errc::bad_cpim_address:
    case errc::bad_cpim_quoted_string:
    case errc::bad_cpim_datetime:
    case errc::duplicate_cpim_header:
    case errc::missing_cpim_separator:
    case errc::cpim_too_many_headers:
    case errc::cpim_header_too_long:
    // SDP and is-composing documents travel outside MSRP framing or as content.
    case errc::bad_sdp_line:
    case errc::bad_sdp_media:
    case errc::bad_sdp_attribute:
    case errc::missing_sdp_path:
    case errc::sdp_too_large:
    case errc::bad_iscomposing:
        return 0;
    // RFC 4975 §7.3.1 / §10.6: 413 asks the sender to stop sending the message.
    case errc::message_too_large:
    case errc::too_many_messages:
    case errc::message_stopped:
        return 413;
    case errc::session_mismatch:
        return 481;
    // RFC 4975 §7.1.3 / §10.4: 413 asks the sender to stop sending the message.
    case errc::body_too_large:
        return 413;
    default:
        // RFC 4975 §10.4: 400 for a request that is not syntactically valid.
        return 400;
    }
}

const char* status_comment(int status_code) noexcept {
    switch (status_code) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 408: return "Request Timeout";
    case 413: return "Message Too Large";
    case 415: return "Unsupported Media Type";
    case 423: return "Interval Out-of-Bounds";
    case 481: return "Session Does Not Exist";
    case 501: return "Not Implemented";
    case 506: return "Session Already Bound";
    default: return "";
    }
}

} // namespace msrp
