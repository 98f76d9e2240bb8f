#pragma once
// A reader for the small, name-space-aware subset of XML 1.0 that MSRP's
// XML bodies use: is-composing (RFC 3994) today, IMDN (RFC 5438) or
// conference-info (RFC 4575) later. It checks that a whole document is
// well formed and hands its elements and text to a visitor, which judges
// the vocabulary. Internal header: not installed.
//
// Accepted: an optional UTF-8 byte order mark and XML declaration (version
// 1.x; encoding, when given, UTF-8 or US-ASCII); comments, processing
// instructions and white space around and inside the root; CDATA sections;
// the five predefined entity references and character references, decoded;
// CR LF and a lone CR read as LF (XML 1.0 §2.11). Refused: a DOCTYPE (no
// DTD, so no other entities and no entity bombs), invalid UTF-8, characters
// XML does not allow, and anything not well formed or not name-space well
// formed (an undeclared prefix, `xmlns:p=""`, a misbound `xml` prefix).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace msrp::detail {

/// Bounds on a document, so a hostile peer cannot make the reader work or
/// allocate without limit.
struct xml_limits {
    /// Octets of the whole document.
    std::size_t max_bytes = 8192;
    /// Element nesting, the root counting as 1. Open elements live on an
    /// explicit stack (the reader does not recurse), and this bounds it.
    std::size_t max_depth = 16;
};

/// Why `read_xml` refused a document.
enum class xml_error : std::uint8_t {
    none,
    too_large,       // longer than `max_bytes`
    too_deep,        // nested deeper than `max_depth`
    bad_char,        // invalid UTF-8 or a character XML 1.0 §2.2 excludes
    bad_namespace,   // an undeclared prefix or a forbidden declaration
    not_well_formed, // any other breach of XML 1.0
    rejected,        // the visitor returned false
};

/// An element or attribute name after name space resolution (Namespaces
/// in XML 1.0). Views into the document, except `ns`, which points into the
/// reader's copy of a declaration's decoded value.
struct xml_name {
    std::string_view qname;  // as written: `p:state` or `state`
    std::string_view prefix; // empty when the name has none
    std::string_view local;
    /// The name space URI; empty for none (an unprefixed name with no
    /// default name space, or any unprefixed attribute).
    std::string_view ns;
};

struct xml_attribute {
    xml_name name;
    /// Decoded: references replaced, white space as spaces (XML 1.0 §3.3.3).
    std::string_view value;
};

/// A start tag, or the end of the element it opened.
struct xml_element {
    xml_name name;
    /// 1 for the root.
    std::size_t depth;
    /// In document order, without the `xmlns` declarations; empty in an
    /// end event.
    std::span<const xml_attribute> attributes;
};

/// Character data inside an element: one run of text between markup, or
/// one CDATA section.
struct xml_text {
    /// Decoded: references replaced, line ends as LF.
    std::string_view text;
    /// The run as written is only XML white space (S, §2.3): what a
    /// vocabulary without mixed content allows between elements. A
    /// reference to a space (`&#32;`) is not blank.
    bool blank;
    bool cdata;
    /// The depth of the element the text is in.
    std::size_t depth;
};

/// What a vocabulary does with a document's content. Each call returns
/// false to refuse the document (`xml_error::rejected`); the reader then
/// stops. Every view passed is valid during the call only.
class xml_visitor {
public:
    virtual bool start_element(const xml_element& element) = 0;
    virtual bool end_element(const xml_element& element) = 0;
    virtual bool text(const xml_text& text) = 0;

protected:
    ~xml_visitor() = default;
};

/// Reads `doc` as one whole document and calls `visitor` for its content in
/// document order (comments and processing instructions are skipped). On
/// `xml_error::none` the document was well formed and the visitor took it
/// all; otherwise the visitor may have seen a prefix of it.
xml_error read_xml(std::string_view doc, xml_visitor& visitor, const xml_limits& limits = {});

/// S ::= (#x20 | #x9 | #xD | #xA)+ (XML 1.0 §2.3).
constexpr bool is_xml_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr std::string_view trim_xml_space(std::string_view s) noexcept {
    while (!s.empty() && is_xml_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_xml_space(s.back()))
        s.remove_suffix(1);
    return s;
}

/// Whether the three octets at `s[i]` encode U+FFFE or U+FFFF: valid UTF-8
/// but not XML characters. `s` holds at least three octets from `i`.
constexpr bool is_xml_noncharacter(std::string_view s, std::size_t i) noexcept {
    return static_cast<unsigned char>(s[i]) == 0xEF && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
           (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xBE;
}

} // namespace msrp::detail
