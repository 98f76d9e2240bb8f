#pragma once
/// \file
/// message/cpim (RFC 3862): the envelope a chat puts around each message so
/// that sender, recipients and time survive relays and gateways.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace msrp {

/// Bounds on what `parse_cpim` accepts, so a hostile peer cannot make it
/// allocate without limit: exceeding one is an error, never a larger buffer.
struct cpim_limits {
    /// Header fields in the CPIM and MIME sections together
    /// (`errc::cpim_too_many_headers`).
    std::size_t max_header_count = 100;
    /// Octets of one header line without its line end, and of a folded MIME
    /// header once unfolded (`errc::cpim_header_too_long`).
    std::size_t max_header_line_bytes = 8192;
};

/// A From, To or cc value: `[ Formal-name ] "<" URI ">"` (RFC 3862 §4.1-4.3).
struct CPIMAddress {
    /// The display name with quotes removed and §3.6 escapes decoded (UTF-8);
    /// empty when there is none.
    std::string display_name;
    /// The URI between `<` and `>`, as written (`im:alice@example.com`).
    std::string uri;
    friend bool operator==(const CPIMAddress&, const CPIMAddress&) = default;
};

/// A DateTime value (RFC 3862 §4.4, RFC 3339 `date-time`), kept as received
/// and broken down. The fields describe local time at `offset_minutes`.
struct CPIMDateTime {
    /// The value as received; `format_cpim` writes it back unchanged, so it
    /// is the authority when it and the fields disagree.
    std::string text;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0;
    int second = 0;           ///< 0..60 (RFC 3339 allows a leap second)
    int millisecond = 0;      ///< the fraction of a second, truncated to milliseconds
    int offset_minutes = 0;   ///< local time minus UTC (`Z` and `-00:00` give 0)
    std::int64_t epoch_ms = 0;///< milliseconds since 1970-01-01T00:00:00Z (a leap second counts as the next :00)
    friend bool operator==(const CPIMDateTime&, const CPIMDateTime&) = default;
};

/// A Subject header (RFC 3862 §4.5); a message may have one per language.
struct CPIMSubject {
    std::string lang;   ///< the `;lang=` tag, empty when absent
    std::string text;   ///< the value as written
    friend bool operator==(const CPIMSubject&, const CPIMSubject&) = default;
};

/// An NS header (RFC 3862 §4.6): `prefix` stands for `uri` in header names
/// `prefix.Name`. An empty prefix declares the default name space.
struct CPIMNamespace {
    std::string prefix;
    std::string uri;
    friend bool operator==(const CPIMNamespace&, const CPIMNamespace&) = default;
};

/// A CPIM header with no field of its own in `CPIMMessage`, typically one of
/// an NS-declared name space (`MyFeatures.WackyMessageOption`).
struct CPIMHeader {
    std::string name;                 ///< as written, prefix included
    std::vector<std::string> params;  ///< each `;name=value` without the `;`, as written
    std::string value;                ///< as written, without the surrounding whitespace
    /// The part of `name` before its `.`; empty when it has none.
    std::string_view prefix() const noexcept;
    /// The part of `name` after its `.` (all of it when there is none).
    std::string_view local_name() const noexcept;
    friend bool operator==(const CPIMHeader&, const CPIMHeader&) = default;
};

/// A MIME header of the encapsulated content (Content-Type, Content-ID, ...).
struct CPIMContentHeader {
    std::string name;   ///< as written (`Content-type` stays so)
    std::string value;  ///< unfolded (RFC 5322 §2.2.3), without surrounding whitespace
    friend bool operator==(const CPIMContentHeader&, const CPIMContentHeader&) = default;
};

/// A message/cpim entity (RFC 3862 §2): message headers, an empty line, the
/// MIME headers of the content, an empty line, the content.
///
/// `format_cpim` writes the message headers in this order: From, To, cc,
/// DateTime, Subject, NS, Require, then `headers`; NS comes before the
/// headers it prefixes, as RFC 3862 §3.4 requires.
struct CPIMMessage {
    std::optional<CPIMAddress> from;            ///< at most one (§4.1)
    std::vector<CPIMAddress> to;                ///< in order (§4.2)
    std::vector<CPIMAddress> cc;                ///< in order (§4.3)
    std::optional<CPIMDateTime> datetime;       ///< at most one (§4.4)
    std::vector<CPIMSubject> subjects;          ///< in order (§4.5)
    std::vector<CPIMNamespace> namespaces;      ///< in order (§4.6)
    std::vector<std::string> require;           ///< header names of all Require headers, in order (§4.7)
    std::vector<CPIMHeader> headers;            ///< every other message header, in order
    std::vector<CPIMContentHeader> content_headers; ///< MIME headers of the content, in order
    std::string body;                           ///< the content, octet for octet

