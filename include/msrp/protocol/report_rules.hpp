#pragma once
/// \file
/// When MSRP answers a request and how it reports on a message: the
/// Failure-Report / Success-Report rules of RFC 4975 §7.1-§7.3 as pure
/// functions, for the session layer to act on.

#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/uri.hpp>

#include <string>
#include <string_view>

namespace msrp {

/// The value of a Failure-Report header field (RFC 4975 §7.1.1).
enum class failure_report {
    yes,     ///< a response to every request (the default)
    no,      ///< no response and no failure REPORT at all
    partial, ///< only negative responses and failure REPORTs
};

/// The Failure-Report of `request`, compared case-insensitively. Absent
/// or unknown values count as `yes`: that is the RFC 4975 §7.1.1 default,
/// and it errs towards telling the sender about failures.
failure_report failure_report_of(const Chunk& request) noexcept;

/// Whether `request` asks for a success REPORT (`Success-Report: yes`,
/// case-insensitive; absent or any other value means no, RFC 4975 §7.1.1).
bool success_report_wanted(const Chunk& request) noexcept;

/// The same two rules for a field's value on its own (a message's header
/// fields before any chunk of it exists).
failure_report failure_report_value(std::string_view value) noexcept;
bool success_report_value(std::string_view value) noexcept;

/// Whether a receiver that handled `request` with status `code` sends a
/// transaction response (RFC 4975 §7.2):
/// - never to a REPORT ("Endpoints MUST NOT send MSRP responses to REPORT
///   requests"), nor to a response (`request.is_response()`);
/// - to any other method (SEND, AUTH, and unknown ones, which get 501,
///   §12) as its Failure-Report says: `yes` or absent always, `partial`
///   only when `code` is not 2xx, `no` never.
bool response_wanted(const Chunk& request, int code) noexcept;

/// The status a sender assumes for `request` when no response arrived in
/// time (RFC 4975 §7.1.1; the seed's MSRPSession.send_chunk): 408 when
/// Failure-Report is `yes` or absent (a response was owed, so its absence
/// is a failure), 200 when it is `partial` or `no` (silence is what
/// success looks like).
int local_timeout_code(const Chunk& request) noexcept;
/// The same for a request whose Failure-Report is `mode`.
int local_timeout_code(failure_report mode) noexcept;

/// A REPORT on the received SEND `send` (RFC 4975 §7.1.2, §7.1.3, §9):
/// - a new random transaction id (`random_ident`), method REPORT, flag `$`;
/// - To-Path = the whole From-Path of `send`, copied as written (a REPORT
///   travels end to end, back through the relays the SEND came through);
/// - From-Path = `local_uri`;
/// - Message-ID copied from `send`, Byte-Range = `range`;
/// - `Status: 000 <code> <comment>`, `comment` defaulting (when empty) to
///   the reason phrase of `code` (`status_comment`), omitted when that is
///   empty too;
/// - no Success-Report, Failure-Report, Content-Type or body (§7.1.2).
///
/// The result is serializable (`serialize`) and parses back with
/// `parse_chunk` when `send` carries a From-Path and a Message-ID, which
/// every SEND the parser accepts does; a field missing from `send` is
/// missing from the REPORT. Whether a REPORT is due at all is the
/// caller's decision (`success_report_wanted`, `failure_report_of`).
Chunk make_report(const Chunk& send, const URI& local_uri, int code, std::string comment, ByteRange range);

} // namespace msrp
