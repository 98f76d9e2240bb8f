#include <msrp/protocol/sdp_media.hpp>

#include <msrp/protocol/accept_types.hpp>
#include <msrp/protocol/error.hpp>

#include "../detail/ascii.hpp"
#include "../detail/text_checks.hpp"

#include <utility>

namespace msrp {

namespace {

using detail::iequals;
using detail::is_token;

constexpr std::string_view crlf = "\r\n";

// Fields separated by runs of SP (RFC 4566 wants one; more is harmless).
std::vector<std::string_view> split_fields(std::string_view s) {
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ')
            ++i;
        const std::size_t start = i;
        while (i < s.size() && s[i] != ' ')
            ++i;
        if (i > start)
            fields.push_back(s.substr(start, i - start));
    }
    return fields;
}

// proto = token *("/" token) (RFC 4566 §9); RFC 4975 §8.1 registers the two.
bool is_msrp_proto(std::string_view s) noexcept { return iequals(s, "TCP/MSRP") || iequals(s, "TCP/TLS/MSRP"); }

// RFC 4566 §9: connection-field = "c=" nettype SP addrtype SP connection-address.
errc parse_connection(std::string_view v, SDPConnection& out) {
    const auto f = split_fields(v);
    if (f.size() != 3 || !is_token(f[0]) || !is_token(f[1]))
        return errc::bad_sdp_line;
    out.net_type.assign(f[0]);
    out.addr_type.assign(f[1]);
    out.address.assign(f[2]);
    return errc{};
}

// RFC 4572 §5 (RFC 8122 §5): fingerprint-attribute = "fingerprint" ":"
// hash-func SP fingerprint; fingerprint = 2UHEX *(":" 2UHEX). Lower-case
// hex is accepted too: deployed stacks write it and the value compares
// case-insensitively.
bool is_fingerprint(std::string_view v) noexcept {
    const auto sp = v.find(' ');
    if (sp == std::string_view::npos || !is_token(v.substr(0, sp)))
        return false;
    const auto fp = v.substr(sp + 1);
    if (fp.size() < 2 || (fp.size() + 1) % 3 != 0)
        return false;
    for (std::size_t i = 0; i < fp.size(); ++i) {
        const auto c = static_cast<unsigned char>(fp[i]);
        if (i % 3 == 2 ? c != ':' : !detail::is_hex(c))
            return false;
    }
    return true;
}

// RFC 4975 §9: format-list = format-entry *( SP format-entry ), an entry
// being "*" or a media type (type/subtype, type/*). Parameters, which
// deployed peers sometimes append, are allowed when well formed.
errc parse_type_list(std::string_view value, std::vector<std::string>& out) {
    auto entries = parse_accept_types(value);
    if (entries.empty())
        return errc::bad_sdp_attribute;
    for (const auto& e : entries)
        if (e != "*" && !detail::is_valid_content_type(e))
            return errc::bad_sdp_attribute;
    out = std::move(entries);
    return errc{};
}

bool is_direction(std::string_view name) noexcept {
    return name == "sendrecv" || name == "sendonly" || name == "recvonly" || name == "inactive";
}

// Reads the input line by line, enforcing the limits and RFC 4566 §5's
// `<type>=<value>` shape on every line.
class line_reader {
public:
    line_reader(std::string_view text, const sdp_limits& limits) : text_(text), limits_(limits) {}

