#include "xml_reader.hpp"

#include "../detail/ascii.hpp"
#include "../detail/text_checks.hpp"

#include <string>
#include <utility>
#include <vector>

namespace msrp::detail {

namespace {

// The `xml` prefix is bound to this without a declaration (Namespaces in
// XML 1.0 §3).
constexpr std::string_view xml_prefix_namespace = "http://www.w3.org/XML/1998/namespace";

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
        const std::size_t n = utf8_sequence_length(s.substr(i));
        if (n == 0 || n == std::string_view::npos || (n == 3 && is_xml_noncharacter(s, i)))
            return false;
        i += n;
    }
    return true;
}

// The body of a reference between '&' and ';' (XML 1.0 §4.1): one of the
// five predefined entities (§4.6) or a character reference. No DTD is
// read, so no other entity exists.
bool decode_reference(std::string_view name, std::string& out) {
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
        out += plain;
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
        cp = cp * (hex ? 16 : 10) + (is_digit(c) ? c - '0' : to_lower(c) - 'a' + 10);
    }
    if (!is_xml_char(cp))
        return false;
    append_utf8(out, cp);
    return true;
}

// Decodes character data (`attribute` false: text between tags, whose
// `raw` holds no '<') or an attribute value between its quotes, appending
// to `out`. References are decoded; CR LF and a lone CR become LF (XML 1.0
// §2.11); in an attribute, white space becomes a space (§3.3.3). A
// reference's character is taken as is, so `&#13;` survives as CR.
bool decode_chars(std::string_view raw, bool attribute, std::string& out) {
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
        out += plain;
    }
    return true;
}

// CData (§2.7) is taken literally, but for line ends (§2.11).
void decode_cdata(std::string_view raw, std::string& out) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\r') {
            if (i + 1 < raw.size() && raw[i + 1] == '\n')
                ++i;
            out += '\n';
        } else {
            out += raw[i];
        }
    }
}

// An `xmlns` or `xmlns:prefix` declaration, in scope while the element at
// `depth` is open.
struct ns_binding {
    std::string_view prefix; // empty for the default name space
    std::string uri;
    std::size_t depth;
};

// An attribute while its tag is read: the value is decoded before the
// declarations that resolve its prefix are known.
struct raw_attribute {
    std::string_view qname;
    std::string value;
};

std::pair<std::string_view, std::string_view> split_qname(std::string_view qname) noexcept {
    const std::size_t colon = qname.find(':');
    if (colon == std::string_view::npos)
        return {{}, qname};
    return {qname.substr(0, colon), qname.substr(colon + 1)};
}

// A single pass over the whole document. Open elements live on an
// explicit stack bounded by `max_depth`: no recursion, so no input can
// exhaust the call stack.
class document_reader {
public:
    document_reader(std::string_view text, xml_visitor& visitor, const xml_limits& limits)
        : s_(text), visitor_(visitor), limits_(limits) {}

    xml_error read();

private:
    bool at_end() const noexcept { return pos_ >= s_.size(); }
    bool starts(std::string_view lit) const noexcept { return s_.substr(pos_, lit.size()) == lit; }
    bool skip_space() noexcept {
        const std::size_t start = pos_;
        while (pos_ < s_.size() && is_xml_space(s_[pos_]))
            ++pos_;
        return pos_ != start;
    }
    bool fail(xml_error e) noexcept {
        error_ = e;
        return false;
    }

    bool read_xml_declaration();
    bool read_name(std::string_view& name);
    bool read_qname(std::string_view& name);
    bool read_quoted(std::string& value);
    bool read_value(std::string& value);
    bool skip_comment();
    bool skip_pi();
    bool skip_misc();
    bool read_start_tag();
    bool read_end_tag();
    bool read_text();
    bool read_cdata();
    bool close_element();
    bool deliver_text(std::string_view raw, bool cdata);
    bool resolve(std::string_view prefix, std::string_view& uri) const;
    bool resolve_name(std::string_view qname, bool attribute, xml_name& name) const;

    std::string_view s_;
    xml_visitor& visitor_;
    const xml_limits& limits_;
    std::size_t pos_ = 0;
    xml_error error_ = xml_error::not_well_formed;
    std::vector<std::string_view> open_; // the qnames of the open elements
    std::vector<ns_binding> bindings_;
    std::vector<raw_attribute> raw_attributes_;
    std::vector<xml_attribute> attributes_;
    std::string text_;
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
                !all_of_class(std::string_view(value).substr(2), cc_digit))
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
    return read_quoted(value);
}

