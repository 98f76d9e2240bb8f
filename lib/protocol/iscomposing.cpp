#include <msrp/protocol/cpim.hpp>
#include <msrp/protocol/error.hpp>
#include <msrp/protocol/iscomposing.hpp>

#include "ascii.hpp"
#include "text_checks.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace msrp {

namespace {

using detail::iequals;
using detail::is_alpha;
using detail::is_digit;
using detail::is_hex;

// The `xml` prefix is bound to this without a declaration (Namespaces in
// XML 1.0 §3).
constexpr std::string_view xml_prefix_namespace = "http://www.w3.org/XML/1998/namespace";

// S ::= (#x20 | #x9 | #xD | #xA)+ (XML 1.0 §2.3).
constexpr bool is_xml_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr std::string_view trim_xml_space(std::string_view s) noexcept {
    while (!s.empty() && is_xml_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_xml_space(s.back()))
        s.remove_suffix(1);
    return s;
}

// XML 1.0 §2.3 NameStartChar / NameChar, exact for ASCII. Non-ASCII octets
// all pass: the document's UTF-8 is checked as a whole, and the few
// non-ASCII characters XML excludes from names are not worth a table.
constexpr bool is_name_start(unsigned char c) noexcept { return is_alpha(c) || c == '_' || c == ':' || c >= 0x80; }
constexpr bool is_name_char(unsigned char c) noexcept {
    return is_name_start(c) || is_digit(c) || c == '-' || c == '.';
}

// Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
constexpr bool is_xml_char(std::uint32_t cp) noexcept {
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
           (cp >= 0x10000 && cp <= 0x10FFFF);
}

// U+FFFE and U+FFFF are valid UTF-8 but not XML characters.
bool is_noncharacter_fffx(std::string_view s, std::size_t i) noexcept {
    return static_cast<unsigned char>(s[i]) == 0xEF && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
           (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xBE;
}

// The whole document is UTF-8 made of XML characters (XML 1.0 §2.2, §4.3.3).
bool has_only_xml_chars(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                return false;
            ++i;
            continue;
        }
        const std::size_t n = detail::utf8_sequence_length(s.substr(i));
        if (n == 0 || n == std::string_view::npos || (n == 3 && is_noncharacter_fffx(s, i)))
            return false;
        i += n;
    }
    return true;
}

// The body of a reference between '&' and ';' (XML 1.0 §4.1): one of the
// five predefined entities (§4.6) or a character reference. No DTD is
// read, so no other entity exists.
bool decode_reference(std::string_view name, std::string* out) {
    char plain = 0;
    if (name == "lt")
        plain = '<';
    else if (name == "gt")
        plain = '>';
    else if (name == "amp")
        plain = '&';
    else if (name == "quot")
        plain = '"';
    else if (name == "apos")
        plain = '\'';
    if (plain != 0) {
        if (out)
            *out += plain;
        return true;
    }
    if (name.size() < 2 || name[0] != '#')
        return false;
    const bool hex = name[1] == 'x';
    const std::string_view digits = name.substr(hex ? 2 : 1);
    // Eight digits hold any code point with room for leading zeros; more
    // could only overflow.
    if (digits.empty() || digits.size() > 8)
        return false;
    std::uint32_t cp = 0;
    for (const char ch : digits) {
        const auto c = static_cast<unsigned char>(ch);
        if (hex ? !is_hex(c) : !is_digit(c))
            return false;
        cp = cp * (hex ? 16 : 10) + (is_digit(c) ? c - '0' : detail::to_lower(c) - 'a' + 10);
    }
    if (!is_xml_char(cp))
        return false;
    if (out)
        detail::append_utf8(*out, cp);
    return true;
}

// Decodes character data (`attribute` false: text between tags, whose
// `raw` holds no '<') or an attribute value between its quotes. References
// are decoded; CR LF and a lone CR become LF (XML 1.0 §2.11); in an
// attribute, white space becomes a space (§3.3.3). A reference's
// character is taken as is, so `&#13;` survives as CR. `out` may be null
// to check only.
bool decode_chars(std::string_view raw, bool attribute, std::string* out) {
    if (!attribute && raw.find("]]>") != std::string_view::npos)
        return false; // §2.4: "]]>" may not appear in content
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == '&') {
            // The longest reference is "&#x" plus eight digits plus ';'.
            const std::size_t semi = raw.find(';', i + 1);
            if (semi == std::string_view::npos || semi - i > 11 || !decode_reference(raw.substr(i + 1, semi - i - 1), out))
                return false;
            i = semi;
            continue;
        }
        if (c == '<')
            return false;
        char plain = c;
        if (c == '\r') {
            if (i + 1 < raw.size() && raw[i + 1] == '\n')
                ++i;
            plain = '\n';
        }
        if (attribute && is_xml_space(plain))
            plain = ' ';
        if (out)
            *out += plain;
    }
    return true;
}