    // The next non-empty line without its line end. `line` stays empty at
    // the end of the input.
    errc next(std::string_view& line) {
        line = {};
        while (pos_ < text_.size()) {
            const auto nl = text_.find('\n', pos_);
            const auto end = nl == std::string_view::npos ? text_.size() : nl;
            auto l = text_.substr(pos_, end - pos_);
            pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
            // CRLF per RFC 4566 §5; LF alone from peers that write it.
            if (!l.empty() && l.back() == '\r')
                l.remove_suffix(1);
            // Some peers end the body with an extra CRLF.
            if (l.empty())
                continue;
            if (++lines_ > limits_.max_lines || l.size() > limits_.max_line_bytes)
                return errc::sdp_too_large;
            // RFC 4566 §5: one case-significant letter; all types are lower case.
            if (l.size() < 2 || l[0] < 'a' || l[0] > 'z' || l[1] != '=')
                return errc::bad_sdp_line;
            if (detail::check_utf8text(l) != errc{})
                return errc::bad_sdp_line;
            line = l;
            return errc{};
        }
        return errc{};
    }

private:
    std::string_view text_;
    const sdp_limits& limits_;
    std::size_t pos_ = 0;
    std::size_t lines_ = 0;
};

// One m=message section being read.
class media_builder {
public:
    explicit media_builder(const sdp_limits& limits) : limits_(limits) {}

    // m=<media> <port> <proto> <fmt> ... (RFC 4566 §5.14, RFC 4975 §8.1).
    errc start(std::string_view value) {
        const auto f = split_fields(value);
        if (f.size() < 4 || !iequals(f[0], "message") || !is_msrp_proto(f[2]))
            return errc::bad_sdp_media;
        std::uint64_t port = 0;
        if (f[1].size() > 5 || !detail::parse_u64(f[1], port) || port > 65535)
            return errc::bad_sdp_media;
        m_.media.assign(f[0]);
        m_.port = static_cast<std::uint16_t>(port);
        m_.transport.assign(f[2]);
        m_.formats.clear();
        for (std::size_t i = 3; i < f.size(); ++i) {
            if (!is_token(f[i]))
                return errc::bad_sdp_media;
            m_.formats.emplace_back(f[i]);
        }
        return errc{};
    }

    // A line after the m= line; an m= line is the caller's business.
    errc add(std::string_view line) {
        const auto value = line.substr(2);
        switch (line[0]) {
        case 'a': return attribute(value);
        case 'c':
            // One c= per MSRP section: multicast layering (RFC 4566 §5.7) has no MSRP use.
            if (m_.connection_data)
                return errc::bad_sdp_line;
            m_.connection_data.emplace();
            return parse_connection(value, *m_.connection_data);
        case 'i': info_lines_.emplace_back(line); return errc{};
        case 'b':
        case 'k': other_lines_.emplace_back(line); return errc{};
        default: return errc::bad_sdp_line;
        }
    }

