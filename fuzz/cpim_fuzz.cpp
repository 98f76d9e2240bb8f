// libFuzzer target: message/cpim bodies (RFC 3862).
//
// The whole input is one message/cpim body. Whatever `parse_cpim` accepts
// must format to text that parses to an equal message and formats to the
// same text again (the format is canonical after one round). Tight limits
// may only turn a result into a limit error: never another error, never a
// different message.

#include <msrp/protocol/cpim.hpp>
#include <msrp/protocol/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

bool is_limit_error(std::error_code ec) {
    return ec == msrp::errc::cpim_too_many_headers || ec == msrp::errc::cpim_header_too_long;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    msrp::CPIMMessage message;
    const std::error_code ec = msrp::parse_cpim(text, message);

    msrp::cpim_limits tight;
    tight.max_header_count = 4;
    tight.max_header_line_bytes = 48;
    msrp::CPIMMessage limited;
    const std::error_code tight_ec = msrp::parse_cpim(text, limited, tight);
    FUZZ_CHECK(tight_ec == ec || is_limit_error(tight_ec));
    if (!tight_ec)
        FUZZ_CHECK(limited == message);

    if (ec) {
        FUZZ_CHECK(ec.category() == msrp::error_category());
        FUZZ_CHECK(msrp::status_code_for(ec) == 0);
        return 0;
    }
    FUZZ_CHECK(text.substr(text.size() - message.body.size()) == message.body);

    const std::string formatted = msrp::format_cpim(message);
    // Escapes may lengthen a line (see format_cpim): allow for them.
    msrp::cpim_limits roomy;
    roomy.max_header_line_bytes = 2 * roomy.max_header_line_bytes + 3;
    msrp::CPIMMessage again;
    const std::error_code again_ec = msrp::parse_cpim(formatted, again, roomy);
    if (again_ec) {
        std::fprintf(stderr, "format_cpim gave unparsable text (%s):\n%s\n", again_ec.message().c_str(),
                     formatted.c_str());
        std::abort();
    }
    FUZZ_CHECK(again == message);
    FUZZ_CHECK(msrp::format_cpim(again) == formatted);

    FUZZ_CHECK(again.content_type() == message.content_type());
    for (const auto& h : message.headers)
        FUZZ_CHECK(h.prefix().size() + h.local_name().size() + (h.prefix().empty() ? 0 : 1) == h.name.size());
    if (message.datetime) {
        msrp::CPIMDateTime d;
        FUZZ_CHECK(!msrp::parse_cpim_datetime(message.datetime->text, d));
        FUZZ_CHECK(d == *message.datetime);
        msrp::CPIMDateTime made;
        if (!msrp::make_cpim_datetime(d.epoch_ms, d.offset_minutes, made)) {
            FUZZ_CHECK(made.epoch_ms == d.epoch_ms);
            msrp::CPIMDateTime reparsed;
            FUZZ_CHECK(!msrp::parse_cpim_datetime(made.text, reparsed));
            FUZZ_CHECK(reparsed == made);
        }
    }
    return 0;
}