// The children RFC 3994 §6.1 defines, as read into `document_reader::fields_`.
enum field : std::size_t { f_state, f_lastactive, f_contenttype, f_refresh, field_count };
constexpr std::array<std::string_view, field_count> field_names = {"state", "lastactive", "contenttype", "refresh"};

// What an open element is to the reader.
enum class element_kind { root, field, other };

struct open_element {
    std::string_view qname;
    element_kind kind;
    field which = field_count;
};

// An `xmlns` or `xmlns:prefix` declaration, in scope while the element at
// `depth` is open.
struct ns_binding {
    std::string_view prefix; // empty for the default name space
    std::string uri;
    std::size_t depth;
};

struct attribute {
    std::string_view qname;
    std::string value;
};

// A single-pass reader for the XML subset of `parse_iscomposing`. Open
// elements live on an explicit stack bounded by `max_depth`: no recursion,
// so no input can exhaust the call stack.
class document_reader {
public:
    document_reader(std::string_view text, const iscomposing_limits& limits) : s_(text), limits_(limits) {}

    bool read(IsComposing& out);

private:
    bool at_end() const noexcept { return pos_ >= s_.size(); }
    bool starts(std::string_view lit) const noexcept { return s_.substr(pos_, lit.size()) == lit; }
    bool skip_space() noexcept {
        const std::size_t start = pos_;
        while (pos_ < s_.size() && is_xml_space(s_[pos_]))
            ++pos_;
        return pos_ != start;
    }

    bool read_xml_declaration();
    bool read_name(std::string_view& name);
    bool read_qname(std::string_view& name);
    bool read_quoted(bool attribute, std::string* value);
    bool read_value(std::string& value);
    bool skip_comment();
    bool skip_pi();
    bool skip_misc();
    bool read_start_tag();
    bool read_end_tag();
    bool read_text();
    bool read_cdata();
    bool close_element();
    bool resolve(std::string_view prefix, std::string_view& uri) const;
    bool finish(IsComposing& out) const;

    std::string_view s_;
    const iscomposing_limits& limits_;
    std::size_t pos_ = 0;
    bool root_closed_ = false;
    std::vector<open_element> open_;
    std::vector<ns_binding> bindings_;
    std::vector<attribute> attributes_;
    std::string field_text_;
    std::array<std::optional<std::string>, field_count> fields_;
};

// XMLDecl ::= '<?xml' VersionInfo EncodingDecl? SDDecl? S? '?>' (§2.8),
// at the very start; `pos_` is at "<?xml".
bool document_reader::read_xml_declaration() {
    pos_ += 5;
    int next = 0; // 0 version, 1 encoding, 2 standalone: each in this order, version required
    while (true) {
        const bool space = skip_space();
        if (starts("?>")) {
            pos_ += 2;
            return next > 0;
        }
        std::string_view name;
        if (!space || !read_name(name))
            return false;
        std::string value;
        if (!read_value(value))
            return false;
        if (name == "version" && next == 0) {
            // VersionNum ::= '1.' [0-9]+
            if (value.size() < 3 || value.compare(0, 2, "1.") != 0 ||
                !detail::all_of_class(std::string_view(value).substr(2), detail::cc_digit))
                return false;
            next = 1;
        } else if (name == "encoding" && next == 1) {
            // Documents arrive as MSRP bodies, which are UTF-8 in practice;
            // transcoding is out of scope, and ASCII is a subset.
            if (!iequals(value, "UTF-8") && !iequals(value, "US-ASCII"))
                return false;
            next = 2;
        } else if (name == "standalone" && next >= 1 && next <= 2) {
            if (value != "yes" && value != "no")
                return false;
            next = 3;
        } else {
            return false;
        }
    }
}