    errc finish(SDPMedia& out) {
        // RFC 4975 §8.2: a=path is mandatory; a port of 0 declines the
        // stream (RFC 3264 §6) or only states capabilities (RFC 5547 §9.3).
        if (!has_path_ && m_.port != 0)
            return errc::missing_sdp_path;
        // i= before b=/k= is RFC 4566's order and what format_sdp_media
        // writes, so the stored order is canonical.
        info_lines_.insert(info_lines_.end(), std::make_move_iterator(other_lines_.begin()),
                           std::make_move_iterator(other_lines_.end()));
        m_.other_lines = std::move(info_lines_);
        out = std::move(m_);
        return errc{};
    }

private:
    // a=<attribute>[:<value>] (RFC 4566 §5.13).
    errc attribute(std::string_view v) {
        if (++attributes_ > limits_.max_attributes_per_media)
            return errc::sdp_too_large;
        const auto colon = v.find(':');
        const auto name = v.substr(0, colon);
        if (!is_token(name))
            return errc::bad_sdp_line;
        const bool has_value = colon != std::string_view::npos;
        const auto value = has_value ? v.substr(colon + 1) : std::string_view{};
        constexpr auto bad = errc::bad_sdp_attribute;

        if (name == "path") {
            // RFC 4975 §9: path-attribute = "path:" msrp-uri *(SP msrp-uri).
            if (has_path_ || !has_value || parse_path(value, m_.path))
                return bad;
            has_path_ = true;
        } else if (name == "accept-types") {
            if (has_accept_types_ || !has_value || parse_type_list(value, m_.accept_types) != errc{})
                return bad;
            has_accept_types_ = true;
        } else if (name == "accept-wrapped-types") {
            if (has_wrapped_types_ || !has_value || parse_type_list(value, m_.accept_wrapped_types) != errc{})
                return bad;
            has_wrapped_types_ = true;
        } else if (name == "max-size") {
            // RFC 4975 §9: max-size-attribute = "max-size:" max-size-value; 1*DIGIT.
            std::uint64_t size = 0;
            if (m_.max_size || !has_value || !detail::parse_u64(value, size))
                return bad;
            m_.max_size = size;
        } else if (name == "setup") {
            // RFC 4145 §4, which RFC 6135 applies to MSRP.
            if (!m_.setup.empty() ||
                !(value == "active" || value == "passive" || value == "actpass" || value == "holdconn"))
                return bad;
            m_.setup.assign(value);
        } else if (name == "connection") {
            // RFC 4145 §5: conn-value = "new" / "existing".
            if (!m_.connection.empty() || !(value == "new" || value == "existing"))
                return bad;
            m_.connection.assign(value);
        } else if (name == "msrp-cema") {
            // RFC 6714 §5.2: msrp-cema-attr = "msrp-cema" (no value).
            if (m_.msrp_cema || has_value)
                return bad;
            m_.msrp_cema = true;
        } else if (name == "fingerprint") {
            if (!has_value || !is_fingerprint(value))
                return bad;
            if (m_.fingerprint.empty())
                m_.fingerprint.assign(value);
            else
                m_.attributes.push_back({std::string(name), std::string(value), true});
        } else if (is_direction(name)) {
            // RFC 4566 §6: value-less property attributes; one direction per section.
            if (!m_.direction.empty() || has_value)
                return bad;
            m_.direction.assign(name);
        } else {
            m_.attributes.push_back({std::string(name), std::string(value), has_value});
        }
        return errc{};
    }

    const sdp_limits& limits_;
    SDPMedia m_;
    std::vector<std::string> info_lines_, other_lines_;
    std::size_t attributes_ = 0;
    bool has_path_ = false, has_accept_types_ = false, has_wrapped_types_ = false;
};

// Text from the application: a control character would end or corrupt the
// line, so it becomes a space.
void append_text(std::string& out, std::string_view s) {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        out += (c < 0x20 && c != '\t') || c == 0x7F ? ' ' : ch;
    }
}

void append_line(std::string& out, std::string_view line) {
    append_text(out, line);
    out += crlf;
}

void append_connection(std::string& out, const SDPConnection& c) {
    out += "c=";
    append_text(out, c.net_type);
    out += ' ';
    append_text(out, c.addr_type);
    out += ' ';
    append_text(out, c.address);
    out += crlf;
}

void append_attribute(std::string& out, std::string_view name, std::string_view value) {
    out += "a=";
    out += name;
    out += ':';
    append_text(out, value);
    out += crlf;
}

void append_type_list(std::string& out, std::string_view name, const std::vector<std::string>& types) {
    if (types.empty())
        return;
    out += "a=";
    out += name;
    out += ':';
    for (std::size_t i = 0; i < types.size(); ++i) {
        if (i)
            out += ' ';
        append_text(out, types[i]);
    }
    out += crlf;
}

