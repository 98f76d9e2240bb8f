// libFuzzer target: MSRP URIs and paths (RFC 4975 §6, §9).
//
// The whole input is one candidate URI or path. The allocation-free parsers
// (`parse_uri_view`, `for_each_uri`) and the owning ones (`URI::parse`,
// `parse_path`) must agree; whatever parses must format to a string that
// parses to an equal value (RFC 4975 §6.1 equivalence) and formats to the
// same string again (the format is canonical after one round).

#include <msrp/protocol/path.hpp>
#include <msrp/protocol/uri.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

bool within(std::string_view part, std::string_view whole) {
    if (part.empty())
        return true;
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void check_view(const msrp::uri_view& v, std::string_view text) {
    FUZZ_CHECK(within(v.user, text));
    FUZZ_CHECK(within(v.host, text));
    FUZZ_CHECK(within(v.session_id, text));
    FUZZ_CHECK(within(v.transport, text));
    FUZZ_CHECK(within(v.parameters, text));
    FUZZ_CHECK(!v.host.empty());
    FUZZ_CHECK(!v.transport.empty());
    FUZZ_CHECK(!(v.host_is_ipv4 && v.host_is_ipv6));
}

void check_uri_round_trip(const msrp::URI& u) {
    FUZZ_CHECK(u == u);
    const std::string text = u.to_string();
    std::string appended = "x";
    u.append_to(appended);
    FUZZ_CHECK(appended == "x" + text);

    msrp::URI again;
    const std::error_code ec = msrp::URI::parse(text, again);
    if (ec) {
        std::fprintf(stderr, "to_string() gave an unparsable URI: \"%s\" (%s)\n", text.c_str(),
                     ec.message().c_str());
        std::abort();
    }
    FUZZ_CHECK(again == u);
    FUZZ_CHECK(u == again);
    FUZZ_CHECK(again.to_string() == text);

    msrp::uri_view view;
    FUZZ_CHECK(!msrp::parse_uri_view(text, view));
    check_view(view, text);
    FUZZ_CHECK(msrp::URI::from_view(view) == u);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    msrp::uri_view view;
    const std::error_code view_ec = msrp::parse_uri_view(text, view);
    msrp::URI uri;
    const std::error_code uri_ec = msrp::URI::parse(text, uri);
    FUZZ_CHECK(!view_ec == !uri_ec);
    if (!uri_ec) {
        check_view(view, text);
        const msrp::URI from_view = msrp::URI::from_view(view);
        FUZZ_CHECK(from_view == uri);
        FUZZ_CHECK(from_view.to_string() == uri.to_string());
        FUZZ_CHECK(msrp::uri_equivalent(view, view));
        check_uri_round_trip(uri);
    }

    msrp::Path path;
    const std::error_code path_ec = msrp::parse_path(text, path);
    std::size_t visited = 0;
    const std::error_code visit_ec = msrp::for_each_uri(text, [&](const msrp::uri_view& v) {
        check_view(v, text);
        ++visited;
    });
    FUZZ_CHECK(!path_ec == !visit_ec);
    // A URI holds no SP, so one URI is a path of one element.
    if (!uri_ec)
        FUZZ_CHECK(!path_ec && path.size() == 1 && path[0] == uri);
    if (!path_ec) {
        FUZZ_CHECK(!path.empty());
        FUZZ_CHECK(visited == path.size());
        for (const auto& u : path)
            check_uri_round_trip(u);
        const std::string text2 = msrp::format_path(path);
        std::string appended = "x";
        msrp::append_path(appended, path);
        FUZZ_CHECK(appended == "x" + text2);
        msrp::Path again;
        FUZZ_CHECK(!msrp::parse_path(text2, again));
        FUZZ_CHECK(again == path);
        FUZZ_CHECK(msrp::paths_equivalent(again, path));
        FUZZ_CHECK(msrp::format_path(again) == text2);
    }
    return 0;
}
