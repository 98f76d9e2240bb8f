// libFuzzer target: SDP descriptions with MSRP media (RFC 4566, RFC 4975 §8).
//
// The whole input is one session description. Whatever `parse_sdp` accepts
// must format to text that parses to an equal session and formats to the
// same text again (the format is canonical after one round); each MSRP
// media section does the same through `parse_sdp_media`. `parse_sdp_media`
// and `parse_sdp` agree on a lone media section. Tight limits may only turn
// a result into `sdp_too_large`: never another error, never another value.

#include <msrp/protocol/error.hpp>
#include <msrp/protocol/sdp_media.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

// Formatting adds a CR to LF-only lines and may lengthen a line (a URI
// written in its canonical form): leave room for that when parsing back.
msrp::sdp_limits roomy_limits() {
    msrp::sdp_limits l;
    l.max_bytes *= 3;
    l.max_line_bytes *= 2;
    return l;
}

[[noreturn]] void unparsable(const char* what, std::error_code ec, const std::string& text) {
    std::fprintf(stderr, "%s gave unparsable text (%s):\n%s\n", what, ec.message().c_str(), text.c_str());
    std::abort();
}

void check_media(const msrp::SDPMedia& m) {
    const std::string formatted = msrp::format_sdp_media(m);
    msrp::SDPMedia again;
    if (const auto ec = msrp::parse_sdp_media(formatted, again, roomy_limits()))
        unparsable("format_sdp_media", ec, formatted);
    FUZZ_CHECK(again == m);
    FUZZ_CHECK(msrp::format_sdp_media(again) == formatted);
    FUZZ_CHECK(m.uses_tls() == (m.transport.size() == 12));
    FUZZ_CHECK(!m.formats.empty());
    FUZZ_CHECK(m.port == 0 || !m.path.empty());

    if (!m.path.empty()) {
        const msrp::SDPMedia made = msrp::make_msrp_media(m.path, m.accept_types, m.accept_wrapped_types);
        const std::string text = msrp::format_sdp_media(made);
        msrp::SDPMedia parsed;
        if (const auto ec = msrp::parse_sdp_media(text, parsed, roomy_limits()))
            unparsable("make_msrp_media", ec, text);
        FUZZ_CHECK(parsed == made);
        FUZZ_CHECK(parsed.uses_tls() == m.path.front().use_tls);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    msrp::SDPSession session;
    const std::error_code ec = msrp::parse_sdp(text, session);

    msrp::sdp_limits tight;
    tight.max_bytes = 512;
    tight.max_lines = 8;
    tight.max_attributes_per_media = 3;
    tight.max_line_bytes = 48;
    msrp::SDPSession limited;
    const std::error_code tight_ec = msrp::parse_sdp(text, limited, tight);
    FUZZ_CHECK(tight_ec == ec || tight_ec == msrp::errc::sdp_too_large);
    if (!tight_ec)
        FUZZ_CHECK(limited == session);

    // The input as one media section.
    msrp::SDPMedia media;
    const std::error_code media_ec = msrp::parse_sdp_media(text, media);
    msrp::SDPMedia media_limited;
    const std::error_code media_tight_ec = msrp::parse_sdp_media(text, media_limited, tight);
    FUZZ_CHECK(media_tight_ec == media_ec || media_tight_ec == msrp::errc::sdp_too_large);
    if (!media_tight_ec)
        FUZZ_CHECK(media_limited == media);
    if (media_ec) {
        FUZZ_CHECK(media_ec.category() == msrp::error_category());
        FUZZ_CHECK(msrp::status_code_for(media_ec) == 0);
    } else {
        // A lone m=message section is a description of one media section.
        FUZZ_CHECK(!ec);
        FUZZ_CHECK(session.session_lines.empty() && !session.connection_data && session.other_media.empty());
        FUZZ_CHECK(session.media.size() == 1 && session.media[0] == media);
    }

    if (ec) {
        FUZZ_CHECK(ec.category() == msrp::error_category());
        FUZZ_CHECK(msrp::status_code_for(ec) == 0);
        return 0;
    }
    if (session.session_lines.empty() && !session.connection_data && session.other_media.empty() &&
        session.media.size() == 1)
        FUZZ_CHECK(!media_ec);

    const std::string formatted = msrp::format_sdp(session);
    msrp::SDPSession again;
    if (const auto again_ec = msrp::parse_sdp(formatted, again, roomy_limits()))
        unparsable("format_sdp", again_ec, formatted);
    FUZZ_CHECK(again == session);
    FUZZ_CHECK(msrp::format_sdp(again) == formatted);

    for (std::size_t i = 0; i < session.other_media.size(); ++i) {
        FUZZ_CHECK(!session.other_media[i].lines.empty());
        FUZZ_CHECK(i == 0 || session.other_media[i].index > session.other_media[i - 1].index);
        FUZZ_CHECK(session.other_media[i].index < session.media.size() + session.other_media.size());
    }
    for (const auto& m : session.media) {
        check_media(m);
        const auto* c = session.connection_for(m);
        FUZZ_CHECK((c != nullptr) == (m.connection_data || session.connection_data));
        FUZZ_CHECK(m.fingerprint.empty() || session.fingerprint_for(m) == m.fingerprint);
    }
    return 0;
}
