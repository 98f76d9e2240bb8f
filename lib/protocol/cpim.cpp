#include <msrp/protocol/cpim.hpp>
#include <msrp/protocol/error.hpp>

#include "../detail/ascii.hpp"
#include "../detail/text_checks.hpp"

#include <cstdio>
#include <utility>

namespace msrp {

namespace {

using detail::iequals;
using detail::is_alnum;
using detail::is_digit;
using detail::trim_ows;

// NAMECHAR of RFC 3862 §3.6: ALPHA / DIGIT / "!" / "#$%&'" / "*+" / "-" / "^_`" / "|" / "~".
constexpr bool is_name_char(unsigned char c) noexcept {
    return is_alnum(c) || c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D ||
           (c >= 0x5E && c <= 0x60) || c == 0x7C || c == 0x7E;
}
// TOKENCHAR = NAMECHAR / "."
constexpr bool is_cpim_token_char(unsigned char c) noexcept { return is_name_char(c) || c == '.'; }

bool is_name(std::string_view s) noexcept {
    if (s.empty())
        return false;
    for (unsigned char c : s)
        if (!is_name_char(c))
            return false;
    return true;
}

// Header-name = [ Name-prefix "." ] Name
bool is_header_name(std::string_view s) noexcept {
    const auto dot = s.find('.');
    if (dot == std::string_view::npos)
        return is_name(s);
    return is_name(s.substr(0, dot)) && is_name(s.substr(dot + 1));
}

// RFC 5322 §3.6.8 field-name = 1*ftext (printable ASCII but ':').
bool is_mime_field_name(std::string_view s) noexcept {
    if (s.empty())
        return false;
    for (unsigned char c : s)
        if (c < 33 || c > 126 || c == ':')
            return false;
    return true;
}

bool parse_hex4(std::string_view s, std::size_t at, std::uint32_t& out) noexcept {
    if (at + 4 > s.size())
        return false;
    std::uint32_t v = 0;
    for (std::size_t i = at; i < at + 4; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (!detail::is_hex(c))
            return false;
        v = v * 16 + (is_digit(c) ? c - '0' : detail::to_lower(c) - 'a' + 10);
    }
    out = v;
    return true;
}

// String = DQUOTE *( Str-char / Escape ) DQUOTE, starting at s[0] == '"'.
// Escape = "\" ( "u" 4HEXCHAR / "b" / "t" / "n" / "r" / DQUOTE / "'" / "\" )
// (RFC 3862 §3.6). Decodes into `out` (when given); `end` is the offset
// after the closing quote.
bool parse_quoted(std::string_view s, std::string* out, std::size_t& end) {
    std::size_t i = 1;
    while (i < s.size()) {
        const char c = s[i];
        if (c == '"') {
            end = i + 1;
            return true;
        }
        if (c != '\\') {
            if (out)
                *out += c;
            ++i;
            continue;
        }
        if (i + 1 >= s.size())
            return false;
        const char e = s[i + 1];
        char plain = 0;
        switch (e) {
        case 'b': plain = '\b'; break;
        case 't': plain = '\t'; break;
        case 'n': plain = '\n'; break;
        case 'r': plain = '\r'; break;
        case '"': plain = '"'; break;
        case '\'': plain = '\''; break;
        case '\\': plain = '\\'; break;
        case 'u': {
            std::uint32_t cp = 0;
            if (!parse_hex4(s, i + 2, cp))
                return false;
            i += 6;
            // A code point beyond the BMP arrives as a UTF-16 surrogate pair
            // of two escapes; a lone surrogate has no UTF-8 form.
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                std::uint32_t low = 0;
                if (i + 1 >= s.size() || s[i] != '\\' || s[i + 1] != 'u' || !parse_hex4(s, i + 2, low) ||
                    low < 0xDC00 || low > 0xDFFF)
                    return false;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                i += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return false;
            }
            if (out)
                detail::append_utf8(*out, cp);
            continue;
        }
        default: return false;
        }
        if (out)
            *out += plain;
        i += 2;
    }
    return false;
}

// URI between '<' and '>': non-empty, no whitespace or angle brackets.
bool is_angle_uri(std::string_view s) noexcept {
    if (s.empty())
        return false;
    for (unsigned char c : s)
        if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == 0x7F)
            return false;
    return true;
}