// A value in single or double quotes (AttValue, §3.1), decoded into `value`.
bool document_reader::read_quoted(std::string& value) {
    if (at_end() || (s_[pos_] != '"' && s_[pos_] != '\''))
        return false;
    const std::size_t close = s_.find(s_[pos_], pos_ + 1);
    if (close == std::string_view::npos)
        return false;
    const std::string_view raw = s_.substr(pos_ + 1, close - pos_ - 1);
    pos_ = close + 1;
    return decode_chars(raw, true, value);
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

// Namespaces in XML 1.0 §6.2: an unprefixed attribute is in no name space;
// an unprefixed element is in the default one.
bool document_reader::resolve_name(std::string_view qname, bool attribute, xml_name& name) const {
    const auto [prefix, local] = split_qname(qname);
    name.qname = qname;
    name.prefix = prefix;
    name.local = local;
    name.ns = {};
    if (attribute && prefix.empty())
        return true;
    return resolve(prefix, name.ns);
}

// STag / EmptyElemTag (§3.1) with its name space declarations; `pos_` is
// at the '<'.
bool document_reader::read_start_tag() {
    ++pos_;
    std::string_view qname;
    if (!read_qname(qname))
        return false;
    raw_attributes_.clear();
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
        raw_attribute a;
        if (!space || !read_qname(a.qname))
            return false;
        if (!read_value(a.value))
            return false;
        for (const raw_attribute& other : raw_attributes_)
            if (other.qname == a.qname)
                return false; // §3.1 Unique Att Spec
        raw_attributes_.push_back(std::move(a));
    }

    const std::size_t depth = open_.size() + 1;
    if (depth > limits_.max_depth)
        return fail(xml_error::too_deep);
    // Declarations first: they apply to the tag that carries them.
    for (raw_attribute& a : raw_attributes_) {
        if (a.qname == "xmlns") {
            bindings_.push_back({{}, std::move(a.value), depth});
        } else if (a.qname.substr(0, 6) == "xmlns:") {
            const std::string_view prefix = a.qname.substr(6);
            // Namespaces in XML 1.0 §3: `xmlns` is never declared, `xml`
            // only to its own name space, and no prefix to "".
            if (prefix == "xmlns" || (prefix == "xml") != (a.value == xml_prefix_namespace) || a.value.empty())
                return fail(xml_error::bad_namespace);
            bindings_.push_back({prefix, std::move(a.value), depth});
        }
    }
    attributes_.clear();
    for (const raw_attribute& a : raw_attributes_) {
        if (a.qname == "xmlns" || a.qname.substr(0, 6) == "xmlns:")
            continue;
        xml_attribute attr{{}, a.value};
        if (!resolve_name(a.qname, true, attr.name))
            return fail(xml_error::bad_namespace); // an undeclared prefix
        attributes_.push_back(attr);
    }

    xml_element element{{}, depth, attributes_};
    if (!resolve_name(qname, false, element.name))
        return fail(xml_error::bad_namespace);
    if (!visitor_.start_element(element))
        return fail(xml_error::rejected);
    open_.push_back(qname);
    return empty ? close_element() : true;
}

// ETag ::= '</' Name S? '>' (§3.1), naming the element it closes.
bool document_reader::read_end_tag() {
    pos_ += 2;
    std::string_view qname;
    if (!read_name(qname))
        return false;
    skip_space();
    if (at_end() || s_[pos_] != '>' || qname != open_.back())
        return false;
    ++pos_;
    return close_element();
}

bool document_reader::close_element() {
    xml_element element{{}, open_.size(), {}};
    // The name resolved when the element opened; its bindings are still in scope.
    resolve_name(open_.back(), false, element.name);
    if (!visitor_.end_element(element))
        return fail(xml_error::rejected);
    while (!bindings_.empty() && bindings_.back().depth == open_.size())
        bindings_.pop_back();
    open_.pop_back();
    return true;
}

bool document_reader::deliver_text(std::string_view raw, bool cdata) {
    const xml_text text{text_, trim_xml_space(raw).empty(), cdata, open_.size()};
    if (!visitor_.text(text))
        return fail(xml_error::rejected);
    return true;
}

// Character data up to the next '<', checked and decoded.
bool document_reader::read_text() {
    const std::size_t lt = s_.find('<', pos_);
    if (lt == std::string_view::npos)
        return false; // the root is still open
    const std::string_view raw = s_.substr(pos_, lt - pos_);
    pos_ = lt;
    text_.clear();
    if (!decode_chars(raw, false, text_))
        return false;
    return deliver_text(raw, false);
}

// CDSect ::= '<![CDATA[' CData ']]>' (§2.7).
bool document_reader::read_cdata() {
    pos_ += 9;
    const std::size_t end = s_.find("]]>", pos_);
    if (end == std::string_view::npos)
        return false;
    const std::string_view raw = s_.substr(pos_, end - pos_);
    pos_ = end + 3;
    text_.clear();
    decode_cdata(raw, text_);
    return deliver_text(raw, true);
}

xml_error document_reader::read() {
    if (s_.size() > limits_.max_bytes)
        return xml_error::too_large;
    // A UTF-8 byte order mark may precede the document (XML 1.0 §4.3.3).
    if (starts("\xEF\xBB\xBF"))
        pos_ = 3;
    if (!has_only_xml_chars(s_.substr(pos_)))
        return xml_error::bad_char;
    if (starts("<?xml") && pos_ + 5 < s_.size() && is_xml_space(s_[pos_ + 5]) && !read_xml_declaration())
        return error_;
    // No DOCTYPE: without a DTD there are no entities to expand, so no
    // entity bombs.
    if (!skip_misc() || starts("<!") || !starts("<") || !read_start_tag())
        return error_;
    while (!open_.empty()) {
        if (at_end())
            return error_;
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
            return error_;
    }
    if (!skip_misc() || !at_end())
        return error_;
    return xml_error::none;
}

} // namespace

xml_error read_xml(std::string_view doc, xml_visitor& visitor, const xml_limits& limits) {
    return document_reader(doc, visitor, limits).read();
}

} // namespace msrp::detail