bool document_reader::read_name(std::string_view& name) {
    const std::size_t start = pos_;
    if (at_end() || !is_name_start(static_cast<unsigned char>(s_[pos_])))
        return false;
    while (pos_ < s_.size() && is_name_char(static_cast<unsigned char>(s_[pos_])))
        ++pos_;
    name = s_.substr(start, pos_ - start);
    return true;
}

// QName ::= (Prefix ':')? LocalPart, both NCNames (no colon).
bool document_reader::read_qname(std::string_view& name) {
    if (!read_name(name))
        return false;
    const std::size_t colon = name.find(':');
    if (colon == std::string_view::npos)
        return true;
    return colon > 0 && colon + 1 < name.size() && name.find(':', colon + 1) == std::string_view::npos &&
           is_name_start(static_cast<unsigned char>(name[colon + 1]));
}

// Eq AttValue (§2.3, §3.1): the "= 'value'" after a name in a tag or the
// XML declaration.
bool document_reader::read_value(std::string& value) {
    skip_space();
    if (at_end() || s_[pos_] != '=')
        return false;
    ++pos_;
    skip_space();
    return read_quoted(true, &value);
}

// A value in single or double quotes (AttValue, §3.1), decoded into `value`.
bool document_reader::read_quoted(bool attribute, std::string* value) {
    if (at_end() || (s_[pos_] != '"' && s_[pos_] != '\''))
        return false;
    const std::size_t close = s_.find(s_[pos_], pos_ + 1);
    if (close == std::string_view::npos)
        return false;
    const std::string_view raw = s_.substr(pos_ + 1, close - pos_ - 1);
    pos_ = close + 1;
    return decode_chars(raw, attribute, value);
}

// Comment ::= '<!--' ((Char - '-') | ('-' (Char - '-')))* '-->' (§2.5):
// no "--" inside, and no '-' right before the end.
bool document_reader::skip_comment() {
    const std::size_t dashes = s_.find("--", pos_ + 4);
    if (dashes == std::string_view::npos || dashes + 2 >= s_.size() || s_[dashes + 2] != '>')
        return false;
    pos_ = dashes + 3;
    return true;
}

// PI ::= '<?' PITarget (S (Char* - (Char* '?>' Char*)))? '?>' (§2.6); the
// target may not be "xml" in any case: a declaration only starts a document.
bool document_reader::skip_pi() {
    pos_ += 2;
    std::string_view target;
    if (!read_name(target) || iequals(target, "xml"))
        return false;
    if (starts("?>")) {
        pos_ += 2;
        return true;
    }
    if (!skip_space())
        return false;
    const std::size_t end = s_.find("?>", pos_);
    if (end == std::string_view::npos)
        return false;
    pos_ = end + 2;
    return true;
}

// Misc ::= Comment | PI | S, before and after the root element.
bool document_reader::skip_misc() {
    while (true) {
        skip_space();
        if (starts("<!--")) {
            if (!skip_comment())
                return false;
        } else if (starts("<?")) {
            if (!skip_pi())
                return false;
        } else {
            return true;
        }
    }
}

bool document_reader::resolve(std::string_view prefix, std::string_view& uri) const {
    if (prefix == "xml") {
        uri = xml_prefix_namespace;
        return true;
    }
    for (auto b = bindings_.rbegin(); b != bindings_.rend(); ++b) {
        if (b->prefix == prefix) {
            uri = b->uri;
            return true;
        }
    }
    // No default name space declared: elements without a prefix have none.
    uri = {};
    return prefix.empty();
}