// `"<" URI ">"` followed by nothing but whitespace.
errc parse_angle_uri(std::string_view v, std::string& uri) {
    if (v.empty() || v.front() != '<')
        return errc::bad_cpim_address;
    const auto close = v.find('>');
    if (close == std::string_view::npos || !trim_ows(v.substr(close + 1)).empty() ||
        !is_angle_uri(v.substr(1, close - 1)))
        return errc::bad_cpim_address;
    uri.assign(v.substr(1, close - 1));
    return errc{};
}

// From-header / To-header / cc-header value: [ Formal-name ] "<" URI ">",
// Formal-name = 1*( Token SP ) / String.
errc parse_address(std::string_view v, CPIMAddress& out) {
    v = trim_ows(v);
    std::string name;
    if (!v.empty() && v.front() == '"') {
        std::size_t end = 0;
        if (!parse_quoted(v, &name, end))
            return errc::bad_cpim_quoted_string;
        v = trim_ows(v.substr(end));
    } else {
        // Deployed peers put any text (UTF-8, punctuation) before '<'
        // unquoted; take it as written.
        const auto lt = v.find('<');
        if (lt == std::string_view::npos)
            return errc::bad_cpim_address;
        const auto raw = trim_ows(v.substr(0, lt));
        if (raw.find('"') != std::string_view::npos || raw.find('>') != std::string_view::npos)
            return errc::bad_cpim_address;
        name.assign(raw);
        v = v.substr(lt);
    }
    std::string uri;
    if (const auto e = parse_angle_uri(v, uri); e != errc{})
        return e;
    out.display_name = std::move(name);
    out.uri = std::move(uri);
    return errc{};
}

// NS-header value: [ Name-prefix SP ] "<" URI ">".
errc parse_namespace(std::string_view v, CPIMNamespace& out) {
    v = trim_ows(v);
    const auto lt = v.find('<');
    if (lt == std::string_view::npos)
        return errc::bad_cpim_address;
    const auto prefix = trim_ows(v.substr(0, lt));
    if (!prefix.empty() && !is_name(prefix))
        return errc::bad_cpim_address;
    std::string uri;
    if (const auto e = parse_angle_uri(v.substr(lt), uri); e != errc{})
        return e;
    out.prefix.assign(prefix);
    out.uri = std::move(uri);
    return errc{};
}

// Require-header value: Header-name *( "," Header-name ).
errc parse_require(std::string_view v, std::vector<std::string>& out) {
    while (true) {
        const auto comma = v.find(',');
        const auto name = trim_ows(v.substr(0, comma));
        if (!is_header_name(name))
            return errc::bad_cpim_header;
        out.emplace_back(name);
        if (comma == std::string_view::npos)
            return errc{};
        v.remove_prefix(comma + 1);
    }
}

// Parameter = Lang-param / Ext-param; Ext-param = Param-name "=" Param-value;
// Param-value = Token / Number / String. Reads one parameter at the start
// of `s` (after its ';'); `len` is its length.
errc scan_param(std::string_view s, std::size_t& len) {
    std::size_t i = 0;
    while (i < s.size() && is_name_char(static_cast<unsigned char>(s[i])))
        ++i;
    if (i == 0 || i >= s.size() || s[i] != '=')
        return errc::bad_cpim_header;
    ++i;
    if (i < s.size() && s[i] == '"') {
        std::size_t end = 0;
        if (!parse_quoted(s.substr(i), nullptr, end))
            return errc::bad_cpim_quoted_string;
        i += end;
    } else {
        const std::size_t start = i;
        while (i < s.size() && is_cpim_token_char(static_cast<unsigned char>(s[i])))
            ++i;
        if (i == start)
            return errc::bad_cpim_header;
    }
    len = i;
    return errc{};
}

bool is_display_token_form(std::string_view s) noexcept {
    // 1*( Token SP ) before '<': tokens separated by single spaces.
    if (s.empty() || s.front() == ' ' || s.back() == ' ')
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == ' ') {
            if (s[i - 1] == ' ')
                return false;
        } else if (!is_cpim_token_char(c)) {
            return false;
        }
    }
    return true;
}

void append_quoted(std::string& out, std::string_view s) {
    out += '"';
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (ch) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        default:
            if (c < 0x20 || c == 0x7F) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04X", c);
                out += buf;
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

// Header text from the application: a control character would end or
// corrupt the line, so it becomes a space.
void append_text(std::string& out, std::string_view s) {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        out += (c < 0x20 && c != '\t') || c == 0x7F ? ' ' : ch;
    }
}

