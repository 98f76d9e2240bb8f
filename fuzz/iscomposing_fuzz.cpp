// libFuzzer target: application/im-iscomposing+xml documents (RFC 3994).
//
// The whole input is one document. Whatever `parse_iscomposing` accepts
// must format to text that parses to an equal `IsComposing` and formats to
// the same text again (the format is canonical after one round); tighter
// limits may only turn success into `bad_iscomposing`, never into another
// value. Independently, the input used as a `<contenttype>` value must
// format to a well formed document: `format_iscomposing` escapes or
// replaces whatever XML cannot carry. A parsed document also drives
// `composing_receiver`.

#include <msrp/protocol/error.hpp>
#include <msrp/protocol/iscomposing.hpp>
#include <msrp/protocol/iscomposing_state.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

using time_point = std::chrono::steady_clock::time_point;

void check_receiver(const msrp::IsComposing& doc) {
    const time_point t0 = time_point{} + std::chrono::hours(1);
    msrp::composing_receiver receiver;
    const bool changed = receiver.received(doc, t0);
    FUZZ_CHECK(receiver.state() == doc.state);
    FUZZ_CHECK(changed == (doc.state == msrp::composing_state::active));
    if (doc.state == msrp::composing_state::idle) {
        FUZZ_CHECK(!receiver.next_deadline());
        return;
    }
    const auto lifetime = doc.refresh ? std::chrono::seconds(*doc.refresh) : std::chrono::seconds(120);
    FUZZ_CHECK(receiver.next_deadline() == t0 + lifetime);
    FUZZ_CHECK(receiver.content_type() == doc.content_type);
    FUZZ_CHECK(!receiver.tick(t0 + lifetime - std::chrono::seconds(1)));
    FUZZ_CHECK(receiver.tick(t0 + lifetime));
    FUZZ_CHECK(receiver.state() == msrp::composing_state::idle);
}

// Any text as a content type formats to a document that parses.
void check_format_is_well_formed(std::string_view text) {
    msrp::IsComposing doc;
    doc.state = msrp::composing_state::active;
    doc.content_type.assign(text);
    doc.refresh = 1;
    const std::string formatted = msrp::format_iscomposing(doc);
    msrp::iscomposing_limits roomy;
    roomy.max_bytes = formatted.size();
    msrp::IsComposing parsed;
    const std::error_code ec = msrp::parse_iscomposing(formatted, parsed, roomy);
    if (ec) {
        std::fprintf(stderr, "format_iscomposing gave unparsable text (%s):\n%s\n", ec.message().c_str(),
                     formatted.c_str());
        std::abort();
    }
    FUZZ_CHECK(parsed.state == doc.state);
    FUZZ_CHECK(parsed.refresh == doc.refresh);
    FUZZ_CHECK(parsed.content_type.size() <= 3 * text.size());
    if (text.find_first_not_of("abcdefghijklmnopqrstuvwxyz/+-.") == std::string_view::npos)
        FUZZ_CHECK(parsed.content_type == text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    msrp::IsComposing doc;
    const std::error_code ec = msrp::parse_iscomposing(text, doc);

    msrp::iscomposing_limits tight;
    tight.max_bytes = 300;
    tight.max_depth = 3;
    msrp::IsComposing limited;
    const std::error_code tight_ec = msrp::parse_iscomposing(text, limited, tight);
    if (!tight_ec) {
        FUZZ_CHECK(!ec);
        FUZZ_CHECK(limited == doc);
    }

    if (size <= 2048)
        check_format_is_well_formed(text);

    if (ec) {
        FUZZ_CHECK(ec == msrp::errc::bad_iscomposing);
        return 0;
    }
    FUZZ_CHECK(!doc.refresh || *doc.refresh > 0);

    const std::string formatted = msrp::format_iscomposing(doc);
    // Escapes may lengthen text (see format_iscomposing): at most five
    // octets for one ('&' in a CDATA section), plus the fixed markup.
    FUZZ_CHECK(formatted.size() <= 5 * size + 256);
    msrp::iscomposing_limits roomy;
    roomy.max_bytes = formatted.size();
    msrp::IsComposing again;
    const std::error_code again_ec = msrp::parse_iscomposing(formatted, again, roomy);
    if (again_ec) {
        std::fprintf(stderr, "format_iscomposing gave unparsable text (%s):\n%s\n", again_ec.message().c_str(),
                     formatted.c_str());
        std::abort();
    }
    FUZZ_CHECK(again == doc);
    FUZZ_CHECK(msrp::format_iscomposing(again) == formatted);

    check_receiver(doc);
    return 0;
}
