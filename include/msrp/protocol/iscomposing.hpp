#pragma once
/// \file
/// application/im-iscomposing+xml (RFC 3994 §5, §6): the status document a
/// chat sends while its user types, so the peer can show "is typing".
/// Read and written without an XML library; the reader takes the small,
/// namespace-aware subset of XML 1.0 these documents use (see
/// `parse_iscomposing`).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace msrp {

/// The MIME type of an is-composing document (RFC 3994 §8.1); an MSRP SEND
/// carrying one has this Content-Type.
inline constexpr std::string_view iscomposing_content_type = "application/im-iscomposing+xml";

/// The XML name space of the document's elements (RFC 3994 §6.1, §8.2).
inline constexpr std::string_view iscomposing_namespace = "urn:ietf:params:xml:ns:im-iscomposing";

/// The two states of RFC 3994 §3: the peer composes a message or does not.
enum class composing_state { idle, active };

/// One is-composing document (RFC 3994 §5, schema of §6.1).
struct IsComposing {
    /// `<state>`, the only required element.
    composing_state state = composing_state::idle;
    /// `<lastactive>`: when the composer was last active, an RFC 3339
    /// `date-time` as sent (`2003-01-27T10:43:00Z`); `parse_iscomposing`
    /// checks it with `parse_cpim_datetime`. Mostly sent with idle.
    std::optional<std::string> last_active;
    /// `<contenttype>`: what is being composed, a MIME type or only its
    /// top-level type (`text/plain`, `audio`); empty when absent.
    std::string content_type;
    /// `<refresh>`: seconds within which the composer promises another
    /// active document (RFC 3994 §3.2); a positive number. The receiver
    /// falls back to idle when it does not come (`composing_receiver`).
    std::optional<std::uint32_t> refresh;

    friend bool operator==(const IsComposing&, const IsComposing&) = default;
};

/// Bounds on what `parse_iscomposing` accepts, so a hostile peer cannot
/// make it work or allocate without limit. Exceeding one is
/// `errc::bad_iscomposing`, like any other malformed document: a real
/// document is a few hundred octets and three levels deep, so a peer that
/// exceeds these sends nothing we could use.
struct iscomposing_limits {
    /// Octets of the whole document.
    std::size_t max_bytes = 8192;
    /// Element nesting, the root counting as 1. The reader keeps a stack of
    /// open elements (it does not recurse), and this bounds it.
    std::size_t max_depth = 16;
};

/// Parses an is-composing document (the body of a SEND whose Content-Type
/// is `iscomposing_content_type`).
///
/// XML accepted: an optional UTF-8 byte order mark and XML declaration
/// (version 1.x; encoding, when given, UTF-8 or US-ASCII); comments,
/// processing instructions and white space around and inside the
/// elements; CDATA sections in text; the five predefined entity
/// references and character references (`&#233;`, `&#xE9;`), decoded;
/// CR LF and lone CR in text read as LF (XML 1.0 §2.11). Rejected: a
/// DOCTYPE (no DTD, so no other entities), invalid UTF-8, characters XML
/// does not allow (most control characters), and anything not well formed
/// (unclosed or mismatched tags, duplicate attributes, `<` or a bare `&`
/// in text, text outside the root).
///
/// Name spaces (Namespaces in XML 1.0): the root must be `isComposing` in
/// `iscomposing_namespace`, under any prefix (peers send it as the
/// default name space); every prefix used must be declared. Its children
/// `state`, `lastactive`, `contenttype` and `refresh` in that name space
/// are read in any order, at most once each, and hold text only. Every
/// other child element (RFC 3994 §6.1 `xs:any` extensions, elements of
/// other name spaces) is skipped with all it contains, as are attributes;
/// non-white text directly in the root is an error.
///
/// Values, with surrounding XML white space removed: `state` must be
/// `idle` or `active`; `refresh` a positive integer (`xs:positiveInteger`:
/// digits after an optional `+`) that fits 32 bits; `lastactive` an RFC
/// 3339 `date-time` (`parse_cpim_datetime`); `contenttype` any text.
///
/// Errors: `bad_iscomposing` for all of the above, for a missing `state`,
/// and when `xml` exceeds `limits`. `out` is only written on success.
std::error_code parse_iscomposing(std::string_view xml, IsComposing& out, const iscomposing_limits& limits = {});

/// Writes `doc` as a document with the XML declaration and
/// `xmlns="urn:ietf:params:xml:ns:im-iscomposing"` on the root, elements in
/// the order of the RFC 3994 §6.1 schema, one per line: `state`, then
/// `lastactive` and `contenttype` when set (non-empty), then `refresh`
/// when set and positive (a 0 cannot be sent: the schema requires a
/// positive integer). Text is escaped (`&amp;`, `&lt;`, `&gt;`, CR as
/// `&#13;`); characters XML 1.0 cannot carry (control characters other
/// than tab and LF) are written as spaces, and invalid UTF-8 octets as
/// U+FFFD, so the output is always well formed. A parsed document formats
/// to text that parses to an equal `IsComposing` and formats the same
/// again, given a `max_bytes` that allows for escapes: the text can be
/// longer than the document it came from (a bare `>` becomes four octets,
/// a `&` of a CDATA section five).
std::string format_iscomposing(const IsComposing& doc);

} // namespace msrp