void append_address(std::string& out, std::string_view name, const CPIMAddress& a) {
    out += name;
    out += ": ";
    if (!a.display_name.empty()) {
        if (is_display_token_form(a.display_name))
            out += a.display_name;
        else
            append_quoted(out, a.display_name);
        out += ' ';
    }
    out += '<';
    append_text(out, a.uri);
    out += ">\r\n";
}

class cpim_reader {
public:
    cpim_reader(std::string_view text, const cpim_limits& limits) : text_(text), limits_(limits) {}

    errc run(CPIMMessage& m) {
        bool in_content = false;
        while (true) {
            const auto nl = text_.find('\n', pos_);
            if (nl == std::string_view::npos)
                return text_.size() - pos_ > limits_.max_header_line_bytes ? errc::cpim_header_too_long
                                                                           : errc::missing_cpim_separator;
            auto line = text_.substr(pos_, nl - pos_);
            // CRLF per RFC 3862; LF alone from peers that write it.
            if (!line.empty() && line.back() == '\r')
                line.remove_suffix(1);
            if (line.size() > limits_.max_header_line_bytes)
                return errc::cpim_header_too_long;
            pos_ = nl + 1;
            if (line.empty()) {
                if (in_content) {
                    m.body.assign(text_.substr(pos_));
                    return errc{};
                }
                in_content = true;
                continue;
            }
            if (detail::check_utf8text(line) != errc{})
                return errc::bad_cpim_header;
            // RFC 5322 §2.2.3 folding, for the MIME headers only.
            if (in_content && (line.front() == ' ' || line.front() == '\t')) {
                if (m.content_headers.empty())
                    return errc::bad_cpim_header;
                auto& header = m.content_headers.back();
                // The unfolded line is what format_cpim writes: bound it.
                if (header.name.size() + 2 + header.value.size() + line.size() > limits_.max_header_line_bytes)
                    return errc::cpim_header_too_long;
                header.value += line;
                header.value = std::string(trim_ows(header.value));
                continue;
            }
            if (++count_ > limits_.max_header_count)
                return errc::cpim_too_many_headers;
            const auto colon = line.find(':');
            if (colon == std::string_view::npos)
                return errc::bad_cpim_header;
            const auto name = line.substr(0, colon);
            // RFC 4975 §11.4 (and peers copying it) omit the empty line
            // before the content headers; no CPIM header is named Content-*.
            if (!in_content && name.size() > 8 && iequals(name.substr(0, 8), "Content-"))
                in_content = true;
            if (in_content) {
                if (!is_mime_field_name(name))
                    return errc::bad_cpim_header;
                m.content_headers.push_back({std::string(name), std::string(trim_ows(line.substr(colon + 1)))});
                continue;
            }
            if (const auto e = message_header(m, name, line.substr(colon + 1)); e != errc{})
                return e;
        }
    }

private:
    // Header = Header-name ":" *( ";" Parameter ) SP Header-value (RFC 3862 §3.6).
    errc message_header(CPIMMessage& m, std::string_view name, std::string_view rest) {
        if (!is_header_name(name))
            return errc::bad_cpim_header;
        std::vector<std::string_view> params;
        while (!rest.empty() && rest.front() == ';') {
            rest.remove_prefix(1);
            std::size_t len = 0;
            if (const auto e = scan_param(rest, len); e != errc{})
                return e;
            params.push_back(rest.substr(0, len));
            rest.remove_prefix(len);
        }
        // The grammar wants one SP; more whitespace, or none before an
        // empty value, is harmless.
        if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t')
            return errc::bad_cpim_header;
        const auto value = trim_ows(rest);

        if (iequals(name, "Subject")) {
            CPIMSubject s;
            for (auto p : params) {
                // Subject-header = "Subject" ":" [ ";" Lang-param ] SP *HEADERCHAR
                if (!s.lang.empty() || p.size() <= 5 || !iequals(p.substr(0, 5), "lang="))
                    return errc::bad_cpim_header;
                const auto tag = p.substr(5);
                for (unsigned char c : tag)
                    if (!is_alnum(c) && c != '-')
                        return errc::bad_cpim_header;
                s.lang.assign(tag);
            }
            s.text.assign(value);
            m.subjects.push_back(std::move(s));
            return errc{};
        }
        const bool from = iequals(name, "From"), to = iequals(name, "To"), cc = iequals(name, "cc");
        const bool datetime = iequals(name, "DateTime"), ns = iequals(name, "NS");
        const bool require = iequals(name, "Require");
        if (from || to || cc || datetime || ns || require) {
            if (!params.empty())
                return errc::bad_cpim_header;
        } else {
            CPIMHeader h;
            h.name.assign(name);
            for (auto p : params)
                h.params.emplace_back(p);
            h.value.assign(value);
            m.headers.push_back(std::move(h));
            return errc{};
        }
        if (from || to || cc) {
            if (from && m.from)
                return errc::duplicate_cpim_header;
            CPIMAddress a;
            if (const auto e = parse_address(value, a); e != errc{})
                return e;
            if (from)
                m.from = std::move(a);
            else
                (to ? m.to : m.cc).push_back(std::move(a));
            return errc{};
        }
        if (datetime) {
            if (m.datetime)
                return errc::duplicate_cpim_header;
            CPIMDateTime dt;
            if (parse_cpim_datetime(value, dt))
                return errc::bad_cpim_datetime;
            m.datetime = std::move(dt);
            return errc{};
        }
        if (ns) {
            CPIMNamespace n;
            if (const auto e = parse_namespace(value, n); e != errc{})
                return e;
            m.namespaces.push_back(std::move(n));
            return errc{};
        }
        return parse_require(value, m.require);
    }