// STag / EmptyElemTag (§3.1) with its name space declarations; `pos_` is
// at the '<'.
bool document_reader::read_start_tag() {
    ++pos_;
    std::string_view qname;
    if (!read_qname(qname))
        return false;
    attributes_.clear();
    bool empty = false;
    while (true) {
        const bool space = skip_space();
        if (starts("/>")) {
            pos_ += 2;
            empty = true;
            break;
        }
        if (starts(">")) {
            ++pos_;
            break;
        }
        attribute a;
        if (!space || !read_qname(a.qname))
            return false;
        if (!read_value(a.value))
            return false;
        for (const attribute& other : attributes_)
            if (other.qname == a.qname)
                return false; // §3.1 Unique Att Spec
        attributes_.push_back(std::move(a));
    }

    const std::size_t depth = open_.size() + 1;
    if (depth > limits_.max_depth)
        return false;
    // Declarations first: they apply to the tag that carries them.
    for (attribute& a : attributes_) {
        if (a.qname == "xmlns") {
            bindings_.push_back({{}, std::move(a.value), depth});
        } else if (a.qname.substr(0, 6) == "xmlns:") {
            const std::string_view prefix = a.qname.substr(6);
            // Namespaces in XML 1.0 §3: `xmlns` is never declared, `xml`
            // only to its own name space, and no prefix to "".
            if (prefix == "xmlns" || (prefix == "xml") != (a.value == xml_prefix_namespace) || a.value.empty())
                return false;
            bindings_.push_back({prefix, std::move(a.value), depth});
        }
    }
    for (const attribute& a : attributes_) {
        const std::size_t colon = a.qname.find(':');
        std::string_view uri;
        if (colon != std::string_view::npos && a.qname.substr(0, colon) != "xmlns" &&
            !resolve(a.qname.substr(0, colon), uri))
            return false; // an undeclared prefix
    }

    const std::size_t colon = qname.find(':');
    const std::string_view prefix = colon == std::string_view::npos ? std::string_view{} : qname.substr(0, colon);
    const std::string_view local = colon == std::string_view::npos ? qname : qname.substr(colon + 1);
    std::string_view uri;
    if (!resolve(prefix, uri))
        return false;

    open_element element{qname, element_kind::other};
    if (open_.empty()) {
        if (root_closed_ || local != "isComposing" || uri != iscomposing_namespace)
            return false;
        element.kind = element_kind::root;
    } else if (open_.back().kind == element_kind::field) {
        return false; // the RFC 3994 §6.1 fields hold text only
    } else if (open_.back().kind == element_kind::root && uri == iscomposing_namespace) {
        for (std::size_t f = 0; f < field_count; ++f) {
            if (local == field_names[f]) {
                if (fields_[f])
                    return false; // each at most once (§6.1 schema)
                element.kind = element_kind::field;
                element.which = static_cast<field>(f);
                field_text_.clear();
            }
        }
    }
    open_.push_back(element);
    return empty ? close_element() : true;
}

// ETag ::= '</' Name S? '>' (§3.1), naming the element it closes.
bool document_reader::read_end_tag() {
    pos_ += 2;
    std::string_view qname;
    if (!read_name(qname))
        return false;
    skip_space();
    if (at_end() || s_[pos_] != '>' || qname != open_.back().qname)
        return false;
    ++pos_;
    return close_element();
}

bool document_reader::close_element() {
    const open_element& element = open_.back();
    if (element.kind == element_kind::field)
        fields_[element.which] = std::move(field_text_);
    else if (element.kind == element_kind::root)
        root_closed_ = true;
    while (!bindings_.empty() && bindings_.back().depth == open_.size())
        bindings_.pop_back();
    open_.pop_back();
    return true;
}

// Character data up to the next '<'. A field keeps it; the root allows
// only white space between its children (RFC 3994 §6.1 has no mixed
// content); other elements' text is checked and dropped.
bool document_reader::read_text() {
    const std::size_t lt = s_.find('<', pos_);
    if (lt == std::string_view::npos)
        return false; // the root is still open
    const std::string_view raw = s_.substr(pos_, lt - pos_);
    pos_ = lt;
    switch (open_.back().kind) {
    case element_kind::field: return decode_chars(raw, false, &field_text_);
    case element_kind::root: return trim_xml_space(raw).empty();
    case element_kind::other: return decode_chars(raw, false, nullptr);
    }
    return false;
}

// CDSect ::= '<![CDATA[' CData ']]>' (§2.7): text taken literally, but for
// line ends.
bool document_reader::read_cdata() {
    pos_ += 9;
    const std::size_t end = s_.find("]]>", pos_);
    if (end == std::string_view::npos)
        return false;
    const std::string_view raw = s_.substr(pos_, end - pos_);
    pos_ = end + 3;
    switch (open_.back().kind) {
    case element_kind::field:
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '\r') {
                if (i + 1 < raw.size() && raw[i + 1] == '\n')
                    ++i;
                field_text_ += '\n';
            } else {
                field_text_ += raw[i];
            }
        }
        return true;
    case element_kind::root: return trim_xml_space(raw).empty();
    case element_kind::other: return true;
    }
    return false;
}