void append_media(std::string& out, const SDPMedia& m) {
    out += "m=";
    append_text(out, m.media);
    out += ' ';
    out += std::to_string(m.port);
    out += ' ';
    append_text(out, m.transport);
    if (m.formats.empty())
        out += " *";
    for (const auto& f : m.formats) {
        out += ' ';
        append_text(out, f);
    }
    out += crlf;
    // RFC 4566 §5 order within a media section: i=, c=, b=, k=, a=.
    for (const auto& l : m.other_lines)
        if (!l.empty() && l[0] == 'i')
            append_line(out, l);
    if (m.connection_data)
        append_connection(out, *m.connection_data);
    for (const auto& l : m.other_lines)
        if (l.empty() || l[0] != 'i')
            append_line(out, l);
    append_type_list(out, "accept-types", m.accept_types);
    append_type_list(out, "accept-wrapped-types", m.accept_wrapped_types);
    if (m.max_size)
        append_attribute(out, "max-size", std::to_string(*m.max_size));
    if (!m.path.empty()) {
        std::string path;
        append_path(path, m.path);
        append_attribute(out, "path", path);
    }
    if (!m.setup.empty())
        append_attribute(out, "setup", m.setup);
    if (!m.connection.empty())
        append_attribute(out, "connection", m.connection);
    if (!m.fingerprint.empty())
        append_attribute(out, "fingerprint", m.fingerprint);
    if (m.msrp_cema)
        out += "a=msrp-cema\r\n";
    if (!m.direction.empty()) {
        out += "a=";
        append_text(out, m.direction);
        out += crlf;
    }
    for (const auto& a : m.attributes) {
        out += "a=";
        append_text(out, a.name);
        if (a.has_value) {
            out += ':';
            append_text(out, a.value);
        }
        out += crlf;
    }
}

// The <media> field of an m= line, split as media_builder::start splits it.
std::string_view media_field(std::string_view m_value) noexcept {
    while (!m_value.empty() && m_value.front() == ' ')
        m_value.remove_prefix(1);
    return m_value.substr(0, m_value.find(' '));
}

// Reads a whole description: session lines, then media sections.
// One MSRP media section, from its m= line (in `line`) to the line after
// it (left in `line`: empty at the end, or the next m= line). With
// `one_section`, a further m= line is an error (parse_sdp splits a
// description into sections).
errc read_msrp_media(line_reader& reader, std::string_view& line, const sdp_limits& limits, bool one_section,
                     SDPMedia& out) {
    media_builder builder(limits);
    if (const auto e = builder.start(line.substr(2)); e != errc{})
        return e;
    while (true) {
        if (const auto e = reader.next(line); e != errc{})
            return e;
        if (line.empty())
            break;
        if (line[0] == 'm') {
            if (one_section)
                return errc::bad_sdp_line;
            break;
        }
        if (const auto e = builder.add(line); e != errc{})
            return e;
    }
    return builder.finish(out);
}

errc read_session(std::string_view text, SDPSession& s, const sdp_limits& limits) {
    line_reader reader(text, limits);
    std::string_view line;
    if (const auto e = reader.next(line); e != errc{})
        return e;
    // RFC 4566 §5: the session-level type letters.
    constexpr std::string_view session_types = "vosiuepcbtrzka";
    while (!line.empty() && line[0] != 'm') {
        if (session_types.find(line[0]) == std::string_view::npos)
            return errc::bad_sdp_line;
        if (line[0] == 'c') {
            if (s.connection_data)
                return errc::bad_sdp_line;
            s.connection_data.emplace();
            if (const auto e = parse_connection(line.substr(2), *s.connection_data); e != errc{})
                return e;
        } else {
            if (line.substr(0, 14) == "a=fingerprint:" || line == "a=fingerprint") {
                if (!is_fingerprint(line.size() > 14 ? line.substr(14) : std::string_view{}))
                    return errc::bad_sdp_attribute;
            }
            s.session_lines.emplace_back(line);
        }
        if (const auto e = reader.next(line); e != errc{})
            return e;
    }
    std::size_t index = 0;
    while (!line.empty()) {
        // `line` is an m= line here.
        if (iequals(media_field(line.substr(2)), "message")) {
            if (const auto e = read_msrp_media(reader, line, limits, false, s.media.emplace_back()); e != errc{})
                return e;
        } else {
            SDPOtherMedia other;
            other.index = index;
            other.lines.emplace_back(line);
            std::size_t attributes = 0;
            while (true) {
                if (const auto e = reader.next(line); e != errc{})
                    return e;
                if (line.empty() || line[0] == 'm')
                    break;
                // RFC 4566 §5: the media-level type letters.
                if (std::string_view("icbka").find(line[0]) == std::string_view::npos)
                    return errc::bad_sdp_line;
                if (line[0] == 'a' && ++attributes > limits.max_attributes_per_media)
                    return errc::sdp_too_large;
                other.lines.emplace_back(line);
            }
            s.other_media.push_back(std::move(other));
        }
        ++index;
    }
    return errc{};
}

} // namespace

