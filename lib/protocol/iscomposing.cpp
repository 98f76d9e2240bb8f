#include <msrp/protocol/cpim.hpp>
#include <msrp/protocol/error.hpp>
#include <msrp/protocol/iscomposing.hpp>

#include "../detail/ascii.hpp"
#include "../detail/text_checks.hpp"
#include "xml_reader.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace msrp {

namespace {

using detail::trim_xml_space;
using detail::xml_element;
using detail::xml_text;

// The children RFC 3994 §6.1 defines.
enum field : std::size_t { f_state, f_lastactive, f_contenttype, f_refresh, field_count };
constexpr std::array<std::string_view, field_count> field_names = {"state", "lastactive", "contenttype", "refresh"};

// The RFC 3994 vocabulary over the XML reader: the root is `isComposing`
// in `iscomposing_namespace`; its known children (depth 2) hold text only
// and are kept; other elements are skipped with all they contain; the
// root itself allows only white space between its children (§6.1 has no
// mixed content).
class iscomposing_visitor final : public detail::xml_visitor {
public:
    bool start_element(const xml_element& e) override {
        if (e.depth == 1)
            return e.name.local == "isComposing" && e.name.ns == iscomposing_namespace;
        if (open_field_ != field_count)
            return false; // the RFC 3994 §6.1 fields hold text only
        if (e.depth == 2 && e.name.ns == iscomposing_namespace) {
            for (std::size_t f = 0; f < field_count; ++f) {
                if (e.name.local == field_names[f]) {
                    if (fields_[f])
                        return false; // each at most once (§6.1 schema)
                    open_field_ = static_cast<field>(f);
                    field_text_.clear();
                }
            }
        }
        return true;
    }

    bool end_element(const xml_element& e) override {
        if (e.depth == 2 && open_field_ != field_count) {
            fields_[open_field_] = std::move(field_text_);
            open_field_ = field_count;
        }
        return true;
    }

    bool text(const xml_text& t) override {
        if (t.depth == 1)
            return t.blank;
        if (open_field_ != field_count)
            field_text_ += t.text;
        return true;
    }

    bool finish(IsComposing& out) const;

private:
    field open_field_ = field_count; // the field open at depth 2, if any
    std::string field_text_;
    std::array<std::optional<std::string>, field_count> fields_;
};

// The values of RFC 3994 §6.1, with the surrounding white space that
// `xs:string` content may carry around them removed.
bool iscomposing_visitor::finish(IsComposing& out) const {
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
        CPIMDateTime parsed;
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
            if (n == 0 || n == std::string_view::npos || (n == 3 && detail::is_xml_noncharacter(text, i))) {
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
    iscomposing_visitor visitor;
    if (detail::read_xml(xml, visitor, {limits.max_bytes, limits.max_depth}) != detail::xml_error::none ||
        !visitor.finish(out))
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
