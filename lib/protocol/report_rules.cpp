#include <msrp/protocol/error.hpp>
#include <msrp/protocol/random_ident.hpp>
#include <msrp/protocol/report_rules.hpp>

#include "../detail/ascii.hpp"

#include <string_view>
#include <utility>

namespace msrp {

failure_report failure_report_value(std::string_view value) noexcept {
    value = detail::trim_ows(value);
    if (detail::iequals(value, "no"))
        return failure_report::no;
    if (detail::iequals(value, "partial"))
        return failure_report::partial;
    return failure_report::yes;
}

bool success_report_value(std::string_view value) noexcept {
    return detail::iequals(detail::trim_ows(value), "yes");
}

failure_report failure_report_of(const Chunk& request) noexcept {
    const auto* v = request.find_header("Failure-Report");
    return v ? failure_report_value(*v) : failure_report::yes;
}

bool success_report_wanted(const Chunk& request) noexcept {
    const auto* v = request.find_header("Success-Report");
    return v && success_report_value(*v);
}

bool response_wanted(const Chunk& request, int code) noexcept {
    // RFC 4975 §7.2: "Endpoints MUST NOT send MSRP responses to REPORT
    // requests." Methods are case-sensitive (§9: 1*UPALPHA).
    if (request.is_response() || request.method == "REPORT")
        return false;
    // RFC 4975 §7.2: a response is owed for Failure-Report yes or absent,
    // and for partial when the request could not be processed. The rule
    // is stated for requests in general, so AUTH and unknown methods (501)
    // follow it as SEND does.
    switch (failure_report_of(request)) {
    case failure_report::yes: return true;
    case failure_report::partial: return code < 200 || code > 299;
    case failure_report::no: return false;
    }
    return true;
}

int local_timeout_code(const Chunk& request) noexcept { return local_timeout_code(failure_report_of(request)); }

int local_timeout_code(failure_report mode) noexcept { return mode == failure_report::yes ? 408 : 200; }

Chunk make_report(const Chunk& send, const URI& local_uri, int code, std::string comment, ByteRange range) {
    Chunk r;
    // No body, so no end-line collision to avoid (choose_transaction_id).
    r.transaction_id = random_ident();
    r.method = "REPORT";
    r.contflag = contflag::complete;
    // RFC 4975 §7.1.2: the REPORT goes back along the SEND's whole
    // From-Path; copying the text keeps it exactly as the peer wrote it.
    if (const auto* from = send.find_header("From-Path"))
        r.add_header("To-Path", *from);
    r.set_from_path(Path{local_uri});
    if (const auto* id = send.find_header("Message-ID"))
        r.add_header("Message-ID", *id);
    r.set_byte_range(range);
    if (comment.empty())
        comment = status_comment(code);
    r.set_status(StatusHeader{0, code, std::move(comment)});
    return r;
}

} // namespace msrp