    std::string_view text_;
    const cpim_limits& limits_;
    std::size_t pos_ = 0;
    std::size_t count_ = 0;
};

} // namespace

std::string_view CPIMHeader::prefix() const noexcept {
    const auto dot = name.find('.');
    return dot == std::string::npos ? std::string_view{} : std::string_view(name).substr(0, dot);
}

std::string_view CPIMHeader::local_name() const noexcept {
    const auto dot = name.find('.');
    return dot == std::string::npos ? std::string_view(name) : std::string_view(name).substr(dot + 1);
}

std::string_view CPIMMessage::content_type() const noexcept {
    for (const auto& h : content_headers)
        if (iequals(h.name, "Content-Type"))
            return h.value;
    return {};
}

std::string_view CPIMMessage::namespace_uri(std::string_view prefix) const noexcept {
    std::string_view uri;
    for (const auto& n : namespaces)
        if (n.prefix == prefix)
            uri = n.uri;
    return uri;
}

std::error_code parse_cpim(std::string_view text, CPIMMessage& out, const cpim_limits& limits) {
    CPIMMessage m;
    cpim_reader reader(text, limits);
    if (const auto e = reader.run(m); e != errc{})
        return e;
    out = std::move(m);
    return {};
}

std::string format_cpim(const CPIMMessage& m) {
    std::string out;
    if (m.from)
        append_address(out, "From", *m.from);
    for (const auto& a : m.to)
        append_address(out, "To", a);
    for (const auto& a : m.cc)
        append_address(out, "cc", a);
    if (m.datetime) {
        out += "DateTime: ";
        append_text(out, m.datetime->text);
        out += "\r\n";
    }
    for (const auto& s : m.subjects) {
        out += "Subject:";
        if (!s.lang.empty()) {
            out += ";lang=";
            append_text(out, s.lang);
        }
        out += ' ';
        append_text(out, s.text);
        out += "\r\n";
    }
    for (const auto& n : m.namespaces) {
        out += "NS: ";
        if (!n.prefix.empty()) {
            append_text(out, n.prefix);
            out += ' ';
        }
        out += '<';
        append_text(out, n.uri);
        out += ">\r\n";
    }
    if (!m.require.empty()) {
        out += "Require: ";
        for (std::size_t i = 0; i < m.require.size(); ++i) {
            if (i)
                out += ',';
            append_text(out, m.require[i]);
        }
        out += "\r\n";
    }
    for (const auto& h : m.headers) {
        append_text(out, h.name);
        out += ':';
        for (const auto& p : h.params) {
            out += ';';
            append_text(out, p);
        }
        out += ' ';
        append_text(out, h.value);
        out += "\r\n";
    }
    out += "\r\n";
    for (const auto& h : m.content_headers) {
        append_text(out, h.name);
        out += ": ";
        append_text(out, h.value);
        out += "\r\n";
    }
    out += "\r\n";
    out += m.body;
    return out;
}

CPIMMessage make_cpim_message(CPIMAddress from, CPIMAddress to, CPIMDateTime datetime, std::string content_type,
                              std::string body) {
    CPIMMessage m;
    m.from = std::move(from);
    m.to.push_back(std::move(to));
    m.datetime = std::move(datetime);
    if (!content_type.empty())
        m.content_headers.push_back({"Content-Type", std::move(content_type)});
    m.body = std::move(body);
    return m;
}

} // namespace msrp