    /// The value of the first Content-Type content header (names compare
    /// case-insensitively, RFC 2045 §5.1); empty when there is none. The
    /// view points into this message.
    std::string_view content_type() const noexcept;

    /// The URI `prefix` stands for: the last NS declaring it, or empty when
    /// no NS does. The view points into this message.
    std::string_view namespace_uri(std::string_view prefix) const noexcept;

    friend bool operator==(const CPIMMessage&, const CPIMMessage&) = default;
};

/// Parses a message/cpim body (the body of an MSRP SEND with Content-Type
/// message/cpim). Lines may end in CRLF or, for peers that send them, LF
/// alone. The content after the second empty line is copied untouched.
///
/// Leniencies, each forced by deployed peers or RFC examples: header names
/// From, To, cc, DateTime, Subject, NS and Require are recognised in any
/// case; a header named `Content-...` ends the message headers even without
/// the empty line (RFC 4975 §11.4 prints CPIM that way); unquoted display
/// names may hold any text up to `<`; MIME headers may be folded.
///
/// Errors: `bad_cpim_header` (a line is not `Name:[;params] value`, holds
/// control characters or invalid UTF-8, or a header has parameters it may
/// not have), `bad_cpim_address` (From, To, cc or NS is not
/// `[name] <URI>`), `bad_cpim_quoted_string` (unterminated quoted string or
/// unknown escape), `bad_cpim_datetime`, `duplicate_cpim_header` (a second
/// From or DateTime), `missing_cpim_separator` (the input ends before the
/// empty line after either header section), `cpim_too_many_headers`,
/// `cpim_header_too_long`. `out` is only written on success.
std::error_code parse_cpim(std::string_view text, CPIMMessage& out, const cpim_limits& limits = {});

/// Writes `message` with CRLF line ends. Display names are written as
/// tokens when they are tokens separated by single spaces, else as quoted
/// strings with §3.6 escapes. Control characters in other header texts
/// (which a parsed message never holds) are written as spaces, so a value
/// cannot inject a header. A parsed message formats to text that parses to
/// an equal message, given limits that allow for escapes: a line may grow
/// (an unquoted name with a tab becomes `"a\tb"`), to at most twice its
/// length plus 3 octets.
std::string format_cpim(const CPIMMessage& message);

/// Parses an RFC 3339 `date-time` (`2000-12-13T13:40:00-08:00`,
/// `...T13:40:00.123Z`; `t` and `z` in lower case too). Error:
/// `bad_cpim_datetime` (grammar, or a field out of range such as Feb 30).
std::error_code parse_cpim_datetime(std::string_view text, CPIMDateTime& out);

/// The DateTime for `epoch_ms` in local time at `offset_minutes` (-1439..1439),
/// written with milliseconds (`2024-05-01T10:00:00.250+02:00`, `Z` for 0).
/// Error: `invalid_argument` when the offset or the year (0..9999) is out of range.
std::error_code make_cpim_datetime(std::int64_t epoch_ms, int offset_minutes, CPIMDateTime& out);

/// A message as a chat sends it: From, To, DateTime, one Content-Type
/// content header and the body. An empty `content_type` writes none.
CPIMMessage make_cpim_message(CPIMAddress from, CPIMAddress to, CPIMDateTime datetime,
                              std::string content_type, std::string body);

/// The names these types had before the naming rule of README.md ("Naming"):
/// kept so that code written against them still compiles; new code uses the
/// PascalCase names.
using cpim_address = CPIMAddress;
using cpim_datetime = CPIMDateTime;
using cpim_subject = CPIMSubject;
using cpim_namespace = CPIMNamespace;
using cpim_header = CPIMHeader;
using cpim_content_header = CPIMContentHeader;

} // namespace msrp