bool SDPMedia::uses_tls() const noexcept { return iequals(transport, "TCP/TLS/MSRP"); }

const SDPConnection* SDPSession::connection_for(const SDPMedia& m) const noexcept {
    if (m.connection_data)
        return &*m.connection_data;
    return connection_data ? &*connection_data : nullptr;
}

std::string_view SDPSession::fingerprint_for(const SDPMedia& m) const noexcept {
    if (!m.fingerprint.empty())
        return m.fingerprint;
    constexpr std::string_view prefix = "a=fingerprint:";
    for (const auto& l : session_lines)
        if (std::string_view(l).substr(0, prefix.size()) == prefix)
            return std::string_view(l).substr(prefix.size());
    return {};
}

std::error_code parse_sdp_media(std::string_view section, SDPMedia& out, const sdp_limits& limits) {
    if (section.size() > limits.max_bytes)
        return errc::sdp_too_large;
    line_reader reader(section, limits);
    std::string_view line;
    if (const auto e = reader.next(line); e != errc{})
        return e;
    if (line.empty() || line[0] != 'm')
        return errc::bad_sdp_media;
    SDPMedia m;
    if (const auto e = read_msrp_media(reader, line, limits, true, m); e != errc{})
        return e;
    out = std::move(m);
    return {};
}

std::error_code parse_sdp(std::string_view description, SDPSession& out, const sdp_limits& limits) {
    if (description.size() > limits.max_bytes)
        return errc::sdp_too_large;
    SDPSession s;
    if (const auto e = read_session(description, s, limits); e != errc{})
        return e;
    out = std::move(s);
    return {};
}

std::string format_sdp_media(const SDPMedia& media) {
    std::string out;
    append_media(out, media);
    return out;
}

std::string format_sdp(const SDPSession& s) {
    std::string out;
    bool wrote_connection = !s.connection_data;
    for (const auto& l : s.session_lines) {
        // RFC 4566 §5: c= comes after v o s i u e p and before b t r z k a.
        if (!wrote_connection && !l.empty() && std::string_view("btrzka").find(l[0]) != std::string_view::npos) {
            append_connection(out, *s.connection_data);
            wrote_connection = true;
        }
        append_line(out, l);
    }
    if (!wrote_connection)
        append_connection(out, *s.connection_data);
    // Merge by position; indices out of order or out of range only move
    // sections, never drop them.
    std::size_t i = 0, j = 0;
    for (std::size_t position = 0; i < s.media.size() || j < s.other_media.size(); ++position) {
        if (j < s.other_media.size() && (s.other_media[j].index <= position || i == s.media.size())) {
            for (const auto& l : s.other_media[j].lines)
                append_line(out, l);
            ++j;
        } else {
            append_media(out, s.media[i++]);
        }
    }
    return out;
}

SDPMedia make_msrp_media(const Path& local_path, std::vector<std::string> accept_types,
                         std::vector<std::string> accept_wrapped_types) {
    SDPMedia m;
    m.path = local_path;
    m.accept_types = std::move(accept_types);
    m.accept_wrapped_types = std::move(accept_wrapped_types);
    if (!local_path.empty()) {
        const URI& first = local_path.front();
        m.port = first.effective_port();
        m.transport = first.use_tls ? "TCP/TLS/MSRP" : "TCP/MSRP";
        SDPConnection c;
        if (first.host.find(':') != std::string::npos)
            c.addr_type = "IP6";
        c.address = first.host;
        m.connection_data = std::move(c);
    }
    return m;
}

} // namespace msrp