bool document_reader::read(IsComposing& out) {
    // A UTF-8 byte order mark may precede the document (XML 1.0 §4.3.3).
    if (starts("\xEF\xBB\xBF"))
        pos_ = 3;
    if (!has_only_xml_chars(s_.substr(pos_)))
        return false;
    if (starts("<?xml") && pos_ + 5 < s_.size() && is_xml_space(s_[pos_ + 5]) && !read_xml_declaration())
        return false;
    // No DOCTYPE: without a DTD there are no entities to expand, so no
    // entity bombs.
    if (!skip_misc() || starts("<!") || !starts("<") || !read_start_tag())
        return false;
    while (!open_.empty()) {
        if (at_end())
            return false;
        bool ok;
        if (s_[pos_] != '<')
            ok = read_text();
        else if (starts("</"))
            ok = read_end_tag();
        else if (starts("<!--"))
            ok = skip_comment();
        else if (starts("<![CDATA["))
            ok = read_cdata();
        else if (starts("<?"))
            ok = skip_pi();
        else
            ok = read_start_tag();
        if (!ok)
            return false;
    }
    if (!skip_misc() || !at_end())
        return false;
    return finish(out);
}

// The values of RFC 3994 §6.1, with the surrounding white space that
// `xs:string` content may carry around them removed.
bool document_reader::finish(IsComposing& out) const {
    IsComposing doc;
    if (!fields_[f_state])
        return false;
    const std::string_view state = trim_xml_space(*fields_[f_state]);
    if (state == "active")
        doc.state = composing_state::active;
    else if (state != "idle")
        return false;
    if (fields_[f_lastactive]) {
        const std::string_view text = trim_xml_space(*fields_[f_lastactive]);
        cpim_datetime parsed;
        if (parse_cpim_datetime(text, parsed))
            return false;
        doc.last_active.emplace(text);
    }
    if (fields_[f_contenttype])
        doc.content_type = trim_xml_space(*fields_[f_contenttype]);
    if (fields_[f_refresh]) {
        // xs:positiveInteger: an optional '+', digits, not zero.
        std::string_view digits = trim_xml_space(*fields_[f_refresh]);
        if (!digits.empty() && digits.front() == '+')
            digits.remove_prefix(1);
        if (digits.empty() || !detail::all_of_class(digits, detail::cc_digit))
            return false;
        while (digits.size() > 1 && digits.front() == '0')
            digits.remove_prefix(1);
        std::uint64_t value = 0;
        if (!detail::parse_u64(digits, value) || value == 0 || value > UINT32_MAX)
            return false;
        doc.refresh = static_cast<std::uint32_t>(value);
    }
    out = std::move(doc);
    return true;
}

// Text content for `format_iscomposing`: markup escaped, and whatever XML
// 1.0 cannot carry replaced, so the document stays well formed.
void append_escaped(std::string& out, std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            const std::size_t n = detail::utf8_sequence_length(text.substr(i));
            if (n == 0 || n == std::string_view::npos || (n == 3 && is_noncharacter_fffx(text, i))) {
                out += "\xEF\xBF\xBD";
                i += n == 3 ? 3 : 1;
            } else {
                out.append(text.substr(i, n));
                i += n;
            }
            continue;
        }
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break; // so no "]]>" can appear
        case '\r': out += "&#13;"; break; // a literal CR would read back as LF
        case '\t':
        case '\n': out += static_cast<char>(c); break;
        default: out += c < 0x20 ? ' ' : static_cast<char>(c);
        }
        ++i;
    }
}

void append_element(std::string& out, std::string_view name, std::string_view text) {
    out += "  <";
    out += name;
    out += '>';
    append_escaped(out, text);
    out += "</";
    out += name;
    out += ">\n";
}

} // namespace

std::error_code parse_iscomposing(std::string_view xml, IsComposing& out, const iscomposing_limits& limits) {
    if (xml.size() > limits.max_bytes)
        return errc::bad_iscomposing;
    document_reader reader(xml, limits);
    if (!reader.read(out))
        return errc::bad_iscomposing;
    return {};
}

std::string format_iscomposing(const IsComposing& doc) {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<isComposing xmlns=\"";
    out += iscomposing_namespace;
    out += "\">\n";
    append_element(out, "state", doc.state == composing_state::active ? "active" : "idle");
    if (doc.last_active)
        append_element(out, "lastactive", *doc.last_active);
    if (!doc.content_type.empty())
        append_element(out, "contenttype", doc.content_type);
    if (doc.refresh && *doc.refresh > 0)
        append_element(out, "refresh", std::to_string(*doc.refresh));
    out += "</isComposing>\n";
    return out;
}

} // namespace msrp
